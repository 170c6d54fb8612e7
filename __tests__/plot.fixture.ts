/**
 * Synthetic, deterministic timelines of three sites for the plot tests and for looking at the
 * figures: 18 months (2023-01-01 .. 2024-07-01) of base counts changing every 12 hours, the
 * derived counts by the pipeline's formulas, rows only where covered (coverage from
 * `lib/Coverage.coverageOf`), legacy daily rows for the two bare-metal sites (with a missing
 * stretch), and lead times for the two bare-metal sites.
 *
 * - chi_tacc: a known gap of total (Nova) 2023-02-01 .. 2023-02-15;
 * - chi_uc: reservable covered from 2023-03-01 (configured start);
 * - kvm_tacc: everything covered from 2023-06-01; on-demand use on non-reservable hosts.
 */
import { baseCountTypes, hostStateCountTypes, type BaseCountType, type CountType } from '../lib/CountType';
import { coverageOf, type CountCoverage, type KnownGap } from '../lib/Coverage';
import * as T from '../lib/Time';
import type { LeadTimeRow, UsageRow } from '../lib/UsageRow';
import type { UtilizationRow } from '../lib/Utilization';

export const START = T.unsafeMillis(Date.UTC(2023, 0, 1));
export const END = T.unsafeMillis(Date.UTC(2024, 6, 1));
const STEP = 12 * T.HOUR;
const SPLIT_START = Date.UTC(2023, 9, 1);

export const SITES = ['chi_uc', 'chi_tacc', 'kvm_tacc'] as const;

/** A deterministic generator (mulberry32). */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

type Base = Record<BaseCountType, number>;

const profile = {
  chi_uc: { seed: 1, total: 90, notReservable: 6, load: 0.55, ondemand: 0 },
  chi_tacc: { seed: 2, total: 130, notReservable: 10, load: 0.7, ondemand: 0 },
  kvm_tacc: { seed: 3, total: 40, notReservable: 28, load: 0.4, ondemand: 0.6 },
} as const;

const derived = (b: Base, pool: boolean): Record<CountType, number> => ({
  ...b,
  occupied: b.occupied_reserved + b.occupied_ondemand,
  idle: b.committed - b.occupied_reserved,
  stopped: b.stopped_reserved + b.stopped_ondemand,
  active: b.occupied_reserved + b.occupied_ondemand - b.stopped_reserved - b.stopped_ondemand,
  ondemand_capacity: b.total - b.reservable,
  available_ondemand: b.total - b.reservable - b.occupied_ondemand,
  unusable: b.reservable_unusable - b.committed_unusable - b.ops_unusable,
  available: b.reservable - b.committed - b.ops - (b.reservable_unusable - b.committed_unusable - b.ops_unusable),
  maintenance: (pool ? b.ops : b.total - b.reservable + b.ops) + b.reservable_unusable - b.committed_unusable - b.ops_unusable,
});

/** The base counts of a site at each 12-hour step. */
const baseSeries = (site: (typeof SITES)[number]): ReadonlyArray<{ t: number; b: Base }> => {
  const p = profile[site];
  const r = rng(p.seed);
  const out: Array<{ t: number; b: Base }> = [];
  let total: number = p.total;
  let committed = 0;
  for (let t: number = START; t < END; t += STEP) {
    if (r() < 0.01) total += Math.round((r() - 0.3) * 8);
    const reservable = total - p.notReservable - (r() < 0.05 ? 3 : 0);
    const season = 0.75 + 0.25 * Math.sin(((t - START) / (365 * T.DAY)) * 2 * Math.PI);
    const target = Math.round(reservable * p.load * season);
    committed = Math.max(0, Math.min(reservable - 2, committed + Math.round((target - committed) * 0.3 + (r() - 0.5) * 6)));
    const ops = r() < 0.03 ? 2 : 0;
    const occupiedReserved = Math.round(committed * (0.6 + 0.3 * r()));
    const ondemand = Math.round((total - reservable) * p.ondemand * (0.7 + 0.3 * r()));
    const stoppedReserved = occupiedReserved - Math.round(occupiedReserved * (0.7 + 0.3 * r()));
    const stoppedOndemand = ondemand - Math.round(ondemand * (0.5 + 0.5 * r()));
    // the host-state split (section 15) on CHI@TACC from its audit tables' start
    const split = site === 'chi_tacc' && t >= SPLIT_START;
    const reservableUnusable = split ? (r() < 0.3 ? 4 : 2) : 0;
    const committedUnusable = split ? Math.min(1, committed) : 0;
    out.push({
      t,
      b: {
        total,
        reservable,
        committed,
        ops,
        occupied_reserved: occupiedReserved,
        occupied_ondemand: ondemand,
        stopped_reserved: stoppedReserved,
        stopped_ondemand: stoppedOndemand,
        reservable_usable: split ? reservable - reservableUnusable : 0,
        reservable_unusable: reservableUnusable,
        committed_usable: split ? committed - committedUnusable : 0,
        committed_unusable: committedUnusable,
        ops_unusable: 0,
        total_unusable: split ? reservableUnusable : 0,
      },
    });
  }
  return out;
};

const coverageInput = (site: (typeof SITES)[number]) => {
  const configStart: Partial<Record<BaseCountType, T.Millis>> = {};
  const knownGaps: KnownGap[] = [];
  if (site === 'chi_tacc') knownGaps.push({ countTypes: ['total'], start: T.unsafeMillis(Date.UTC(2023, 1, 1)), end: T.unsafeMillis(Date.UTC(2023, 1, 15)), note: 'lost Nova rows' });
  if (site === 'chi_uc') configStart.reservable = T.unsafeMillis(Date.UTC(2023, 2, 1));
  const split = new Set<string>(hostStateCountTypes);
  if (site === 'kvm_tacc') for (const ct of baseCountTypes) if (!split.has(ct)) configStart[ct] = T.unsafeMillis(Date.UTC(2023, 5, 1));
  // the host-state split is covered on CHI@TACC only, from its audit tables' start
  if (site === 'chi_tacc') for (const ct of hostStateCountTypes) configStart[ct] = T.unsafeMillis(SPLIT_START);
  return { window: [START, END] as const, earliest: {}, sourceRead: Object.fromEntries(baseCountTypes.map((c) => [c, site === 'chi_tacc' || !split.has(c)])), configStart, knownGaps };
};

/** The coverage of a site, as `Report.coverage` holds it. */
export const coverageFor = (site: (typeof SITES)[number]): Readonly<Record<BaseCountType, CountCoverage>> => {
  const of = coverageOf(coverageInput(site));
  return Object.fromEntries(baseCountTypes.map((ct) => [ct, of(ct)])) as Record<BaseCountType, CountCoverage>;
};

const inputs: Readonly<Record<CountType, ReadonlyArray<BaseCountType>>> = {
  total: ['total'],
  reservable: ['reservable'],
  committed: ['committed'],
  ops: ['ops'],
  occupied_reserved: ['occupied_reserved'],
  occupied_ondemand: ['occupied_ondemand'],
  occupied: ['occupied_reserved', 'occupied_ondemand'],
  available: ['reservable', 'committed', 'ops'],
  idle: ['committed', 'occupied_reserved'],
  maintenance: ['total', 'reservable', 'ops'],
  stopped_reserved: ['stopped_reserved'],
  stopped_ondemand: ['stopped_ondemand'],
  stopped: ['stopped_reserved', 'stopped_ondemand'],
  active: ['occupied_reserved', 'occupied_ondemand', 'stopped_reserved', 'stopped_ondemand'],
  ondemand_capacity: ['total', 'reservable'],
  available_ondemand: ['total', 'reservable', 'occupied_ondemand'],
  reservable_usable: ['reservable_usable'],
  reservable_unusable: ['reservable_unusable'],
  committed_usable: ['committed_usable'],
  committed_unusable: ['committed_unusable'],
  ops_unusable: ['ops_unusable'],
  total_unusable: ['total_unusable'],
  unusable: ['reservable_unusable', 'committed_unusable', 'ops_unusable'],
};

const covered = (cov: Readonly<Record<BaseCountType, CountCoverage>>, ct: CountType, t: number): boolean =>
  inputs[ct].every((b) => cov[b].covered.some(([s, e]) => s <= t && t < e));

/** The usage rows of the three sites: `new` at change points where covered, `legacy` daily. */
export const usageRows = (): ReadonlyArray<UsageRow> => {
  const rows: UsageRow[] = [];
  for (const site of SITES) {
    const cov = coverageFor(site);
    const series = baseSeries(site);
    const cts = Object.keys(inputs) as CountType[];
    const pool = site === 'kvm_tacc';
    for (const ct of cts) {
      if (!pool && (ct === 'ondemand_capacity' || ct === 'available_ondemand')) continue;
      let last: number | null = null;
      // A row at the start of each covered span and at each change inside (all on the 12-hour grid).
      for (const { t, b } of series) {
        if (!covered(cov, ct, t)) {
          last = null;
          continue;
        }
        const v = derived(b, pool)[ct];
        if (v !== last) rows.push({ site, timestamp: T.toIso(T.unsafeMillis(t)), collector_type: 'new', count_type: ct, value_type: 'nodes', value: v });
        last = v;
      }
    }
    if (site === 'kvm_tacc') continue;
    const r = rng(profile[site].seed + 100);
    for (let day: number = START; day < END; day += T.DAY) {
      if (day >= Date.UTC(2023, 8, 10) && day < Date.UTC(2023, 8, 20)) continue; // legacy cache missing
      const noon = series.find((x) => x.t === day + STEP) ?? series[0];
      const d = derived(noon.b, false);
      const jitter = 1 + (r() - 0.5) * 0.06;
      const legacy: Partial<Record<CountType, number>> = {
        total: d.total,
        reservable: d.reservable,
        committed: Math.round(d.committed * jitter * 10) / 10,
        occupied: Math.round(d.occupied * jitter * 10) / 10,
        idle: Math.round(d.idle * jitter * 10) / 10,
        maintenance: d.total - d.reservable,
      };
      legacy.available = (legacy.reservable ?? 0) - (legacy.committed ?? 0);
      for (const [ct, v] of Object.entries(legacy)) rows.push({ site, timestamp: T.toIso(T.unsafeMillis(day)), collector_type: 'legacy', count_type: ct as CountType, value_type: 'nodes', value: v });
    }
  }
  return rows;
};

/** Lead times of leases on the two bare-metal sites. */
export const leadTimeRows = (): ReadonlyArray<LeadTimeRow> => {
  const rows: LeadTimeRow[] = [];
  const nodeTypes = ['compute_skylake', 'compute_cascadelake_r', 'gpu_rtx_6000', 'storage_nvme'];
  for (const site of ['chi_uc', 'chi_tacc']) {
    const r = rng(site.length * 7);
    for (let i = 0; i < 400; i++) {
      const created = START + Math.floor(r() * (END - START) / T.MINUTE) * T.MINUTE;
      const nodeType = nodeTypes[Math.floor(r() * r() * nodeTypes.length)];
      const requested = r() < 0.4 ? (r() - 0.3) * 0.05 : Math.exp(r() * 7 - 1);
      const effective = requested + (r() < 0.8 ? r() * 0.02 : r() * 5);
      const timestamp = T.toIso(T.unsafeMillis(created));
      rows.push({ site, timestamp, leadtime_type: 'requested', value: requested, node_type: nodeType });
      rows.push({ site, timestamp, leadtime_type: 'effective', value: effective, node_type: nodeType });
    }
  }
  return rows;
};

/**
 * Utilization rows of the three sites from the same base series, split between two node types
 * (`compute`, 60 %, and `gpu_a100`, 40 %) and `all`: daily and monthly means of the 12-hour steps
 * (each step holds 12 hours, so the mean of a day's or month's steps is its hours-weighted mean).
 */
export const utilizationRows = (): { readonly monthly: ReadonlyArray<UtilizationRow>; readonly daily: ReadonlyArray<UtilizationRow> } => {
  const shares = [
    ['all', 1],
    ['compute', 0.6],
    ['gpu_a100', 0.4],
  ] as const;
  const make = (site: string, period: string, nt: string, bs: ReadonlyArray<Base>, pool: boolean): UtilizationRow => {
    const share = shares.find((s) => s[0] === nt)?.[1] ?? 1;
    const mean = (f: (b: Base) => number) => (share * bs.reduce((n, b) => n + f(b), 0)) / bs.length;
    const reservable = mean((b) => b.reservable);
    const committed = mean((b) => b.committed);
    const reserved = mean((b) => b.occupied_reserved);
    const occupied = mean((b) => b.occupied_reserved + b.occupied_ondemand);
    const active = mean((b) => b.occupied_reserved + b.occupied_ondemand - b.stopped_reserved - b.stopped_ondemand);
    const capacity = mean((b) => b.total - b.reservable);
    const pct = (x: number, y: number) => (y === 0 ? null : (100 * x) / y);
    const row: UtilizationRow = {
      site,
      period,
      node_type: nt,
      value_type: 'nodes',
      reservable,
      committed,
      occupied,
      active,
      committed_pct: pct(committed, reservable),
      occupied_pct: pct(reserved, reservable),
      active_pct: pct(active, occupied),
    };
    return pool ? { ...row, ondemand_pct: pct(mean((b) => b.occupied_ondemand), capacity) } : row;
  };
  const monthly: UtilizationRow[] = [];
  const daily: UtilizationRow[] = [];
  for (const site of SITES) {
    const pool = site === 'kvm_tacc';
    const byDay = new Map<string, Base[]>();
    const byMonth = new Map<string, Base[]>();
    for (const { t, b } of baseSeries(site)) {
      const iso = new Date(t).toISOString();
      for (const [m, k] of [
        [byDay, iso.slice(0, 10)],
        [byMonth, iso.slice(0, 7)],
      ] as const) {
        const list = m.get(k) ?? [];
        list.push(b);
        m.set(k, list);
      }
    }
    for (const [nt] of shares) {
      for (const [d, bs] of byDay) daily.push(make(site, d, nt, bs, pool));
      for (const [m, bs] of byMonth) monthly.push(make(site, m, nt, bs, pool));
    }
  }
  return { monthly, daily };
};
