/**
 * The testbed's plan: which sites exist, which hardware generations they get and retire, how busy
 * they are, and the dates of the operational events that destroyed history. Plain data; the
 * simulator (`simulate.ts`) turns it into a true world.
 *
 * Sites (scale 1):
 * - `chi_tacc`, `chi_uc`: bare metal (Ironic), reservation only (`physical:host` leases);
 * - `kvm_tacc`: KVM hypervisors, mostly on-demand; a few in Blazar for `virtual:instance`
 *   (`flavor:instance` from 2024-10) reservations.
 *
 * Invariants:
 * - every retirement is after 2022-05 (Chameleon's Blazar hard-deleted hosts before its 2022-05
 *   soft-delete migration; no host leaves in that era, so no host row is silently lost after the
 *   2020 cut);
 * - `scale` multiplies host counts and demand (leases, on-demand instances) alike, so
 *   utilisation stays the same at every scale.
 *
 * @since 0.1.0
 */
import type { BaseCountType } from '../lib/CountType';
import type { KnownGap } from '../lib/Coverage';
import * as T from '../lib/Time';
import { siteConfig, type SiteConfig } from '../adapters/Source';
import type { CapabilityLayout } from './ddl';
import { edgeSite } from './edgePlan';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One hardware generation of one site. @category model @since 0.1.0 */
export interface Generation {
  readonly nodeType: string;
  /** Hosts at scale 1. */
  readonly count: number;
  /** When the first host arrives (UTC date); the others follow over `rampDays`. */
  readonly added: string;
  readonly rampDays: number;
  /** When retirement starts (UTC date), hosts leave over `rampDays`; absent: still in service. */
  readonly retired?: string;
  readonly vcpus: number;
  readonly memoryMb: number;
  readonly localGb: number;
  readonly gpus: number;
  /** In Blazar's reservable pool (KVM on-demand hypervisors are not). */
  readonly blazar: boolean;
  /** Relative demand per host (lease requests pick a node type with this weight). */
  readonly demand: number;
}

/** @category model @since 0.1.0 */
export interface SitePlan {
  readonly site: string;
  readonly displayName: string;
  /** `edge` (0.4.0): Blazar devices only, no Nova (`edgePlan.ts`, `edge.ts`). */
  readonly kind: 'baremetal' | 'kvm' | 'edge';
  /** The layout the site's Blazar keeps `node_type` in (the release it runs). */
  readonly capabilityLayout: CapabilityLayout;
  readonly domain: string;
  readonly generations: ReadonlyArray<Generation>;
  /** User lease requests per reservable host per year. */
  readonly leasesPerHostYear: number;
  /** KVM: on-demand instance requests per on-demand hypervisor per day. */
  readonly onDemandPerHostDay: number;
  /**
   * Share of user lease requests Blazar refuses at creation for another reason than free hosts
   * (allocation or quota exhausted, invalid parameters): stored like a request refused for lack
   * of hosts, a lease soft-deleted at its creation without allocations (issue 19). Default 0.
   */
  readonly refusedShare?: number;
  /** The longest lease a user may ask for, and the farthest an extension may reach from its own time (days; default 7). */
  readonly maxLeaseDays?: number;
  /** Median length of a user lease, hours (log-normal; default 22). */
  readonly leaseMedianHours?: number;
  /** Share of user leases asking for the whole `maxLeaseDays` (default 0). */
  readonly maxLeaseShare?: number;
  /** The operators' project (its leases are `ops`). */
  readonly operatorProject: string;
}

/** Dates of the operational events the quirks come from. @category model @since 0.1.0 */
export interface Cuts {
  /** Nova compute node rows were recreated (new ids) just before this; older rows purged. */
  readonly novaRecreated: T.Millis;
  /** Nova coverage starts here (rows before are lost). */
  readonly novaLost: T.Millis;
  /** Blazar host rows were re-created (same ids, new created_at) just before this. */
  readonly blazarRecreated: T.Millis;
  readonly blazarLost: T.Millis;
  /** Ironic reports 0 vcpus/memory/disk from Nova Stein on. */
  readonly stein: T.Millis;
  /** Nova `archive_deleted_rows --before` this date was run (in 2017: request_specs kept). */
  readonly archiveBefore: T.Millis;
  /** Nova compute node recreation gave new ids until Rocky. */
  readonly rocky: T.Millis;
  /** Blazar capability layouts: `doni` names maintenance leases `availability_window_*` from here. */
  readonly doni: T.Millis;
  /** Blazar `flavor:instance` reservations exist from here. */
  readonly flavorInstance: T.Millis;
}

/** @category model @since 0.1.0 */
export interface Plan {
  readonly seed: number;
  readonly scale: number;
  /** Simulation window `[start, end)`; the databases are a snapshot taken at `end`. */
  readonly start: T.Millis;
  readonly end: T.Millis;
  readonly sites: ReadonlyArray<SitePlan>;
  readonly cuts: Cuts;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** A UTC date or date-time as milliseconds (throws on a typo in the built-in plan). */
export const utc = (iso: string): T.Millis => {
  const ms = Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : `${iso}Z`);
  if (Number.isNaN(ms)) throw new Error(`bad plan date ${iso}`);
  return T.unsafeMillis(ms);
};

const bm = (nodeType: string, count: number, added: string, rampDays: number, hw: [number, number, number, number], demand: number, retired?: string): Generation => ({
  nodeType,
  count,
  added,
  rampDays,
  ...(retired === undefined ? {} : { retired }),
  vcpus: hw[0],
  memoryMb: hw[1],
  localGb: hw[2],
  gpus: hw[3],
  blazar: true,
  demand,
});

const HASWELL: [number, number, number, number] = [48, 131072, 250, 0];
const SKYLAKE: [number, number, number, number] = [48, 196608, 240, 0];
const CASCADE: [number, number, number, number] = [96, 196608, 480, 0];
const ICELAKE: [number, number, number, number] = [80, 262144, 480, 0];
const ZEN3: [number, number, number, number] = [128, 262144, 480, 0];
const STORAGE: [number, number, number, number] = [40, 65536, 16000, 0];
const RTX: [number, number, number, number] = [48, 196608, 480, 4];
const A100: [number, number, number, number] = [64, 262144, 960, 4];
const P100: [number, number, number, number] = [28, 131072, 240, 2];

/** The three sites at scale 1. @category constructors @since 0.1.0 */
export const defaultSites: ReadonlyArray<SitePlan> = [
  {
    site: 'chi_tacc',
    displayName: 'CHI@TACC',
    kind: 'baremetal',
    capabilityLayout: 'resource_properties',
    domain: 'tacc.chameleoncloud.org',
    // calibrated to Chameleon's real scale and load (issue 19, docs/testbed.md "Calibration")
    leasesPerHostYear: 82,
    onDemandPerHostDay: 0,
    refusedShare: 0.66,
    maxLeaseDays: 7,
    leaseMedianHours: 30,
    maxLeaseShare: 0.3,
    operatorProject: 'c0ffee000000400080000000000000a1',
    generations: [
      bm('compute_haswell', 130, '2015-09-01', 40, HASWELL, 1.0, '2023-09-01'),
      bm('compute_haswell_ib', 80, '2015-10-01', 30, HASWELL, 1.0, '2022-06-01'),
      bm('storage', 16, '2015-10-01', 10, STORAGE, 0.4, '2022-09-15'),
      bm('gpu_p100', 12, '2017-05-01', 10, P100, 2.0, '2024-03-01'),
      bm('compute_skylake', 90, '2018-02-01', 20, SKYLAKE, 1.2),
      bm('gpu_rtx_6000', 16, '2019-09-01', 10, RTX, 2.5),
      bm('compute_cascadelake', 30, '2020-09-01', 30, CASCADE, 1.2),
      bm('gpu_a100', 12, '2021-09-01', 10, A100, 3.0),
      bm('compute_icelake', 50, '2022-10-01', 20, ICELAKE, 1.2),
      bm('compute_zen3', 30, '2023-10-01', 15, ZEN3, 1.2),
    ],
  },
  {
    site: 'chi_uc',
    displayName: 'CHI@UC',
    kind: 'baremetal',
    capabilityLayout: 'extra_capabilities',
    domain: 'uc.chameleoncloud.org',
    leasesPerHostYear: 60,
    onDemandPerHostDay: 0,
    refusedShare: 0.33,
    maxLeaseDays: 7,
    leaseMedianHours: 24,
    maxLeaseShare: 0.25,
    operatorProject: 'c0ffee000000400080000000000000b2',
    generations: [
      bm('compute_haswell', 90, '2015-10-01', 30, HASWELL, 1.0, '2023-03-01'),
      bm('storage', 10, '2015-10-15', 10, STORAGE, 0.4, '2022-07-01'),
      bm('compute_skylake', 45, '2018-02-01', 15, SKYLAKE, 1.2),
      bm('gpu_rtx_6000', 8, '2019-11-01', 10, RTX, 2.5),
      bm('compute_cascadelake', 16, '2020-10-01', 20, CASCADE, 1.2),
      bm('gpu_a100', 8, '2022-03-01', 10, A100, 3.0),
      bm('compute_zen3', 30, '2023-05-01', 15, ZEN3, 1.2),
    ],
  },
  {
    site: 'kvm_tacc',
    displayName: 'KVM@TACC',
    kind: 'kvm',
    capabilityLayout: 'capability_name',
    domain: 'kvm.tacc.chameleoncloud.org',
    leasesPerHostYear: 24,
    onDemandPerHostDay: 2.9,
    maxLeaseDays: 180,
    leaseMedianHours: 72,
    maxLeaseShare: 0.03,
    operatorProject: 'c0ffee000000400080000000000000c3',
    generations: [
      { ...bm('compute_haswell', 16, '2017-04-01', 20, HASWELL, 1.0, '2023-06-01'), blazar: false },
      { ...bm('compute_cascadelake', 12, '2021-03-01', 20, CASCADE, 1.0), blazar: false },
      bm('compute_skylake', 6, '2019-06-01', 10, SKYLAKE, 1.0),
      bm('compute_zen3', 4, '2023-09-01', 10, ZEN3, 1.0),
    ],
  },
];

/**
 * Every site the plan knows: the default three and the CHI@Edge device site `chi_edge`
 * (`edgePlan.ts`), which a plan has only when asked for by name (the demo asks for all).
 *
 * @category constructors
 * @since 0.4.0
 */
export const knownSites: ReadonlyArray<SitePlan> = [...defaultSites, edgeSite];

/** @category constructors @since 0.1.0 */
export const defaultCuts: Cuts = {
  novaRecreated: utc('2017-12-12'),
  novaLost: utc('2018-01-01'),
  blazarRecreated: utc('2019-12-16'),
  blazarLost: utc('2020-01-01'),
  stein: utc('2019-04-10'),
  archiveBefore: utc('2017-01-01'),
  rocky: utc('2018-08-30'),
  doni: utc('2021-06-01'),
  flavorInstance: utc('2024-10-01'),
};

/** The default seed of the demo. @since 0.1.0 */
export const DEFAULT_SEED = 20160101;

/**
 * The plan: the default sites (or a subset) at a scale, from 2016-01-01 to 2026-01-01.
 *
 * @example
 * plan({ seed: 1, scale: 0.1 }).sites.length === 3
 * @category constructors
 * @since 0.1.0
 */
export const plan = (o: { seed?: number; scale?: number; sites?: ReadonlyArray<string>; start?: string; end?: string } = {}): Plan => {
  const scale = o.scale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`scale must be a positive number, got ${scale}`);
  const wanted = o.sites ?? defaultSites.map((s) => s.site);
  const unknown = wanted.filter((s) => !knownSites.some((d) => d.site === s));
  if (unknown.length > 0) throw new Error(`unknown testbed site ${unknown.join(', ')} (known: ${knownSites.map((s) => s.site).join(', ')})`);
  return {
    seed: o.seed ?? DEFAULT_SEED,
    scale,
    start: utc(o.start ?? '2016-01-01'),
    end: utc(o.end ?? '2026-01-01'),
    sites: knownSites.filter((s) => wanted.includes(s.site)),
    cuts: defaultCuts,
  };
};

/** Hosts of a generation at a scale: at least one. @since 0.1.0 */
export const scaledCount = (g: Generation, scale: number): number => Math.max(1, Math.round(g.count * scale));

// -------------------------------------------------------------------------------------
// site configs
// -------------------------------------------------------------------------------------

/**
 * The known gaps of the testbed (the plan's): Nova hosts before 2018, Blazar hosts before 2020.
 *
 * @since 0.1.0
 */
export const knownGaps = (c: Cuts): ReadonlyArray<KnownGap> => [
  { countTypes: ['total'], start: utc('2015-01-01'), end: c.novaLost, note: 'Nova hosts before 2018 were lost' },
  { countTypes: ['reservable'], start: utc('2015-01-01'), end: c.blazarLost, note: 'Blazar hosts before 2020 were lost' },
];

/**
 * The site config to read a testbed site with: its operator project, and the coverage starts and
 * known gaps of the destroyed history, so the differences there are audited gaps, not errors;
 * the KVM site has an on-demand pool.
 *
 * @since 0.1.0
 */
export const testbedSiteConfig = (s: SitePlan, c: Cuts = defaultCuts): SiteConfig => {
  // CHI@Edge: no history was lost (devices came after the cuts) and there is no Nova at all
  if (s.kind === 'edge') return siteConfig(s.site, { displayName: s.displayName, operatorProjects: [s.operatorProject], coverageStart: {}, knownGaps: [] });
  const coverageStart: Partial<Record<BaseCountType, T.Millis>> = { total: c.novaLost, reservable: c.blazarLost };
  return siteConfig(s.site, {
    displayName: s.displayName,
    operatorProjects: [s.operatorProject],
    gpuCapability: 'gpu.gpu_count',
    coverageStart,
    knownGaps: knownGaps(c),
    // KVM@TACC's hosts outside Blazar serve on-demand instances (section 12)
    ondemandPool: s.kind === 'kvm',
  });
};
