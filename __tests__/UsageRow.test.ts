import fc from 'fast-check';
import * as E from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import * as T from '../lib/Time';
import { derivedCountTypes, baseCountTypes } from '../lib/CountType';
import * as U from '../lib/UsageRow';

const row = {
  site: 'chi_tacc',
  timestamp: '2024-01-01T00:00:00Z',
  collector_type: 'new',
  count_type: 'total',
  value_type: 'nodes',
  value: 12.5,
};
const left = <A>(e: E.Either<ReadonlyArray<string>, A>): ReadonlyArray<string> => (E.isLeft(e) ? e.left : []);

describe('UsageRow', () => {
  it('lists the usage columns in order, with group columns only when grouped', () => {
    const base = ['site', 'timestamp', 'collector_type', 'count_type', 'value_type', 'value'];
    expect(U.usageColumns([])).toEqual(base);
    expect(U.usageColumns(['node_type'])).toEqual([...base, 'node_type']);
    expect(U.usageColumns(['hypervisor_hostname', 'node_type'])).toEqual([...base, 'node_type', 'hypervisor_hostname']);
  });

  it('accepts a valid ungrouped row and returns it unchanged', () => {
    expect(U.validateRows([])([row])).toEqual(E.right([row]));
  });

  it('rejects an extra column and names it', () => {
    expect(left(U.validateRows([])([{ ...row, note: 'x' }]))).toEqual(["row 0: extra column 'note'"]);
  });

  it('rejects a group column when not grouped by it', () => {
    expect(left(U.validateRows([])([{ ...row, node_type: 'compute_haswell' }]))).toEqual(["row 0: extra column 'node_type'"]);
  });

  it('rejects a missing column and names it', () => {
    const { value_type: _drop, ...missing } = row;
    expect(left(U.validateRows([])([missing]))).toEqual(["row 0: missing column 'value_type'"]);
  });

  it('requires the grouped columns when grouped', () => {
    expect(left(U.validateRows(['node_type', 'hypervisor_hostname'])([{ ...row, node_type: 'gpu_a100' }]))).toEqual([
      "row 0: missing column 'hypervisor_hostname'",
    ]);
    const grouped = { ...row, node_type: 'gpu_a100', hypervisor_hostname: 'c01' };
    expect(U.validateRows(['node_type', 'hypervisor_hostname'])([grouped])).toEqual(E.right([grouped]));
  });

  it('rejects a second row with the same key even when the value differs', () => {
    const errs = left(U.validateRows([])([row, { ...row, count_type: 'reservable' }, { ...row, value: 3 }]));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^row 2: duplicate key \(site=chi_tacc, timestamp=2024-01-01T00:00:00Z, collector_type=new, count_type=total, value_type=nodes\) first seen at row 0$/);
  });

  it('keeps rows apart that differ only in a group column or the collector', () => {
    const a = { ...row, node_type: 'a' };
    const b = { ...row, node_type: 'b' };
    expect(E.isRight(U.validateRows(['node_type'])([a, b, { ...a, collector_type: 'legacy' }]))).toBe(true);
    expect(E.isLeft(U.validateRows(['node_type'])([a, b, { ...a }]))).toBe(true);
  });

  it.each([
    ['2024-01-01 00:00:00'],
    ['2024-01-01T00:00:00'],
    ['2024-01-01T00:00:00+00:00'],
    ['2024-01-01T00:00:00.000Z'],
    ['2024-02-30T00:00:00Z'],
    ['2024-01-01'],
    [''],
  ])('rejects the non-canonical or impossible timestamp %p', (ts) => {
    const errs = left(U.validateRows([])([{ ...row, timestamp: ts }]));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^row 0: column timestamp: expected ISO-8601 UTC/);
  });

  // Years 1-99 are left out: Time.fromIso reads them through Date.UTC, which maps 0-99 to 1900-1999.
  it('accepts exactly the text Time.toIso prints', () => {
    const d2 = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((n) => String(n).padStart(2, '0'));
    const text = fc
      .tuple(fc.integer({ min: 100, max: 9999 }), d2(0, 13), d2(0, 32), d2(0, 24), d2(0, 60), d2(0, 60), fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }))
      .map(([y, mo, d, h, mi, s, ms]) => `${String(y).padStart(4, '0')}-${mo}-${d}T${h}:${mi}:${s}${ms === undefined ? '' : `.${String(ms).padStart(3, '0')}`}Z`);
    const roundTrips = (s: string) => O.exists((m: T.Millis) => T.toIso(m) === s)(T.fromIso(s));
    fc.assert(fc.property(text, (s) => U.IsoTimestamp.is(s) === roundTrips(s)));
    const instant = fc
      .date({ min: new Date('0100-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true })
      .map((d) => T.unsafeMillis(d.getTime()));
    fc.assert(fc.property(instant, (t) => U.IsoTimestamp.is(T.toIso(t))));
  });

  it('accepts milliseconds in a timestamp only when they are not zero', () => {
    expect(E.isRight(U.validateRows([])([{ ...row, timestamp: '2024-01-01T00:00:00.250Z' }]))).toBe(true);
  });

  it('rejects unknown enum values, non-finite values and an empty site', () => {
    const errs = left(
      U.validateRows([])([
        { ...row, collector_type: 'old' },
        { ...row, count_type: 'used' },
        { ...row, value_type: 'cores' },
        { ...row, value: Number.NaN },
        { ...row, value: Infinity },
        { ...row, value: '3' },
        { ...row, site: '' },
      ]),
    );
    expect(errs.map((e) => e.slice(0, e.indexOf(':', 6)))).toEqual([
      'row 0: column collector_type',
      'row 1: column count_type',
      'row 2: column value_type',
      'row 3: column value',
      'row 4: column value',
      'row 5: column value',
      'row 6: column site',
    ]);
  });

  it('accepts every base and derived count type, including ops', () => {
    const all = [...baseCountTypes, ...derivedCountTypes];
    expect([...U.outputCountTypes].sort()).toEqual([...all].sort());
    const rows = all.map((c) => ({ ...row, count_type: c }));
    expect(E.isRight(U.validateRows([])(rows))).toBe(true);
  });

  it('rejects rows that are not objects', () => {
    expect(left(U.validateRows([])([null, [1], 'x']))).toEqual([
      'row 0: expected an object, got null',
      'row 1: expected an object, got [1]',
      'row 2: expected an object, got "x"',
    ]);
  });

  it('caps the error list at 100 messages and counts the rest', () => {
    const bad = Array.from({ length: 150 }, () => ({ ...row, extra: 1 }));
    const errs = left(U.validateRows([])(bad));
    expect(errs).toHaveLength(101);
    expect(errs[100]).toBe('... and 50 more errors');
  });
});

describe('LeadTimeRow', () => {
  const lt = { site: 'chi_uc', timestamp: '2024-03-01T12:34:56Z', leadtime_type: 'requested', value: -0.01 };

  it('lists its columns, with node_type only when grouped', () => {
    expect(U.leadTimeColumns([])).toEqual(['site', 'timestamp', 'leadtime_type', 'value']);
    expect(U.leadTimeColumns(['node_type'])).toEqual(['site', 'timestamp', 'leadtime_type', 'value', 'node_type']);
  });

  it('accepts requested and effective rows at the same instant, and rejects a duplicate', () => {
    const ok = [lt, { ...lt, leadtime_type: 'effective' }];
    expect(U.validateLeadTimeRows([])(ok)).toEqual(E.right(ok));
    expect(left(U.validateLeadTimeRows([])([...ok, { ...lt, value: 5 }]))).toHaveLength(1);
  });

  it('rejects an unknown lead-time type and an extra column', () => {
    expect(left(U.validateLeadTimeRows([])([{ ...lt, leadtime_type: 'projected' }]))[0]).toMatch(/^row 0: column leadtime_type/);
    expect(left(U.validateLeadTimeRows([])([{ ...lt, node_type: 'x' }]))).toEqual(["row 0: extra column 'node_type'"]);
  });
});

describe('DailyRow', () => {
  const counts = Object.fromEntries(U.outputCountTypes.map((c) => [c, null])) as Record<(typeof U.outputCountTypes)[number], number | null>;
  const day = { timestamp: '2024-01-01T00:00:00Z', site: 'chi_tacc', value_type: 'nodes', ...counts, total: 10, reservable: 8 };

  it('lists timestamp, site, value_type, then one column per count type, then group columns', () => {
    expect(U.dailyColumns(['node_type'])).toEqual(['timestamp', 'site', 'value_type', ...U.outputCountTypes, 'node_type']);
  });

  it('accepts null for a count type not covered that day', () => {
    expect(E.isRight(U.validateDailyRows([])([day]))).toBe(true);
  });

  it('rejects a timestamp that is not a day at midnight UTC, and a missing count column', () => {
    expect(left(U.validateDailyRows([])([{ ...day, timestamp: '2024-01-01T06:00:00Z' }]))[0]).toMatch(/^row 0: column timestamp: expected a day/);
    const { idle: _drop, ...noIdle } = day;
    expect(left(U.validateDailyRows([])([noIdle]))).toEqual(["row 0: missing column 'idle'"]);
  });
});
