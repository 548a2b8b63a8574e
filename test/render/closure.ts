import type {GraphInput} from '../../src/render/svg/types.js'

/**
 * Builds a synthetic closure of `size` store paths, path 0 being the root.
 * Each path references its predecessor and up to two later paths picked by
 * a fixed linear congruential sequence. Sizes fall off as in real closures
 * (a few large paths, many small ones), and two of every three paths are on
 * the host.
 */
export function syntheticClosure(size: number): GraphInput {
  let state = 12345
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state
  }

  const nodes = Array.from({length: size}, (_unused, index) => ({
    id: `/nix/store/${String(index).padStart(32, 'a')}-path-${index}`,
    label: `path-${index}`,
    bytes: Math.floor(200_000_000 / (index + 1)) + (next() % 5000),
    onHost: index % 3 !== 0,
  }))

  const edges: Array<{source: string; target: string}> = []
  for (let index = 1; index < size; index += 1) {
    const chained = edges.some((edge) => edge.source === nodes[index - 1].id && edge.target === nodes[index].id)
    if (!chained) edges.push({source: nodes[index - 1].id, target: nodes[index].id})
    for (let extra = 0; extra < 2; extra += 1) {
      const target = next() % size
      const repeated = edges.some((edge) => edge.source === nodes[index].id && edge.target === nodes[target].id)
      if (target > index && !repeated) edges.push({source: nodes[index].id, target: nodes[target].id})
    }
  }

  return {title: `Closure of path-0 (${size} paths)`, root: nodes[0].id, nodes, edges, hostGiven: true}
}
