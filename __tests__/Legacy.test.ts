import fc from 'fast-check';
import { legacyDays, type LegacyDay } from '../lib/Legacy';
import * as T from '../lib/Time';
import { shuffled } from './arbitraries';
import { at, BASE, legacyCount, legacyRecords, legacyUsage } from './arbitraries.intervals';

const dayOf = (t: number) => (t - BASE) / T.DAY;
const flat = legacyDays({ byNodeType: false });
const grouped = legacyDays({ byNodeType: true });

// day 0: haswell 2 nodes (0.5 of them in maintenance), gpu 1 node
const haswell = legacyUsage(0, 'compute_haswell', { total: 48, maint: 12, reserved: 6, used: 18, idle: 6 });
const gpu = legacyUsage(0, 'gpu_a100', { total: 24, maint: 0, reserved: 12, used: 6, idle: 12 });

describe('legacyDays, examples', () => {
  it('maps a day of two node types onto the count types, summed and divided by 24', () => {
    const r = flat([haswell, gpu]);
    expect(r.days).toEqual([
      {
        site: 'chi_uc',
        day: at(0),
        values: { total: 3, reservable: 2.5, committed: 1.75, occupied: 1, idle: 0.75, available: 0.75, maintenance: 0.5 },
      },
    ]);
    expect(r.mismatches).toEqual([]);
  });

  it('keeps node types apart when grouped by node type', () => {
    const r = grouped([gpu, haswell]);
    expect(r.days).toEqual([
      {
        site: 'chi_uc',
        day: at(0),
        node_type: 'compute_haswell',
        values: { total: 2, reservable: 1.5, committed: 1, occupied: 0.75, idle: 0.25, available: 0.5, maintenance: 0.5 },
      },
      {
        site: 'chi_uc',
        day: at(0),
        node_type: 'gpu_a100',
        values: { total: 1, reservable: 1, committed: 0.75, occupied: 0.25, idle: 0.5, available: 0.25, maintenance: 0 },
      },
    ]);
  });

  it('takes total from node_count_cache where present, summed over node types', () => {
    const r = flat([haswell, gpu, legacyCount(0, 'compute_haswell', 2), legacyCount(0, 'gpu_a100', 1)]);
    expect(r.days[0].values.total).toBe(3);
    // the other count types still come from the usage cache
    expect(r.days[0].values.reservable).toBe(2.5);
  });

  it('overrides the usage total with the count and lists the day when they differ by more than 0.5 node', () => {
    const r = flat([legacyUsage(3, 'storage', { total: 54 }), legacyCount(3, 'storage', 3)]);
    expect(r.days.map((d) => [dayOf(d.day), d.values.total])).toEqual([[3, 3]]);
    expect(r.mismatches).toEqual([{ site: 'chi_uc', day: at(72), count_total: 3, usage_total: 2.25 }]);
  });

  it('does not list a day whose totals differ by exactly 0.5 node', () => {
    const r = flat([legacyUsage(3, 'storage', { total: 60 }), legacyCount(3, 'storage', 3)]);
    expect(r.days[0].values.total).toBe(3);
    expect(r.mismatches).toEqual([]);
  });

  it('lists a mismatch per node type when grouped', () => {
    const r = grouped([legacyUsage(1, 'storage', { total: 24 }), legacyCount(1, 'storage', 3), legacyUsage(1, 'gpu_a100', { total: 24 }), legacyCount(1, 'gpu_a100', 1)]);
    expect(r.mismatches).toEqual([{ site: 'chi_uc', day: at(24), node_type: 'storage', count_total: 3, usage_total: 1 }]);
  });

  it('gives only total on a day with a count and no usage', () => {
    const r = flat([legacyCount(5, 'compute_haswell', 7)]);
    expect(r.days).toEqual([{ site: 'chi_uc', day: at(120), values: { total: 7 } }]);
    expect(r.mismatches).toEqual([]);
  });

  it('sorts days by site, then day', () => {
    const r = flat([legacyCount(2, 'x', 1, 'chi_uc'), legacyCount(1, 'x', 1, 'chi_uc'), legacyCount(9, 'x', 1, 'chi_tacc')]);
    expect(r.days.map((d) => [d.site, dayOf(d.day)])).toEqual([
      ['chi_tacc', 9],
      ['chi_uc', 1],
      ['chi_uc', 2],
    ]);
  });
});

// -------------------------------------------------------------------------------------
// properties
// -------------------------------------------------------------------------------------

const order = (d: LegacyDay) => [d.site, d.node_type ?? '', d.day] as const;
const before = (a: LegacyDay, b: LegacyDay): boolean => {
  const [x, y] = [order(a), order(b)];
  return x[0] < y[0] || (x[0] === y[0] && (x[1] < y[1] || (x[1] === y[1] && x[2] < y[2])));
};

describe('legacyDays, properties', () => {
  it('returns days strictly sorted by site, node type and day (so one day per group)', () => {
    fc.assert(
      fc.property(legacyRecords, fc.boolean(), (rs, byNodeType) => {
        const { days } = legacyDays({ byNodeType })(rs);
        return days.every((d, k) => k === 0 || before(days[k - 1], d));
      }),
    );
  });

  it('does not depend on the order of the records', () => {
    fc.assert(
      fc.property(
        legacyRecords.chain((rs) => fc.tuple(fc.constant(rs), shuffled(rs))),
        fc.boolean(),
        ([a, b], byNodeType) => {
          expect(legacyDays({ byNodeType })(b)).toEqual(legacyDays({ byNodeType })(a));
        },
      ),
    );
  });

  it('sums the node types of the grouped days into the ungrouped ones', () => {
    fc.assert(
      fc.property(legacyRecords, (rs) => {
        const whole = flat(rs).days;
        const parts = grouped(rs).days;
        for (const d of whole) {
          const mine = parts.filter((p) => p.site === d.site && p.day === d.day);
          for (const [ct, v] of Object.entries(d.values)) {
            const sum = mine.reduce((s, p) => s + ((p.values as Record<string, number>)[ct] ?? 0), 0);
            // total mixes counts and usage hours per node type; every other value adds up
            if (ct !== 'total') expect(sum).toBeCloseTo(v, 9);
          }
        }
      }),
    );
  });
});
