import type {AnalysisReport, ArtifactReport} from '../analysis.js'

/**
 * Storage figures of "Comparing Containerization and Nix-based Deployment"
 * (tables 4.5 and 4.6), in MB as printed there. Its MySQL row compares with
 * depgraph's mariadb, the MySQL-compatible server Debian packages.
 */
export const STUDY_FIGURES: Record<string, StudyRow> = {
  nginx: {podmanTotal: 137, podmanBase: 72.5, osvImage: 8.3, osvMounted: 1.9, nixTotal: 728.3, nixUnique: 12.6, percent: [6, 12.8, 9.2, 19.5]},
  redis: {podmanTotal: 109, podmanBase: 72.5, osvImage: 9.9, osvMounted: 4.7, nixTotal: 728, nixUnique: 12.3, percent: [9.1, 27.1, 11.2, 33.6]},
  mariadb: {podmanTotal: 551, podmanBase: 72.5, osvImage: 44.6, osvMounted: 199.6, nixTotal: 1087.5, nixUnique: 365.8, percent: [8.1, 9.3, 66.4, 76.5]},
}

export interface StudyRow {
  /** Table 4.6 as printed, in percent: OSv of total, OSv of app+libs, Nix of total, Nix of app+libs. */
  percent: [number, number, number, number]
  podmanTotal: number
  podmanBase: number
  osvImage: number
  osvMounted: number
  nixTotal: number
  nixUnique: number
}

/** One application's storage across the three platforms, in bytes; null where not measured. */
export interface ComparisonRow {
  app: string
  podmanTotal: number | null
  podmanBase: number | null
  podmanAppLibs: number | null
  osvImage: number | null
  osvMounted: number | null
  nixTotal: number | null
  nixUnique: number | null
  /** Content of the Podman image's files that the host lacks: its cost if deployed as a graph. */
  podmanUniqueFiles: number | null
  /** Content of the Podman image that the host already has. */
  podmanDuplicatedWithHost: number | null
  /** deploy / Podman total and deploy / Podman app+libs, as ratios (0.092, not 9.2). */
  shares: {osvOfTotal: number | null; osvOfAppLibs: number | null; nixOfTotal: number | null; nixOfAppLibs: number | null}
  /** Error message of each platform whose input could not be read. */
  missing: Record<string, string>
}

function ratio(part: number | null, whole: number | null): number | null {
  if (part === null || whole === null || whole === 0) return null
  return part / whole
}

function find(artifacts: ArtifactReport[], app: string, platform: string): ArtifactReport | undefined {
  return artifacts.find((artifact) => artifact.name === app && artifact.platform === platform)
}

/**
 * Build one comparison row per application name. The deployment cost is
 * the unique bytes for Nix and the image's stored bytes for OSv. Each cost
 * is divided by the Podman total and by Podman app+libs.
 */
export function compareDeployments(report: AnalysisReport, apps: string[]): ComparisonRow[] {
  return apps.map((app) => {
    const podman = find(report.artifacts, app, 'podman')?.sizes
    const osv = find(report.artifacts, app, 'osv')?.sizes
    const nix = find(report.artifacts, app, 'nix')?.sizes
    const podmanReport = find(report.artifacts, app, 'podman')

    const row: ComparisonRow = {
      app,
      podmanTotal: podman?.total ?? null,
      podmanBase: podman?.base ?? null,
      podmanAppLibs: podman?.appLibs ?? null,
      osvImage: osv?.total ?? null,
      osvMounted: osv?.mounted ?? null,
      nixTotal: nix?.total ?? null,
      nixUnique: nix?.unique ?? null,
      podmanUniqueFiles: podman?.uniqueFiles ?? null,
      podmanDuplicatedWithHost: podmanReport?.duplicatedWithHost ?? null,
      shares: {osvOfTotal: null, osvOfAppLibs: null, nixOfTotal: null, nixOfAppLibs: null},
      missing: {},
    }

    row.shares = {
      osvOfTotal: ratio(row.osvImage, row.podmanTotal),
      osvOfAppLibs: ratio(row.osvImage, row.podmanAppLibs),
      nixOfTotal: ratio(row.nixUnique, row.podmanTotal),
      nixOfAppLibs: ratio(row.nixUnique, row.podmanAppLibs),
    }

    for (const failure of report.failures.filter((item) => item.app === app)) row.missing[failure.platform] = failure.error
    return row
  })
}
