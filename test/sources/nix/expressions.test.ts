import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {run} from './helpers.js'

const nixDir = join(import.meta.dirname, '../../../nix')

describe('nix expressions', () => {
  it('depgraph.nix parses', () => {
    const parsed = run('nix-instantiate', ['--parse', join(nixDir, 'depgraph.nix')])
    expect(parsed).toContain('buildNpmPackage')
    expect(parsed).toContain('pname = "depgraph"')
    expect(parsed).toContain('npmBuildScript = "build"')
  })

  it('depgraph.nix evaluates to buildNpmPackage arguments', () => {
    // Stand-ins for the nixpkgs functions the expression calls, so it evaluates without nixpkgs.
    const call = `import ${join(nixDir, 'depgraph.nix')} {
      lib = { fileset = { toSource = spec: spec.root; unions = files: files; }; fakeHash = "fake";
              licenses.mit = "mit"; platforms.linux = [ "x86_64-linux" ]; };
      buildNpmPackage = attrs: attrs; nodejs_20 = "node"; python3 = "python";
    }`
    const value = JSON.parse(run('nix-instantiate', ['--eval', '--strict', '--json', '-E', `builtins.removeAttrs (${call}) [ "src" ]`]))
    expect(value).toEqual({
      pname: 'depgraph',
      version: '0.1.0',
      nodejs: 'node',
      npmDepsHash: 'fake',
      nativeBuildInputs: ['python'],
      npmBuildScript: 'build',
      meta: {
        description: 'Measure what deploying an application costs in bytes across Podman images, Nix closures and OSv disk images',
        license: 'mit',
        mainProgram: 'depgraph',
        platforms: ['x86_64-linux'],
      },
    })
  })

  it('debian.nix parses', () => {
    const parsed = run('nix-instantiate', ['--parse', join(nixDir, 'debian.nix')])
    expect(parsed).toContain('dpkg-deb')
  })
})
