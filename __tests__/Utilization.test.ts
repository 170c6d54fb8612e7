import fc from 'fast-check';
import { baseCountTypes, type BaseCountType } from '../lib/CountType';
import { coverageOf, type CountCoverage, type KnownGap } from '../lib/Coverage';
import type { Counts } from '../lib/Counts';
import * as SF from '../lib/StepFunction';
import * as T from '../lib/Time';
import type { SiteCounts } from '../lib/Timeline';
import { buckets, utilization } from '../lib/Utilization';

const JAN = Date.UTC(2024, 0, 1);
const FEB = Date.UTC(2024, 1, 1);
const MAR = Date.UTC(2024, 2, 1);
const H = T.HOUR;

const coverage = (gaps: ReadonlyArray<KnownGap> = []): Readonly<Record<BaseCountType, CountCoverage>> => {
  const of = coverageOf({ window: [T.unsafeMillis(JAN), T.unsafeMillis(MAR)], earliest: {}, sourceRead: Object.fromEntries(baseCountTypes.map((c) => [c, true])), configStart: {}, knownGaps: gaps });
  return Object.fromEntries(baseCountTypes.map((c) => [c, of(c)])) as Record<BaseCountType, CountCoverage>;
};

const site = (series: ReadonlyArray<readonly [BaseCountType, string, ReadonlyArray<readonly [number, number]>]>, extra: Partial<SiteCounts> = {}): SiteCounts => ({
  site: 's',
  counts: series.map(([ct, nt, pts]) => ({ key: { site: 's', countType: ct, valueType: 'nodes', group: { node_type: nt } }, steps: SF.fromPoints(pts) })) as Counts,
  coverage: coverage(),
  legacy: [],
  ...extra,
});

const monthly = utilization({ start: T.unsafeMillis(JAN), end: T.unsafeMillis(MAR), bucket: 'month' });

describe('utilization', () => {
  it('gives hours-weighted monthly means and percentages per node type and for the whole site', () => {
    const half = JAN + 31 * 12 * H;
    const rows = monthly([
      site([
        ['reservable', 'a', [[JAN, 2]]],
        ['committed', 'a', [[JAN, 0], [half, 1]]],
        ['occupied_reserved', 'a', [[half, 1]]],
        // running for 186 hours, then stopped
        ['stopped_reserved', 'a', [[half + 31 * 6 * H, 1]]],
        ['reservable', 'gpu_b', [[JAN, 1]]],
      ]),
    ]);
    const jan = (nt: string) => rows.find((r) => r.period === '2024-01' && r.node_type === nt);
    expect(jan('a')).toMatchObject({ reservable: 2, committed: 0.5, occupied: 0.5, active: 0.25, committed_pct: 25, occupied_pct: 25, active_pct: 50 });
    expect(jan('all')).toMatchObject({ reservable: 3, committed: 0.5, committed_pct: (100 * 0.5) / 3 });
    // nothing used in a node type: 0, not empty; no occupied: active_pct empty
    expect(jan('gpu_b')).toMatchObject({ committed: 0, committed_pct: 0, active_pct: null });
    expect(jan('a')?.ondemand_pct).toBeUndefined();
    expect(rows.map((r) => [r.node_type, r.period])).toEqual([
      ['all', '2024-01'],
      ['all', '2024-02'],
      ['a', '2024-01'],
      ['a', '2024-02'],
      ['gpu_b', '2024-01'],
      ['gpu_b', '2024-02'],
    ]);
  });

  it('counts only covered hours, leaves a month with no covered hour empty, and a zero denominator empty', () => {
    const gap: KnownGap = { countTypes: ['committed'], start: T.unsafeMillis(JAN), end: T.unsafeMillis(JAN + 10 * T.DAY), note: 'lost' };
    const whole: KnownGap = { countTypes: ['reservable'], start: T.unsafeMillis(FEB), end: T.unsafeMillis(MAR), note: 'lost' };
    const rows = monthly([site([['reservable', 'a', [[JAN, 4]]], ['committed', 'a', [[JAN, 4], [JAN + 10 * T.DAY, 1]]]], { coverage: coverage([gap, whole]) })]);
    const [jan, feb] = rows.filter((r) => r.node_type === 'a');
    expect(jan.committed).toBe(1);
    expect(jan.committed_pct).toBe(25);
    expect(feb.reservable).toBeNull();
    expect(feb.committed).toBe(1);
    expect(feb.committed_pct).toBeNull();
    const none = monthly([site([['committed', 'a', [[JAN, 1]]]])]);
    expect(none.find((r) => r.node_type === 'a')?.committed_pct).toBeNull();
  });

  it('gives the on-demand pool use on a pool site only', () => {
    const rows = monthly([site([['total', 'x', [[JAN, 4]]], ['reservable', 'x', [[JAN, 2]]], ['occupied_ondemand', 'x', [[JAN, 1]]]], { ondemandPool: true })]);
    expect(rows.find((r) => r.node_type === 'x')?.ondemand_pct).toBe(50);
  });

  it('agrees with a naive hour-by-hour mean and keeps every percentage of a nonnegative stack in [0, 100] when committed <= reservable', () => {
    const arb = fc.array(fc.tuple(fc.integer({ min: 0, max: 59 * 24 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })), { minLength: 1, maxLength: 10 });
    fc.assert(
      fc.property(arb, (pts) => {
        const sorted = [...pts].sort((a, b) => a[0] - b[0]);
        const res: Array<readonly [number, number]> = sorted.map(([h, r]) => [JAN + h * H, r + 5]);
        const com: Array<readonly [number, number]> = sorted.map(([h, , c]) => [JAN + h * H, c]);
        const rows = monthly([site([['reservable', 'a', res], ['committed', 'a', com]])]).filter((r) => r.node_type === 'a');
        const valueAt = (ps: ReadonlyArray<readonly [number, number]>, t: number) => {
          let v = 0;
          for (const [x, y] of ps) if (x <= t) v = y;
          return v;
        };
        for (const [from, to, label] of buckets(T.unsafeMillis(JAN), T.unsafeMillis(MAR), 'month')) {
          let r = 0;
          let c = 0;
          let n = 0;
          for (let t: number = from; t < to; t += H) {
            r += valueAt(res, t);
            c += valueAt(com, t);
            n++;
          }
          const row = rows.find((x) => x.period === label);
          expect(row?.reservable).toBeCloseTo(r / n, 9);
          expect(row?.committed).toBeCloseTo(c / n, 9);
          if (r === 0) expect(row?.committed_pct).toBeNull();
          else {
            expect(row?.committed_pct).toBeCloseTo((100 * c) / r, 9);
            expect(row?.committed_pct).toBeGreaterThanOrEqual(0);
            expect(row?.committed_pct).toBeLessThanOrEqual(100);
          }
        }
      }),
    );
  });
});
