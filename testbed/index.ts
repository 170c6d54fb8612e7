/**
 * The synthetic testbed: a seeded, deterministic simulation of three Chameleon sites from 2016 to
 * 2025, written as the real services would have stored it (with their quirks), with the legacy
 * caches and the true usage timeline.
 *
 * ```
 * plan --simulate--> world --rows--> source tables (with quirks) --write--> SQLite / MySQL
 *                       \--legacy--> chameleon_usage caches
 *                        \--truth--> truth__usage_timeline (and daily node-hours, in memory)
 * ```
 *
 * Invariants: the same plan (seed and scale included) gives the same rows and the same truth;
 * every difference between the reconstruction and the truth comes from a quirk that destroyed
 * history (docs/testbed.md lists them), which the demo site configs declare as known gaps.
 *
 * @since 0.1.0
 */
import * as path from 'node:path';
import type { Knex } from 'knex';
import { edgeRows, edgeTables, edgeTimeline, edgeTruth, simulateEdge } from './edge';
import { auditCapture, auditTables } from './audit';
import { legacyRows } from './legacy';
import { plan as makePlan, testbedSiteConfig, type Plan, type SitePlan } from './plan';
import { deriveRows, type RowStats } from './rows';
import { simulateSite } from './simulate';
import { truthIntervals, truthTimeline, type TruthInterval } from './truth';
import { auditDatabase, mysqlDatabases, mysqlKnex, mysqlWriter, sqliteWriter, type SiteWriter } from './write';
import type { SiteWorld } from './world';

export { plan, testbedSiteConfig, knownSites, DEFAULT_SEED } from './plan';
export type { Plan, SitePlan } from './plan';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Where to write. @category model @since 0.1.0 */
export type Target =
  | { readonly kind: 'sqlite'; /** One `<site>.sqlite` per site in this folder. */ readonly dir: string }
  | { readonly kind: 'mysql'; readonly url: string; /** Database name prefix (default `testbed_`). */ readonly prefix?: string }
  | { readonly kind: 'none' };

/** What was made for one site. @category model @since 0.1.0 */
export interface SiteSummary {
  readonly site: string;
  /** `sqlite:<file>` or the MySQL URL; empty for `none`. */
  readonly url: string;
  readonly databases?: Readonly<Record<string, string>>;
  readonly rows: RowStats;
  readonly totalRows: number;
  readonly legacyRows: number;
  readonly truthRows: number;
  /** True intervals (each becomes one or two events in the reconstruction). */
  readonly truthIntervals: number;
  readonly world: { readonly hosts: number; readonly leases: number; readonly instances: number };
}

/** @category model @since 0.1.0 */
export interface Generated {
  readonly plan: Plan;
  readonly sites: ReadonlyArray<SiteSummary>;
  /** The worlds and true intervals, when asked for (`keep: true`). */
  readonly worlds?: ReadonlyArray<{ readonly world: SiteWorld; readonly truth: ReadonlyArray<TruthInterval> }>;
  readonly seconds: number;
}

/** @category model @since 0.1.0 */
export interface GenerateOptions {
  readonly plan?: Plan;
  readonly target: Target;
  /** Keep the worlds and true intervals in the result (tests). */
  readonly keep?: boolean;
  /** Progress: a label and the fraction done, in [0, 1]. */
  readonly progress?: (label: string, fraction: number) => void;
}

// -------------------------------------------------------------------------------------
// generating
// -------------------------------------------------------------------------------------

const nullWriter = (): SiteWriter => ({ emit: () => undefined, writeTruth: () => undefined, finish: async () => undefined, abort: async () => undefined });

/**
 * Generates the testbed.
 *
 * @example
 * const g = await generate({ plan: plan({ seed: 7, scale: 0.1 }), target: { kind: 'sqlite', dir: 'out' } })
 * g.sites.map((s) => s.url) // ['sqlite:out/chi_tacc.sqlite', 'sqlite:out/chi_uc.sqlite', 'sqlite:out/kvm_tacc.sqlite']
 * @since 0.1.0
 */
export const generate = async (o: GenerateOptions): Promise<Generated> => {
  const t0 = Date.now();
  const p = o.plan ?? makePlan();
  const progress = o.progress ?? (() => undefined);
  const sites: SiteSummary[] = [];
  const worlds: Array<{ world: SiteWorld; truth: ReadonlyArray<TruthInterval> }> = [];
  let k: Knex | undefined;
  if (o.target.kind === 'mysql') k = await mysqlKnex(o.target.url);
  try {
    const n = p.sites.length;
    for (let i = 0; i < n; i++) {
      const s: SitePlan = p.sites[i];
      const at = (f: number, what: string) => progress(`${s.site}: ${what}`, (i + f) / n);
      at(0, 'simulating');
      // the CHI@Edge site (devices only, no Nova) is simulated and written by edge.ts
      const edge = s.kind === 'edge';
      const world = edge ? simulateEdge(p, s) : simulateSite(p, s);
      at(0.3, 'writing rows');
      const tables = edge ? edgeTables : undefined;
      const writer =
        o.target.kind === 'sqlite'
          ? sqliteWriter(path.join(o.target.dir, `${s.site}.sqlite`), s.capabilityLayout, tables)
          : o.target.kind === 'mysql'
            ? await mysqlWriter(k as Knex, o.target.prefix ?? 'testbed_', s.site, s.capabilityLayout, tables)
            : nullWriter();
      try {
        // the CHI@Edge site (devices only) has no audit tables; issue 15: the audit tables follow
        // the Blazar rows (and drop the hard-deleted ones)
        const cap = edge || world.audit === undefined ? undefined : auditCapture(world.audit, world.hosts, s.capabilityLayout, p.end, writer.emit);
        const rows = edge ? edgeRows(p, world, writer.emit) : deriveRows(p, world, cap?.emit ?? writer.emit);
        if (cap !== undefined && world.audit !== undefined && writer.writeAudit !== undefined) {
          writer.writeAudit(auditTables(world.audit, { hosts: world.hosts, leases: world.leases, kind: s.kind, layout: s.capabilityLayout, snapshot: p.end, captured: cap.captured }));
        }
        at(0.75, 'legacy caches and truth');
        const legacy = edge ? 0 : legacyRows(p, world, writer.emit);
        const truth = edge ? edgeTruth(p, world) : truthIntervals(p, world);
        const timeline = edge
          ? edgeTimeline(s.site, truth)
          : truthTimeline(s.site, truth, s.kind === 'kvm', world.audit === undefined ? undefined : { start: world.audit.install, services: true });
        writer.writeTruth(timeline);
        at(0.85, o.target.kind === 'mysql' ? 'inserting into MySQL' : 'committing');
        await writer.finish();
        let totalRows = legacy + timeline.length;
        for (const v of Object.values(rows)) totalRows += v ?? 0;
        sites.push({
          site: s.site,
          url:
            o.target.kind === 'sqlite' ? `sqlite:${path.join(o.target.dir, `${s.site}.sqlite`)}` : o.target.kind === 'mysql' ? o.target.url : '',
          ...(o.target.kind === 'mysql'
            ? {
                databases: {
                  ...mysqlDatabases(o.target.prefix ?? 'testbed_', s.site),
                  ...(world.audit === undefined ? {} : { openstack_audit: auditDatabase(o.target.prefix ?? 'testbed_', s.site) }),
                },
              }
            : {}),
          rows,
          totalRows,
          legacyRows: legacy,
          truthRows: timeline.length,
          truthIntervals: truth.length,
          world: { hosts: world.hosts.length, leases: world.leases.length, instances: world.instances.length },
        });
        if (o.keep === true) worlds.push({ world, truth });
      } catch (e) {
        await writer.abort();
        throw e;
      }
    }
    progress('done', 1);
  } finally {
    if (k !== undefined) await k.destroy();
  }
  return { plan: p, sites, ...(o.keep === true ? { worlds } : {}), seconds: (Date.now() - t0) / 1000 };
};

/**
 * The site configs to read the generated sites with (known gaps, operator projects, and the
 * MySQL database names when written there).
 *
 * @since 0.1.0
 */
export const siteConfigs = (g: Generated) =>
  g.plan.sites.map((s) => {
    const made = g.sites.find((x) => x.site === s.site);
    const base = testbedSiteConfig(s, g.plan.cuts);
    return { site: made?.databases === undefined ? base : { ...base, databases: made.databases as typeof base.databases }, url: made?.url ?? '' };
  });
