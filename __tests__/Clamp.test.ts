import fc from 'fast-check';
import * as O from 'fp-ts/Option';
import { clamp, standardRules, type ClampKey, type ClampResult, type ClampTag } from '../lib/Clamp';

/** Keys are texts or pairs of texts. */
const sameKey = (a: ClampKey, b: ClampKey): boolean =>
  typeof a === 'string' || typeof b === 'string' ? a === b : a[0] === b[0] && a[1] === b[1];
import type { BaseCountType } from '../lib/CountType';
import type { Interval } from '../lib/Interval';
import * as T from '../lib/Time';
import { at, BASE, clampIntervals, coverageStarts, interval } from './arbitraries.intervals';

const HORIZON = at(1000);
const hoursOf = (t: number) => (t - BASE) / T.HOUR;

/** Coverage starts in hours: absent = covered from hour 0, `null` = not covered at all. */
const coverage =
  (starts: Readonly<Partial<Record<BaseCountType, number | null>>> = {}) =>
  (_site: string, ct: BaseCountType): O.Option<T.Millis> => {
    const s = starts[ct];
    return s === undefined ? O.some(at(0)) : s === null ? O.none : O.some(at(s));
  };

/** The same coverage as spans from the start on, as `clamp` takes it. */
const covered =
  (starts: Readonly<Partial<Record<BaseCountType, number | null>>> = {}) =>
  (site: string, ct: BaseCountType) =>
    O.match(
      () => [],
      (s: T.Millis) => [[s, T.unsafeMillis(Infinity)] as const],
    )(coverage(starts)(site, ct));

const run = (intervals: ReadonlyArray<Interval>, starts: Readonly<Partial<Record<BaseCountType, number | null>>> = {}, horizon = HORIZON): ClampResult =>
  clamp({ rules: standardRules, covered: covered(starts), horizon })(intervals);

const spansOf = (r: ClampResult, ct: BaseCountType) =>
  r.intervals.filter((i) => i.countType === ct).map((i) => [i.entityId, hoursOf(i.start), O.isSome(i.end) ? hoursOf(i.end.value) : null]);

const auditOf = (r: ClampResult, ct: BaseCountType) => r.audit.filter((e) => e.count_type === ct).map((e) => [e.action, e.rows, e.node_hours]);

const nova = (host: string, start: number, end: number | null) => interval('total', start, end, { hypervisor_hostname: host, row: `${host}-${start}` });
const blazar = (id: string, host: string, start: number, end: number | null, nodes = 1) =>
  interval('reservable', start, end, { entityId: id, hypervisor_hostname: host, nodes, row: `${id}-${start}` });
const allocation = (reservation: string, blazarHost: string, host: string, start: number, end: number | null, ct: BaseCountType = 'committed') =>
  interval(ct, start, end, { entityId: `${reservation}-${blazarHost}`, hypervisor_hostname: host, extra: { reservation_id: reservation, blazar_host_id: blazarHost } });
const reservedInstance = (id: string, reservation: string, host: string, start: number, end: number | null) =>
  interval('occupied_reserved', start, end, { entityId: id, hypervisor_hostname: host, extra: { reservation_id: reservation } });

describe('clamp, examples', () => {
  it('keeps a reservable host inside its Nova window unchanged and tags it none', () => {
    const r = run([nova('h0', 0, 100), blazar('b0', 'h0', 10, 50)]);
    expect(spansOf(r, 'reservable')).toEqual([['b0', 10, 50]]);
    expect(auditOf(r, 'reservable')).toEqual([['none', 1, 40]]);
  });

  it('clips a reservable host partly outside its Nova window and audits nodes x hours cut', () => {
    const r = run([nova('h0', 0, 100), blazar('b0', 'h0', 50, 150, 2)]);
    expect(spansOf(r, 'reservable')).toEqual([['b0', 50, 100]]);
    expect(auditOf(r, 'reservable')).toEqual([['clipped', 1, 2 * 50]]);
  });

  it('clips a reservable host at both ends and in a hole between two Nova windows', () => {
    const r = run([nova('h0', 10, 20), nova('h0', 30, 40), blazar('b0', 'h0', 0, 50)]);
    expect(spansOf(r, 'reservable')).toEqual([
      ['b0', 10, 20],
      ['b0', 30, 40],
    ]);
    expect(auditOf(r, 'reservable')).toEqual([['clipped', 1, 30]]);
  });

  it('drops a reservable host entirely outside its Nova window as an orphan', () => {
    const r = run([nova('h0', 0, 10), blazar('b0', 'h0', 20, 30, 3)]);
    expect(spansOf(r, 'reservable')).toEqual([]);
    expect(auditOf(r, 'reservable')).toEqual([['orphan', 1, 3 * 10]]);
  });

  it('matches a reservable host to Nova by hypervisor_hostname, not by entity id', () => {
    const r = run([nova('h1', 0, 100), blazar('b0', 'h0', 10, 20)]);
    expect(spansOf(r, 'reservable')).toEqual([]);
    expect(auditOf(r, 'reservable')).toEqual([['orphan', 1, 10]]);
  });

  it('keeps a reservable host before the coverage start of total unchecked', () => {
    const r = run([nova('h0', 60, 100), blazar('b0', 'h0', 20, 40)], { total: 50 });
    expect(spansOf(r, 'reservable')).toEqual([['b0', 20, 40]]);
    expect(auditOf(r, 'reservable')).toEqual([['parent_not_covered', 1, 20]]);
  });

  it('keeps a reservable host straddling the coverage start of total as one piece joined at the coverage start', () => {
    // unchecked [20, 50), checked [50, 80) inside Nova's [0, 100): one piece [20, 80)
    const r = run([nova('h0', 0, 100), blazar('b0', 'h0', 20, 80)], { total: 50 });
    expect(spansOf(r, 'reservable')).toEqual([['b0', 20, 80]]);
    expect(r.intervals.filter((i) => i.countType === 'reservable')[0].events).toBe(2);
    // the audit counts the node-hours left unchecked (before the coverage start)
    expect(auditOf(r, 'reservable')).toEqual([['parent_not_covered', 1, 30]]);
  });

  it('clips the checked part of a straddling host and keeps its unchecked part', () => {
    const r = run([nova('h0', 60, 100), blazar('b0', 'h0', 20, 80)], { total: 50 });
    expect(spansOf(r, 'reservable')).toEqual([
      ['b0', 20, 50],
      ['b0', 60, 80],
    ]);
    expect(auditOf(r, 'reservable')).toEqual([['clipped', 1, 10]]);
  });

  it('keeps every reservable host unchecked when total is not covered at all', () => {
    const r = run([blazar('b0', 'h0', 20, 80)], { total: null });
    expect(spansOf(r, 'reservable')).toEqual([['b0', 20, 80]]);
    expect(auditOf(r, 'reservable')).toEqual([['parent_not_covered', 1, 60]]);
  });

  it('keeps a committed allocation whose host row is gone whole as host_unknown', () => {
    const lost = interval('committed', 10, 30, { entityId: 'r0-b9', hypervisor_hostname: 'unknown', extra: { reservation_id: 'r0', blazar_host_id: 'b9', host_unknown: '1' } });
    const r = run([nova('h0', 0, 100), blazar('b0', 'h0', 0, 100), lost]);
    expect(spansOf(r, 'committed')).toEqual([['r0-b9', 10, 30]]);
    expect(auditOf(r, 'committed')).toEqual([['host_unknown', 1, 20]]);
  });

  it('clips committed and ops allocations to the reservable window of their Blazar host', () => {
    const r = run([nova('h0', 0, 100), blazar('b0', 'h0', 0, 50), allocation('r0', 'b0', 'h0', 40, 60), allocation('r1', 'b0', 'h0', 45, 70, 'ops')]);
    expect(spansOf(r, 'committed')).toEqual([['r0-b0', 40, 50]]);
    expect(spansOf(r, 'ops')).toEqual([['r1-b0', 45, 50]]);
    expect(auditOf(r, 'committed')).toEqual([['clipped', 1, 10]]);
    expect(auditOf(r, 'ops')).toEqual([['clipped', 1, 20]]);
  });

  it('matches occupied_reserved to committed on (reservation_id, hypervisor_hostname)', () => {
    const r = run([
      nova('h0', 0, 100),
      nova('h1', 0, 100),
      blazar('b0', 'h0', 0, 100),
      blazar('b1', 'h1', 0, 100),
      allocation('r0', 'b0', 'h0', 10, 50),
      allocation('r1', 'b1', 'h1', 0, 100),
      reservedInstance('i1', 'r0', 'h0', 0, 60), // its reservation on its host: clipped to [10, 50)
      reservedInstance('i2', 'r0', 'h1', 20, 30), // r0 holds nothing on h1 (r1 does): orphan
      reservedInstance('i3', 'r1', 'h1', 20, 30), // inside: none
    ]);
    expect(spansOf(r, 'occupied_reserved')).toEqual([
      ['i1', 10, 50],
      ['i3', 20, 30],
    ]);
    expect(auditOf(r, 'occupied_reserved')).toEqual([
      ['clipped', 1, 20],
      ['none', 1, 10],
      ['orphan', 1, 10],
    ]);
  });

  it('cascades: committed is clipped by the reservable window as already clipped by total', () => {
    const r = run([nova('h0', 0, 50), blazar('b0', 'h0', 0, 100), allocation('r0', 'b0', 'h0', 40, 80)]);
    expect(spansOf(r, 'reservable')).toEqual([['b0', 0, 50]]);
    expect(spansOf(r, 'committed')).toEqual([['r0-b0', 40, 50]]);
    expect(auditOf(r, 'reservable')).toEqual([['clipped', 1, 50]]);
    expect(auditOf(r, 'committed')).toEqual([['clipped', 1, 30]]);
  });

  it('keeps an open-ended host open when its parent is open too', () => {
    const r = run([nova('h0', 0, null), blazar('b0', 'h0', 10, null)]);
    expect(spansOf(r, 'reservable')).toEqual([['b0', 10, null]]);
    expect(auditOf(r, 'reservable')).toEqual([['none', 1, 990]]);
  });

  it('cuts an open-ended host at its parent end and counts the node-hours removed up to the horizon', () => {
    const r = run([nova('h0', 0, 100), blazar('b0', 'h0', 10, null)]);
    expect(spansOf(r, 'reservable')).toEqual([['b0', 10, 100]]);
    expect(auditOf(r, 'reservable')).toEqual([['clipped', 1, 900]]);
  });

  // regression: a cut used to be found by comparing lengths, which are both Infinity here
  it('tags an open-ended host cut at the start by a later open-ended parent as clipped', () => {
    const r = run([nova('h0', 50, null), blazar('b0', 'h0', 0, null)]);
    expect(spansOf(r, 'reservable')).toEqual([['b0', 50, null]]);
    expect(auditOf(r, 'reservable')).toEqual([['clipped', 1, 50]]);
  });

  it('keeps unchecked the part of a child inside a known gap of its parent, and cuts elsewhere', () => {
    // total covered from hour 0 except a known gap [50, 60)
    const gap = () => [[at(0), at(50)] as const, [at(60), T.unsafeMillis(Infinity)] as const];
    const r = clamp({ rules: standardRules, covered: gap, horizon: HORIZON })([nova('h0', 0, 45), blazar('b0', 'h0', 40, 70)]);
    expect(spansOf(r, 'reservable')).toEqual([
      ['b0', 40, 45],
      ['b0', 50, 60],
    ]);
    // checked: [40, 50) and [60, 70) = 20 h, kept 5 h of it
    expect(auditOf(r, 'reservable')).toEqual([['clipped', 1, 15]]);
  });

  it('passes intervals of count types no rule names through untouched and unaudited', () => {
    const ondemand = interval('occupied_ondemand', 0, 500, { entityId: 'i9', hypervisor_hostname: 'h7' });
    const total = nova('h0', 0, 100);
    const r = run([ondemand, total]);
    expect(r.intervals).toEqual([ondemand, total]); // sorted by start, then count type
    expect(r.audit.map((e) => e.count_type)).toEqual([]);
  });

  it('does not mutate its input', () => {
    const input = [nova('h0', 0, 100), blazar('b0', 'h0', 50, 150)];
    const copy = JSON.parse(JSON.stringify(input));
    run(input);
    expect(JSON.parse(JSON.stringify(input))).toEqual(copy);
  });
});

// -------------------------------------------------------------------------------------
// properties
// -------------------------------------------------------------------------------------

const scenario = fc.record({ intervals: clampIntervals(300), starts: coverageStarts, horizon: fc.integer({ min: 0, max: 400 }).map(at) });
const children: ReadonlyArray<BaseCountType> = [...new Set(standardRules.map((r) => r.child))];
const endOf = (i: Interval) => (O.isSome(i.end) ? i.end.value : Infinity);
const nodeHours = (horizon: number) => (is: ReadonlyArray<Interval>) =>
  is.reduce((s, i) => s + i.quantities.nodes * Math.max(0, (Math.min(endOf(i), horizon) - i.start) / T.HOUR), 0);

/** Union of windows, sorted, touching windows joined. */
const union = (is: ReadonlyArray<Interval>): Array<[number, number]> => {
  const ws = is.map((i): [number, number] => [i.start, endOf(i)]).sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const w of ws) {
    const last = out[out.length - 1];
    if (last !== undefined && w[0] <= last[1]) last[1] = Math.max(last[1], w[1]);
    else out.push([w[0], w[1]]);
  }
  return out;
};

describe('clamp, properties', () => {
  it('gives every child interval exactly one tag', () => {
    fc.assert(
      fc.property(scenario, ({ intervals, starts, horizon }) => {
        const r = run(intervals, starts, horizon);
        return children.every(
          (ct) => r.audit.filter((e) => e.count_type === ct).reduce((s, e) => s + e.rows, 0) === intervals.filter((i) => i.countType === ct).length,
        );
      }),
    );
  });

  it('never lets a clamped child extend outside its parent windows after the parent coverage start', () => {
    fc.assert(
      fc.property(scenario, ({ intervals, starts, horizon }) => {
        const r = run(intervals, starts, horizon);
        for (const rule of standardRules) {
          const c = O.getOrElse(() => Infinity)(coverage(starts)('chi_uc', rule.parent) as O.Option<number>);
          const parents = r.intervals.filter((i) => i.countType === rule.parent);
          for (const child of r.intervals.filter((i) => i.countType === rule.child)) {
            const key = rule.childKey(child);
            if (O.isNone(key)) continue;
            const from = Math.max(child.start, c);
            const to = endOf(child);
            if (to <= from) continue;
            const ws = union(parents.filter((p) => sameKey(rule.parentKey(p), key.value)));
            expect(ws.some(([s, e]) => s <= from && to <= e)).toBe(true);
          }
        }
      }),
    );
  });

  it('gives the same result from the standard rules\' column keys as from their functions', () => {
    const functionsOnly = standardRules.map((r) => ({ ...r, columns: undefined }));
    // keys the adapters rarely make: empty or missing reservation ids, unknown hosts, host_unknown 'true'
    const edge = fc
      .record({
        ct: fc.constantFrom<BaseCountType>('committed', 'occupied_reserved'),
        host: fc.constantFrom('h0', 'h1', 'unknown'),
        extra: fc.constantFrom<Record<string, string>>({}, { reservation_id: '' }, { reservation_id: 'r0' }, { reservation_id: 'r0', host_unknown: 'true' }, { blazar_host_id: 'b0' }, { reservation_id: '', blazar_host_id: 'b1' }),
        s: fc.integer({ min: 0, max: 40 }),
        len: fc.integer({ min: 1, max: 40 }),
        id: fc.integer({ min: 0, max: 9 }),
      })
      .map(({ ct, host, extra, s, len, id }) => interval(ct, s, s + len, { entityId: `x${id}`, hypervisor_hostname: host, extra }));
    fc.assert(
      fc.property(scenario, fc.array(edge, { maxLength: 6 }), ({ intervals: base, starts, horizon }, edges) => {
        const intervals = [...base, ...edges];
        const fast = run(intervals, starts, horizon);
        const slow = clamp({ rules: functionsOnly, covered: covered(starts), horizon })(intervals);
        expect(fast).toEqual(slow);
      }),
    );
  });

  it('is idempotent: clamping its output again changes nothing and cuts nothing', () => {
    const kept: ReadonlyArray<ClampTag> = ['none', 'parent_not_covered', 'host_unknown'];
    fc.assert(
      fc.property(scenario, ({ intervals, starts, horizon }) => {
        const once = run(intervals, starts, horizon);
        const twice = run(once.intervals, starts, horizon);
        expect(twice.intervals).toEqual(once.intervals);
        expect(twice.audit.filter((e) => !kept.includes(e.action))).toEqual([]);
      }),
    );
  });

  it('conserves node-hours of closed children: kept + removed == original', () => {
    // open children are closed at hour 301, past every generated instant
    const closed = scenario.map((s) => ({
      ...s,
      intervals: s.intervals.map((i) => (children.includes(i.countType) && O.isNone(i.end) ? { ...i, end: O.some(at(301)) } : i)),
    }));
    fc.assert(
      fc.property(closed, ({ intervals, starts, horizon }) => {
        const r = run(intervals, starts, horizon);
        for (const ct of children) {
          const original = nodeHours(horizon)(intervals.filter((i) => i.countType === ct));
          const kept = nodeHours(horizon)(r.intervals.filter((i) => i.countType === ct));
          const removed = r.audit.filter((e) => e.count_type === ct && (e.action === 'clipped' || e.action === 'orphan')).reduce((s, e) => s + e.node_hours, 0);
          expect(Math.abs(kept + removed - original)).toBeLessThan(1e-6);
        }
      }),
    );
  });

  it('conserves node-hours of all children, open-ended included: kept + removed == original', () => {
    fc.assert(
      fc.property(scenario, ({ intervals, starts, horizon }) => {
        const r = run(intervals, starts, horizon);
        for (const ct of children) {
          const original = nodeHours(horizon)(intervals.filter((i) => i.countType === ct));
          const kept = nodeHours(horizon)(r.intervals.filter((i) => i.countType === ct));
          const removed = r.audit.filter((e) => e.count_type === ct && (e.action === 'clipped' || e.action === 'orphan')).reduce((s, e) => s + e.node_hours, 0);
          expect(Math.abs(kept + removed - original)).toBeLessThan(1e-6);
        }
      }),
      // pinned: the seed fast-check first failed on (the bug shows in about 1 run in 80)
      { numRuns: 300, seed: -624878704 },
    );
  });
});
