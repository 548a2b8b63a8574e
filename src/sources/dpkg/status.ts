/** One installed package from a dpkg status database. */
export interface DpkgPackage {
  name: string
  version: string
  architecture: string
  /** Installed-Size in bytes (the field is in KiB), or null when absent. */
  installedBytes: number | null
  /** Depends and Pre-Depends, each alternative group as written. */
  depends: string[]
}

/** Split a control file into stanzas of field → value, joining continuation lines. */
export function parseControl(text: string): Array<Map<string, string>> {
  const stanzas: Array<Map<string, string>> = []
  let current = new Map<string, string>()
  let field: string | undefined

  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (current.size > 0) stanzas.push(current)
      current = new Map()
      field = undefined
      continue
    }

    if ((line.startsWith(' ') || line.startsWith('\t')) && field !== undefined) {
      current.set(field, `${current.get(field)}\n${line.trim()}`)
      continue
    }

    const colon = line.indexOf(':')
    if (colon <= 0) continue
    field = line.slice(0, colon).trim()
    current.set(field, line.slice(colon + 1).trim())
  }

  if (current.size > 0) stanzas.push(current)
  return stanzas
}

/**
 * Read the packages a status file marks installed. Distroless images keep
 * one stanza per file in status.d/, which parse the same way.
 */
export function parseStatus(text: string): DpkgPackage[] {
  const packages: DpkgPackage[] = []

  for (const stanza of parseControl(text)) {
    const status = stanza.get('Status')
    if (status !== undefined && !status.endsWith(' installed')) continue
    const name = stanza.get('Package')
    const version = stanza.get('Version')
    if (!name || !version) continue

    const size = Number.parseInt(stanza.get('Installed-Size') ?? '', 10)
    const depends = [stanza.get('Pre-Depends'), stanza.get('Depends')]
      .filter((value): value is string => value !== undefined && value !== '')
      .flatMap((value) => value.split(',').map((group) => group.trim()))
      .filter((group) => group !== '')

    packages.push({
      name,
      version,
      architecture: stanza.get('Architecture') ?? 'all',
      installedBytes: Number.isFinite(size) ? size * 1024 : null,
      depends,
    })
  }

  return packages
}

/** Package names an alternative group names, in order: `a (>= 1) | b:any` → [a, b]. */
export function dependencyNames(group: string): string[] {
  return group.split('|').map((alternative) => alternative.trim().split(/[\s(:[]/)[0]).filter((name) => name !== '')
}

/** Names under which dpkg keeps a package's file list in var/lib/dpkg/info/. */
export function listFileNames(pkg: DpkgPackage): string[] {
  return [`var/lib/dpkg/info/${pkg.name}:${pkg.architecture}.list`, `var/lib/dpkg/info/${pkg.name}.list`]
}

/** Paths of a .list file, relative to the root; directories are listed too. */
export function parseFileList(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/^\/+/, ''))
    .filter((line) => line !== '' && line !== '.')
}
