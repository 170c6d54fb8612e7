/**
 * Generators of intervals, spans and legacy records for the clamping, coverage, legacy and
 * timeline tests. Valid by construction (house style 14): windows come from sorted unique
 * instants, spans are sorted and disjoint, bounds are passed down and nothing is filtered.
 */
import fc from 'fast-check';
import * as O from 'fp-ts/Option';
import type { BaseCountType } from '../lib/CountType';
import type { Span } from '../lib/Coverage';
import * as E from '../lib/Event';
import type { Interval } from '../lib/Interval';
import type { LegacyRecord } from '../lib/Legacy';
import * as Q from '../lib/Quantities';
import * as T from '../lib/Time';

/** Instants of the tests: hours after `BASE` (2024-01-01T00:00:00Z, a Monday). */
export const BASE = Date.UTC(2024, 0, 1);
export const at = (hours: number): T.Millis => T.unsafeMillis(BASE + hours * T.HOUR);

/** An interval with defaults; `end = null` is open-ended. Times in hours after `BASE`. */
export const interval = (
  countType: BaseCountType,
  start: number,
  end: number | null,
  over: Partial<{
    entityId: string;
    site: string;
    node_type: string;
    hypervisor_hostname: string;
    extra: Record<string, string>;
    nodes: number;
    vcpus: number;
    row: string;
  }> = {},
): Interval => ({
  entityId: over.entityId ?? over.hypervisor_hostname ?? 'a',
  countType,
  start: at(start),
  end: end === null ? O.none : O.some(at(end)),
  quantities: Q.make({ nodes: over.nodes ?? 1, vcpus: over.vcpus ?? 0 }),
  attributes: E.attributes({
    site: over.site ?? 'chi_uc',
    node_type: over.node_type ?? 'compute_haswell',
    hypervisor_hostname: over.hypervisor_hostname ?? 'unknown',
    extra: over.extra ?? {},
  }),
  source: { table: 'test.rows', id: over.row ?? '1' },
  events: end === null ? 1 : 2,
});

/** Disjoint, non-touching windows `[start, end)` (hours), sorted; the last may be open (`null`). */
export const windows = (maxHour: number, maxWindows = 3): fc.Arbitrary<ReadonlyArray<readonly [number, number | null]>> =>
  fc
    .record({
      instants: fc.uniqueArray(fc.integer({ min: 0, max: maxHour }), { minLength: 1, maxLength: 2 * maxWindows }),
      leaveOpen: fc.boolean(),
    })
    .map(({ instants, leaveOpen }) => {
      const ts = [...instants].sort((a, b) => a - b);
      const out: Array<readonly [number, number | null]> = [];
      for (let i = 0; i + 1 < ts.length; i += 2) out.push([ts[i], ts[i + 1]]);
      if (ts.length % 2 === 1 && leaveOpen) out.push([ts[ts.length - 1], null]);
      return out;
    });

/** One window `[start, end)` (hours) of positive length, maybe open. */
export const window = (maxHour: number): fc.Arbitrary<readonly [number, number | null]> =>
  fc
    .tuple(fc.integer({ min: 0, max: maxHour }), fc.option(fc.integer({ min: 1, max: maxHour }), { freq: 4 }))
    .map(([s, len]) => [s, len === null ? null : s + len] as const);

/** A node count: whole or a fraction (a KVM instance's share of its host). */
export const nodeCount: fc.Arbitrary<number> = fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 8 }).map((v) => v / 8));

// -------------------------------------------------------------------------------------
// clamping scenarios
// -------------------------------------------------------------------------------------

export const HOSTS = ['h0', 'h1', 'h2'] as const;
/** Blazar host ids; `b3` has no reservable row (its allocations are orphans or parent_not_covered). */
export const BLAZAR_HOSTS = ['b0', 'b1', 'b2', 'b3'] as const;
export const hostOfBlazar = (b: string): string => HOSTS[Number(b.slice(1)) % HOSTS.length];
export const RESERVATIONS = ['r0', 'r1'] as const;

/**
 * A site's intervals of every clamped count type, keyed the way the adapters key them:
 * total by hypervisor_hostname, reservable by Blazar host id (with its hostname), committed and
 * ops by (reservation, Blazar host) with `extra.blazar_host_id` (sometimes `host_unknown`),
 * occupied_reserved by instance with its reservation and hostname, occupied_ondemand unclamped.
 */
export const clampIntervals = (maxHour: number): fc.Arbitrary<ReadonlyArray<Interval>> => {
  const total = fc.tuple(...HOSTS.map((host) => windows(maxHour).map((ws) => ws.map(([s, e], k) => interval('total', s, e, { hypervisor_hostname: host, row: `${host}-${k}` })))));
  const reservable = fc.tuple(
    ...BLAZAR_HOSTS.slice(0, 3).map((b) =>
      windows(maxHour).map((ws) => ws.map(([s, e], k) => interval('reservable', s, e, { entityId: b, hypervisor_hostname: hostOfBlazar(b), row: `${b}-${k}` }))),
    ),
  );
  const allocation = fc
    .record({
      countType: fc.constantFrom<BaseCountType>('committed', 'committed', 'ops'),
      b: fc.constantFrom(...BLAZAR_HOSTS),
      r: fc.constantFrom(...RESERVATIONS),
      w: window(maxHour),
      unknown: fc.integer({ min: 0, max: 3 }).map((x) => x === 0),
      nodes: nodeCount,
    })
    .map(({ countType, b, r, w, unknown, nodes }) =>
      unknown
        ? interval(countType, w[0], w[1], { entityId: `${r}-${b}`, hypervisor_hostname: 'unknown', node_type: 'unknown', extra: { reservation_id: r, host_unknown: '1' }, nodes })
        : interval(countType, w[0], w[1], { entityId: `${r}-${b}`, hypervisor_hostname: hostOfBlazar(b), extra: { reservation_id: r, blazar_host_id: b }, nodes }),
    );
  const instance = fc
    .record({ ondemand: fc.boolean(), host: fc.constantFrom(...HOSTS), r: fc.constantFrom(...RESERVATIONS), w: window(maxHour), nodes: nodeCount, id: fc.integer({ min: 0, max: 99 }) })
    .map(({ ondemand, host, r, w, nodes, id }) =>
      ondemand
        ? interval('occupied_ondemand', w[0], w[1], { entityId: `i${id}`, hypervisor_hostname: host, nodes })
        : interval('occupied_reserved', w[0], w[1], { entityId: `i${id}`, hypervisor_hostname: host, extra: { reservation_id: r }, nodes }),
    );
  return fc
    .tuple(total, reservable, fc.array(allocation, { maxLength: 8 }), fc.array(instance, { maxLength: 8 }))
    .map(([t, r, a, i]) => [...t.flat(), ...r.flat(), ...a, ...i]);
};

/** Coverage starts (hours) per count type; `null`: not covered at all. */
export const coverageStarts: fc.Arbitrary<Readonly<Partial<Record<BaseCountType, number | null>>>> = fc.record({
  total: fc.option(fc.integer({ min: 0, max: 200 }), { freq: 3 }),
  reservable: fc.option(fc.integer({ min: 0, max: 200 }), { freq: 3 }),
  committed: fc.option(fc.integer({ min: 0, max: 200 }), { freq: 3 }),
});

// -------------------------------------------------------------------------------------
// spans
// -------------------------------------------------------------------------------------

/** Sorted, disjoint, non-empty spans (maybe touching) in `[0, max]`. */
export const spans = (max: number): fc.Arbitrary<ReadonlyArray<Span>> =>
  fc.uniqueArray(fc.integer({ min: 0, max }), { maxLength: 10 }).map((xs) => {
    const ts = [...xs].sort((a, b) => a - b);
    const out: Span[] = [];
    for (let i = 0; i + 1 < ts.length; i += 2) out.push([T.unsafeMillis(ts[i]), T.unsafeMillis(ts[i + 1])]);
    return out;
  });

/** A span `[a, b)` with `a <= b` in `[0, max]` (possibly empty). */
export const cut = (max: number): fc.Arbitrary<Span> =>
  fc.tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max })).map(([x, y]) => [T.unsafeMillis(Math.min(x, y)), T.unsafeMillis(Math.max(x, y))] as const);

// -------------------------------------------------------------------------------------
// legacy records
// -------------------------------------------------------------------------------------

/** A legacy cache row with defaults. Hours are per day; `day` counts days after `BASE`. */
export const legacyUsage = (
  day: number,
  node_type: string,
  hours: Partial<{ maint: number; reserved: number; used: number; idle: number; total: number }>,
  site = 'chi_uc',
): LegacyRecord => ({
  _tag: 'LegacyUsage',
  site,
  date: at(day * 24),
  node_type,
  maint_hours: hours.maint ?? 0,
  reserved_hours: hours.reserved ?? 0,
  used_hours: hours.used ?? 0,
  idle_hours: hours.idle ?? 0,
  total_hours: hours.total ?? 0,
  cnt: 0,
  source: { table: 'chameleon_usage.node_usage_report_cache', id: `${site}-${day}-${node_type}` },
});

export const legacyCount = (day: number, node_type: string, cnt: number, site = 'chi_uc'): LegacyRecord => ({
  _tag: 'LegacyCount',
  site,
  date: at(day * 24),
  node_type,
  maint_hours: 0,
  reserved_hours: 0,
  used_hours: 0,
  idle_hours: 0,
  total_hours: 0,
  cnt,
  source: { table: 'chameleon_usage.node_count_cache', id: `${site}-${day}-${node_type}` },
});

/**
 * Legacy rows of a few sites, days and node types; hours are quarters (exact in binary, so sums
 * do not depend on the order they are added in). At most one row per (table, site, day, type).
 */
export const legacyRecords: fc.Arbitrary<ReadonlyArray<LegacyRecord>> = fc
  .uniqueArray(
    fc.record({
      usage: fc.boolean(),
      site: fc.constantFrom('chi_tacc', 'chi_uc'),
      day: fc.integer({ min: 0, max: 40 }),
      node_type: fc.constantFrom('compute_haswell', 'gpu_a100', 'storage'),
      total: fc.integer({ min: 0, max: 24 * 16 }).map((x) => x / 4),
      split: fc.tuple(fc.nat(100), fc.nat(100), fc.nat(100)),
      cnt: fc.integer({ min: 0, max: 40 }),
    }),
    { selector: (r) => `${r.usage}|${r.site}|${r.day}|${r.node_type}`, maxLength: 30 },
  )
  .map((rs) =>
    rs.map((r) => {
      if (!r.usage) return legacyCount(r.day, r.node_type, r.cnt, r.site);
      const q = (k: number) => Math.floor((r.total * k) / 100 / 3 * 4) / 4;
      return legacyUsage(r.day, r.node_type, { total: r.total, maint: q(r.split[0]), reserved: q(r.split[1]), used: q(r.split[2]) }, r.site);
    }),
  );

// -------------------------------------------------------------------------------------
// timeline inputs
// -------------------------------------------------------------------------------------

const allBase: ReadonlyArray<BaseCountType> = ['total', 'reservable', 'committed', 'ops', 'occupied_reserved', 'occupied_ondemand'];

/** Intervals of every base count type over `[0, maxHour]` hours, a few entities each, two sites. */
export const timelineIntervals = (maxHour: number, maxEntities = 12): fc.Arbitrary<ReadonlyArray<Interval>> =>
  fc
    .array(
      fc.record({
        countType: fc.constantFrom(...allBase),
        site: fc.constantFrom('chi_tacc', 'chi_uc'),
        node_type: fc.constantFrom('compute_haswell', 'gpu_a100'),
        host: fc.constantFrom(...HOSTS),
        nodes: nodeCount,
        vcpus: fc.integer({ min: 0, max: 48 }),
        ws: windows(maxHour, 2),
      }),
      { maxLength: maxEntities },
    )
    .map((es) =>
      es.flatMap((e, k) =>
        e.ws.map(([s, end], n) =>
          interval(e.countType, s, end, { entityId: `e${k}`, site: e.site, node_type: e.node_type, hypervisor_hostname: e.host, nodes: e.nodes, vcpus: e.vcpus, row: `e${k}-${n}` }),
        ),
      ),
    );

/** Per base count type: a configured coverage start (hours, or none) and known gaps (hours). */
export interface CoverageSpec {
  readonly configStart: Readonly<Partial<Record<BaseCountType, number>>>;
  readonly knownGaps: ReadonlyArray<{ readonly countTypes: ReadonlyArray<BaseCountType>; readonly start: number; readonly end: number }>;
}

export const coverageSpec = (maxHour: number): fc.Arbitrary<CoverageSpec> =>
  fc.record({
    configStart: fc
      .array(fc.tuple(fc.constantFrom(...allBase), fc.integer({ min: -24, max: maxHour })), { maxLength: 3 })
      .map((xs) => Object.fromEntries(xs) as Partial<Record<BaseCountType, number>>),
    knownGaps: fc.array(
      fc.record({
        countTypes: fc.subarray([...allBase], { minLength: 1 }),
        start: fc.integer({ min: 0, max: maxHour }),
        len: fc.integer({ min: 1, max: Math.max(1, Math.floor(maxHour / 4)) }),
      }).map(({ countTypes, start, len }) => ({ countTypes, start, end: start + len })),
      { maxLength: 2 },
    ),
  });
