/**
 * Lead time, pure: per lease (requested, effective, why effective is missing), the timeline with
 * same-second averaging, the monthly statistics and the audit.
 */
import fc from 'fast-check';
import * as Ei from 'fp-ts/Either';
import { actualStart, isNegative, leadTime, leadTimes, monthlyStats, statColumns, timelineRows, type LeaseFact, type LeaseLeadTime } from '../lib/LeadTime';
import * as T from '../lib/Time';
import { leadTimeColumns, validateLeadTimeRows } from '../lib/UsageRow';

const at = (s: string): T.Millis => {
  const m = T.fromIso(s);
  if (m._tag === 'None') throw new Error(`bad date ${s}`);
  return m.value;
};

const fact = (over: Partial<LeaseFact> = {}): LeaseFact => ({
  site: 'chi_uc',
  lease_id: 'l1',
  project_id: 'p1',
  node_types: ['compute_skylake'],
  operator: false,
  created_at: at('2024-02-01T00:00:00Z'),
  start_date: at('2024-02-03T00:00:00Z'),
  end_date: at('2024-02-04T00:00:00Z'),
  deleted_at: null,
  start_status: 'DONE',
  start_updated_at: at('2024-02-03T00:00:36Z'),
  start_time: at('2024-02-03T00:00:00Z'),
  start_deleted_at: null,
  ...over,
});

const window = { start: at('2024-01-01T00:00:00Z'), end: at('2025-01-01T00:00:00Z') };

/** A lease deleted at 2024-02-04 12:00 after its start, its DONE start event soft-deleted with it. */
const deletedAfterStart = (startUpdated: string, over: Partial<LeaseFact> = {}): LeaseFact =>
  fact({ deleted_at: at('2024-02-04T12:00:00Z'), start_updated_at: at(startUpdated), start_deleted_at: at('2024-02-04T12:00:00Z'), ...over });

// -------------------------------------------------------------------------------------
// per lease
// -------------------------------------------------------------------------------------

describe('leadTime of one lease', () => {
  it('gives an advance booking its requested and effective lead time in hours', () => {
    expect(leadTime(fact())).toMatchObject({ requested_hours: 48, effective_hours: 48.01, actual_start: at('2024-02-03T00:00:36Z'), missing_effective: null });
  });

  it('gives a lease started "now" a lead time in (-1 min, 0], not counted as negative', () => {
    const l = leadTime(fact({ created_at: at('2024-02-01T10:00:42Z'), start_date: at('2024-02-01T10:00:00Z'), start_updated_at: at('2024-02-01T10:00:45Z') }));
    expect(l.requested_hours).toBeCloseTo(-42 / 3600, 12);
    expect(l.requested_hours).toBeGreaterThan(-1 / 60);
    expect(l.requested_hours).toBeLessThanOrEqual(0);
    expect(isNegative(l.requested_hours)).toBe(false);
    expect(l.effective_hours).toBeCloseTo(3 / 3600, 12);
  });

  it('counts a lead time of exactly -1 min as negative, and -59 s not', () => {
    expect(isNegative(-60 / 3600)).toBe(true);
    expect(isNegative(-59 / 3600)).toBe(false);
  });

  it('takes the moved start of an updated lease as requested and the start event as effective', () => {
    // created Feb 1 for Feb 3, moved on Feb 2 to Feb 5 12:00: only the last start_date is stored
    const l = leadTime(fact({ start_date: at('2024-02-05T12:00:00Z'), start_updated_at: at('2024-02-05T12:00:18Z') }));
    expect(l).toMatchObject({ requested_hours: 108, effective_hours: 108.005 });
  });

  it.each([
    ['start_error', 'its start event is ERROR', { start_status: 'ERROR', start_updated_at: at('2024-02-03T00:00:05Z') }],
    ['start_error', 'its start event is ERROR and it was deleted', { start_status: 'ERROR', deleted_at: at('2024-02-03T01:00:00Z') }],
    ['deleted_before_start', 'it was deleted with its start event UNDONE', { start_status: 'UNDONE', start_updated_at: null, deleted_at: at('2024-02-02T00:00:00Z') }],
    ['deleted_before_start', 'it was deleted without a start event', { start_status: null, start_updated_at: null, deleted_at: at('2024-02-02T00:00:00Z') }],
    ['no_start_event', 'it has no start event', { start_status: null, start_updated_at: null }],
    ['start_time_missing', 'its start event is DONE without updated_at', { start_status: 'DONE', start_updated_at: null }],
    ['start_pending', 'its start event is UNDONE', { start_status: 'UNDONE', start_updated_at: null }],
    ['start_pending', 'its start event is IN_PROGRESS', { start_status: 'IN_PROGRESS', start_updated_at: at('2024-02-03T00:00:01Z') }],
  ] as const)('gives no effective lead time, for reason %s, when %s', (reason, _when, over) => {
    const l = leadTime(fact(over as Partial<LeaseFact>));
    expect(l).toMatchObject({ effective_hours: null, actual_start: null, missing_effective: reason, requested_hours: 48 });
    expect(actualStart(fact(over as Partial<LeaseFact>))).toEqual({ _tag: 'missing', reason });
  });

  it('keeps the effective lead time of a lease that started and was deleted later', () => {
    expect(leadTime(fact({ deleted_at: at('2024-02-03T05:00:00Z') })).effective_hours).toBe(48.01);
  });
});

describe('leadTime of a lease deleted after its start (rules v2, section 9)', () => {
  it('takes the start event time when the deletion stamped the event (updated_at = deleted_at)', () => {
    expect(leadTime(deletedAfterStart('2024-02-04T12:00:00Z'))).toMatchObject({
      actual_start: at('2024-02-03T00:00:00Z'),
      effective_hours: 48,
      effective_from_schedule: true,
      missing_effective: null,
    });
  });

  it('counts an updated_at at deleted_at - 1 s as the deletion stamp, and one earlier as a real start', () => {
    expect(leadTime(deletedAfterStart('2024-02-04T11:59:59Z'))).toMatchObject({ actual_start: at('2024-02-03T00:00:00Z'), effective_from_schedule: true });
    expect(leadTime(deletedAfterStart('2024-02-04T11:59:58.999Z'))).toMatchObject({ actual_start: at('2024-02-04T11:59:58.999Z'), effective_from_schedule: false });
    expect(leadTime(deletedAfterStart('2024-02-04T12:00:03Z'))).toMatchObject({ actual_start: at('2024-02-03T00:00:00Z'), effective_from_schedule: true });
  });

  it('keeps the updated_at of a live start event, whatever the lease deletion', () => {
    expect(leadTime(deletedAfterStart('2024-02-04T12:00:00Z', { start_deleted_at: null }))).toMatchObject({ actual_start: at('2024-02-04T12:00:00Z'), effective_from_schedule: false });
  });

  it('gives no effective lead time (start_time_missing) when the deletion stamped the event and its time is not recorded', () => {
    const l = leadTime(deletedAfterStart('2024-02-04T12:00:00Z', { start_time: null }));
    expect(l).toMatchObject({ actual_start: null, effective_hours: null, missing_effective: 'start_time_missing', effective_from_schedule: false });
  });

  it('ignores the soft delete of a start event that is not DONE', () => {
    expect(leadTime(deletedAfterStart('2024-02-04T12:00:00Z', { start_status: 'ERROR' })).missing_effective).toBe('start_error');
    expect(leadTime(deletedAfterStart('2024-02-04T12:00:00Z', { start_status: 'UNDONE' })).missing_effective).toBe('deleted_before_start');
  });

  it('counts the leases started from their schedule in the audit, among those with an effective lead time', () => {
    const r = leadTimes({ ...window, groupBy: [] })([
      fact(),
      deletedAfterStart('2024-02-04T12:00:00Z', { lease_id: 'd1' }),
      deletedAfterStart('2024-02-04T11:59:59Z', { lease_id: 'd2' }),
      deletedAfterStart('2024-02-04T09:00:00Z', { lease_id: 'd3' }),
    ]);
    expect(r.audit[0]).toMatchObject({ leases_reported: 4, with_effective: 4, effective_from_schedule: 2 });
  });
});

// -------------------------------------------------------------------------------------
// timeline
// -------------------------------------------------------------------------------------

const lt = (over: Partial<LeaseFact> = {}): LeaseLeadTime => leadTime(fact(over));

describe('timelineRows', () => {
  it('averages two leases created in the same second into one row per type and counts the merge', () => {
    const a = lt({ lease_id: 'a', created_at: at('2024-02-03T08:00:00Z'), start_date: at('2024-02-03T09:00:00Z'), start_updated_at: at('2024-02-03T09:00:00Z') });
    const b = lt({ lease_id: 'b', created_at: T.unsafeMillis(at('2024-02-03T08:00:00Z') + 400), start_date: at('2024-02-03T11:00:00Z'), start_status: 'ERROR' });
    const { rows, merged } = timelineRows([])([a, b]);
    expect(rows).toEqual([
      { site: 'chi_uc', timestamp: '2024-02-03T08:00:00Z', leadtime_type: 'requested', value: (1 + (3 - 0.4 / 3600)) / 2 },
      { site: 'chi_uc', timestamp: '2024-02-03T08:00:00Z', leadtime_type: 'effective', value: 1 },
    ]);
    expect(merged.get('chi_uc')).toBe(1);
  });

  it('keeps leases of the same second apart when they hold different node types', () => {
    const a = lt({ lease_id: 'a', node_types: ['compute_skylake'] });
    const b = lt({ lease_id: 'b', node_types: ['gpu_p100'], start_date: at('2024-02-02T00:00:00Z') });
    const { rows, merged } = timelineRows(['node_type'])([a, b]);
    expect(rows.filter((r) => r.leadtime_type === 'requested').map((r) => [r.node_type, r.value])).toEqual([
      ['compute_skylake', 48],
      ['gpu_p100', 24],
    ]);
    expect(merged.get('chi_uc')).toBeUndefined();
  });

  it('counts a lease in each node type it holds, and a lease without hosts under none', () => {
    const { rows } = timelineRows(['node_type'])([lt({ node_types: ['compute_skylake', 'gpu_p100'] }), lt({ lease_id: 'n', node_types: [], created_at: at('2024-02-01T00:00:01Z') })]);
    expect(rows.filter((r) => r.leadtime_type === 'requested').map((r) => r.node_type)).toEqual(['compute_skylake', 'gpu_p100', 'none']);
  });

  it('writes rows with exactly the schema columns, and no node_type when not grouped', () => {
    const leases = [lt(), lt({ lease_id: 'x', node_types: ['gpu_p100'] })];
    for (const g of [[], ['node_type']] as const) {
      const { rows } = timelineRows(g)(leases);
      expect(Ei.isRight(validateLeadTimeRows(g)(rows))).toBe(true);
      for (const r of rows) expect(Object.keys(r)).toEqual(leadTimeColumns(g));
    }
  });
});

// -------------------------------------------------------------------------------------
// statistics
// -------------------------------------------------------------------------------------

describe('monthlyStats', () => {
  it('gives count, median, p90 by linear interpolation (R-7) and the share within an hour', () => {
    const leases = [0.5, 2, 10].map((h, i) =>
      lt({ lease_id: `l${i}`, start_date: T.unsafeMillis(at('2024-02-01T00:00:00Z') + h * T.HOUR), start_status: 'UNDONE', start_updated_at: null }),
    );
    expect(monthlyStats([])(leases)).toEqual([
      { site: 'chi_uc', month: '2024-02-01T00:00:00Z', leadtime_type: 'requested', count: 3, median_hours: 2, p90_hours: 8.4, share_within_1h: 1 / 3 },
      { site: 'chi_uc', month: '2024-02-01T00:00:00Z', leadtime_type: 'effective', count: 0, median_hours: null, p90_hours: null, share_within_1h: null },
    ]);
  });

  it('splits by UTC month of created_at and by node type, with the stat columns in order', () => {
    const stats = monthlyStats(['node_type'])([lt(), lt({ lease_id: 'm', created_at: at('2024-02-29T23:59:59Z'), node_types: ['gpu_p100'] }), lt({ lease_id: 'n', created_at: at('2024-03-01T00:00:00Z') })]);
    expect(stats.map((s) => [s.month.slice(0, 7), s.leadtime_type, s.node_type, s.count])).toEqual([
      ['2024-02', 'requested', 'compute_skylake', 1],
      ['2024-02', 'requested', 'gpu_p100', 1],
      ['2024-02', 'effective', 'compute_skylake', 1],
      ['2024-02', 'effective', 'gpu_p100', 1],
      ['2024-03', 'requested', 'compute_skylake', 1],
      ['2024-03', 'effective', 'compute_skylake', 1],
    ]);
    for (const s of stats) expect(Object.keys(s)).toEqual(statColumns(['node_type']));
  });
});

// -------------------------------------------------------------------------------------
// the whole fold
// -------------------------------------------------------------------------------------

describe('leadTimes', () => {
  it('excludes operator leases and leases created outside the window, and counts them', () => {
    const r = leadTimes({ ...window, groupBy: [] })([
      fact(),
      fact({ lease_id: 'op', operator: true }),
      fact({ lease_id: 'old', created_at: at('2023-12-31T23:59:59Z') }),
      fact({ lease_id: 'err', start_status: 'ERROR' }),
      fact({ lease_id: 'neg', start_date: at('2024-01-31T23:58:00Z'), start_updated_at: at('2024-01-31T23:58:30Z') }),
    ]);
    expect(r.leases.map((l) => l.lease_id)).toEqual(['l1', 'err', 'neg']);
    expect(r.audit).toEqual([
      {
        site: 'chi_uc',
        leases_seen: 5,
        excluded: { operator: 1, outside_window: 1 },
        leases_reported: 3,
        with_effective: 2,
        effective_from_schedule: 0,
        missing_effective_by_reason: { start_error: 1 },
        negative_lead_time: { requested: 1, effective: 1 },
        timeline_rows: 2,
        merged_rows: 3,
      },
    ]);
  });

  it('lists a site with no lease in the audit when it is named', () => {
    expect(leadTimes({ ...window, groupBy: [], sites: ['empty'] })([]).audit.map((a) => [a.site, a.leases_seen])).toEqual([['empty', 0]]);
  });
});

// -------------------------------------------------------------------------------------
// properties
// -------------------------------------------------------------------------------------

const BASE = at('2024-01-01T00:00:00Z');

/** What is fixed when a lease is created. */
const creation = fc.record({
  site: fc.constantFrom('chi_uc', 'chi_tacc'),
  lease_id: fc.uuid(),
  project_id: fc.option(fc.constantFrom('p1', 'p2'), { nil: null }),
  node_types: fc.subarray(['compute_skylake', 'gpu_p100', 'storage']),
  operator: fc.boolean(),
  // within a few days, mostly whole seconds, some with milliseconds, many sharing a second
  created: fc.oneof(fc.integer({ min: 0, max: 20 }).map((s) => s * T.SECOND), fc.integer({ min: 0, max: 5 * T.DAY })),
  requestedMs: fc.integer({ min: -2 * T.MINUTE, max: 30 * T.DAY }),
});

/** What happens after: the start event, a deletion, the planned end. */
const outcome = fc.record({
  start_status: fc.constantFrom(null, 'UNDONE', 'IN_PROGRESS', 'DONE', 'ERROR'),
  startDelay: fc.option(fc.integer({ min: -T.HOUR, max: 2 * T.DAY }), { nil: null }),
  deletedAfter: fc.option(fc.integer({ min: 0, max: 40 * T.DAY }), { nil: null }),
  durationMs: fc.option(fc.integer({ min: 0, max: 10 * T.DAY }), { nil: null }),
});

type Creation = typeof creation extends fc.Arbitrary<infer C> ? C : never;
type Outcome = typeof outcome extends fc.Arbitrary<infer X> ? X : never;

const build = (c: Creation, o: Outcome, i: number): LeaseFact => {
  const created_at = T.unsafeMillis(BASE + c.created);
  const start_date = T.unsafeMillis(created_at + c.requestedMs);
  return {
    site: c.site,
    lease_id: `${c.lease_id}-${i}`,
    project_id: c.project_id,
    node_types: [...c.node_types].sort(),
    operator: c.operator,
    created_at,
    start_date,
    end_date: o.durationMs === null ? null : T.unsafeMillis(start_date + o.durationMs),
    deleted_at: o.deletedAfter === null ? null : T.unsafeMillis(created_at + o.deletedAfter),
    start_status: o.start_status,
    start_updated_at: o.startDelay === null ? null : T.unsafeMillis(start_date + o.startDelay),
    start_time: start_date,
    start_deleted_at: null,
  };
};

/** Fisher-Yates with a small seeded generator (a copy; the input is not touched). */
const shuffle = <A>(xs: ReadonlyArray<A>, seed: number): ReadonlyArray<A> => {
  const out = [...xs];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
};

const leasesArb = fc.array(fc.tuple(creation, outcome, outcome), { maxLength: 40 });
const groupings = fc.constantFrom<ReadonlyArray<'node_type'>>([], ['node_type']);

describe('lead-time properties', () => {
  it('requested lead time never depends on what happened after the lease was created', () => {
    fc.assert(
      fc.property(leasesArb, groupings, (xs, g) => {
        const one = xs.map(([c, o], i) => build(c, o, i));
        const other = xs.map(([c, , o], i) => build(c, o, i));
        for (let i = 0; i < one.length; i++) expect(leadTime(one[i]).requested_hours).toBe(leadTime(other[i]).requested_hours);
        const requested = (fs: ReadonlyArray<LeaseFact>) => leadTimes({ ...window, groupBy: g })(fs).rows.filter((r) => r.leadtime_type === 'requested');
        expect(requested(other)).toEqual(requested(one));
      }),
    );
  });

  it('gives rows that validate against the exact schema, one per key, whatever the input order', () => {
    fc.assert(
      fc.property(leasesArb, groupings, fc.integer(), (xs, g, seed) => {
        const facts = xs.map(([c, o], i) => build(c, o, i));
        const rows = leadTimes({ ...window, groupBy: g })(facts).rows;
        expect(validateLeadTimeRows(g)(rows)).toEqual(Ei.right(rows));
        const shuffled = shuffle(facts, seed);
        const again = leadTimes({ ...window, groupBy: g })(shuffled).rows;
        expect(again.length).toBe(rows.length);
        for (let i = 0; i < rows.length; i++) {
          expect({ ...again[i], value: 0 }).toEqual({ ...rows[i], value: 0 });
          expect(again[i].value).toBeCloseTo(rows[i].value, 9);
        }
      }),
    );
  });

  it('accounts for every lease and every value: seen = excluded + reported, values = rows + merged', () => {
    fc.assert(
      fc.property(leasesArb, groupings, (xs, g) => {
        const facts = xs.map(([c, o], i) => build(c, o, i));
        const r = leadTimes({ ...window, groupBy: g })(facts);
        for (const a of r.audit) {
          const mine = r.leases.filter((l) => l.site === a.site);
          const missing = Object.values(a.missing_effective_by_reason).reduce((n, x) => n + (x ?? 0), 0);
          expect(a.leases_seen).toBe(facts.filter((f) => f.site === a.site).length);
          expect(a.leases_seen).toBe(a.excluded.operator + a.excluded.outside_window + a.leases_reported);
          expect(a.leases_reported).toBe(a.with_effective + missing);
          const width = (l: LeaseLeadTime) => (g.length === 0 ? 1 : Math.max(1, l.node_types.length));
          const values = mine.reduce((n, l) => n + width(l) * (l.effective_hours === null ? 1 : 2), 0);
          expect(values).toBe(a.timeline_rows + a.merged_rows);
        }
      }),
    );
  });
});
