/**
 * The codecs' fast paths (issue 8) against the codecs they replaced. The plain io-ts definitions
 * are kept here verbatim as the oracle. For generated values and rows (what the drivers return,
 * NULLs, Buffers, bigints, zero dates, a bad column, missing and extra properties, non-objects)
 * every codec decodes to the value its oracle decodes to (the input itself exactly when the
 * oracle returns the input), or fails with the same errors, rendered the same by
 * `describeErrors` and `failingColumn`; its `fast` agrees, and the input is left as it was.
 *
 * Row codecs that were intersections are now one struct (docs/decisions.md): their values are
 * checked against the intersection, their errors against the same columns in one `t.type`.
 */
import { inspect } from 'util';
import fc from 'fast-check';
import * as E from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import * as t from 'io-ts';
import { AllocationRow } from '../adapters/allocations';
import { CapabilityRow } from '../adapters/capabilities';
import * as C from '../adapters/codecs';
import { ComputehostRow } from '../adapters/computehosts';
import { ComputeNodeRow } from '../adapters/computeNodes';
import { ActionEvent } from '../adapters/instanceActions';
import { InstanceRow } from '../adapters/instances';
import { LeaseAllocation, LeaseHostPair, LeaseHostsRow } from '../adapters/leadTimes';
import { LeaseColumns } from '../adapters/leases';
import { CountRow, UsageRow } from '../adapters/legacy';
import * as T from '../lib/Time';

// -------------------------------------------------------------------------------------
// the oracle: adapters/codecs.ts and the row codecs before the fast paths, verbatim
// -------------------------------------------------------------------------------------

const OldUtcDate = new t.Type<T.Millis | null, string | null, unknown>(
  'UtcDate',
  (u): u is T.Millis | null => u === null || (typeof u === 'number' && Number.isInteger(u)),
  (u, c) => {
    if (u === null || u === undefined) return t.success(null);
    if (u instanceof Date) return t.success(O.toNullable(T.fromDate(u)));
    if (typeof u === 'string') return t.success(O.toNullable(T.fromIso(u)));
    if (typeof u === 'number') return t.success(O.toNullable(T.fromNumber(u)));
    return t.failure(u, c, 'expected a DATETIME (string, Date or epoch millis)');
  },
  (a) => (a === null ? null : T.toIso(a)),
);

const OldRequiredUtcDate = new t.Type<T.Millis, string, unknown>(
  'RequiredUtcDate',
  (u): u is T.Millis => typeof u === 'number' && Number.isInteger(u),
  (u, c) => {
    const d = OldUtcDate.validate(u, c);
    if (E.isLeft(d)) return d;
    return d.right === null ? t.failure(u, c, 'expected a valid date, got NULL or a zero date') : t.success(d.right);
  },
  (a) => T.toIso(a),
);

const OldInt = new t.Type<number, number, unknown>(
  'Int',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u),
  (u, c) => {
    const n = typeof u === 'bigint' ? Number(u) : typeof u === 'string' && /^-?\d+(\.0*)?$/.test(u.trim()) ? Number(u) : u;
    return typeof n === 'number' && Number.isSafeInteger(n) ? t.success(n) : t.failure(u, c, 'expected an integer');
  },
  t.identity,
);

const OldNum = new t.Type<number, number, unknown>(
  'Num',
  (u): u is number => typeof u === 'number' && Number.isFinite(u),
  (u, c) => {
    const n = typeof u === 'bigint' ? Number(u) : typeof u === 'string' && u.trim() !== '' ? Number(u) : u;
    return typeof n === 'number' && Number.isFinite(n) ? t.success(n) : t.failure(u, c, 'expected a number');
  },
  t.identity,
);

const OldBool = new t.Type<boolean, number, unknown>(
  'Bool',
  (u): u is boolean => typeof u === 'boolean',
  (u, c) => {
    if (typeof u === 'boolean') return t.success(u);
    if (u === 0 || u === '0' || u === 0n) return t.success(false);
    if (u === 1 || u === '1' || u === 1n) return t.success(true);
    return t.failure(u, c, 'expected a TINYINT(1) boolean');
  },
  (b) => (b ? 1 : 0),
);

const OldStr = new t.Type<string, string, unknown>(
  'Str',
  (u): u is string => typeof u === 'string',
  (u, c) => {
    if (typeof u === 'string') return t.success(u);
    if (Buffer.isBuffer(u)) return t.success(u.toString('utf8'));
    if ((typeof u === 'number' && Number.isFinite(u)) || typeof u === 'bigint') return t.success(String(u));
    return t.failure(u, c, 'expected text');
  },
  t.identity,
);

const oldNullable = <A, O>(c: t.Type<A, O, unknown>): t.Type<A | null, O | null, unknown> =>
  new t.Type<A | null, O | null, unknown>(
    `${c.name} | null`,
    (u): u is A | null => u === null || c.is(u),
    (u, ctx) => (u === null || u === undefined ? t.success(null) : c.validate(u, ctx)),
    (a) => (a === null ? null : c.encode(a)),
  );

const OldActionEvent = t.type({
  id: OldInt,
  event: OldStr,
  result: oldNullable(OldStr),
  start_time: OldUtcDate,
  host: oldNullable(OldStr),
});

const OldInstanceRow = t.type({
  id: OldInt,
  uuid: OldStr,
  created_at: OldUtcDate,
  launched_at: OldUtcDate,
  terminated_at: OldUtcDate,
  deleted_at: OldUtcDate,
  node: oldNullable(OldStr),
  vcpus: oldNullable(OldInt),
  memory_mb: oldNullable(OldInt),
  root_gb: oldNullable(OldInt),
  project_id: oldNullable(OldStr),
  power_state: oldNullable(OldInt),
  spec: oldNullable(OldStr),
  request_specs: t.keyof({ read: null, missing: null }),
  actions: t.readonlyArray(OldActionEvent),
});

const oldLeaseProps = {
  lease_id: oldNullable(OldStr),
  lease_name: oldNullable(OldStr),
  lease_project_id: oldNullable(OldStr),
  lease_created_at: OldUtcDate,
  lease_start_date: OldUtcDate,
  lease_end_date: OldUtcDate,
  lease_deleted_at: OldUtcDate,
  lease_start_status: oldNullable(OldStr),
  lease_start_updated_at: OldUtcDate,
  lease_start_time: OldUtcDate,
  lease_start_deleted: oldNullable(OldStr),
  lease_start_deleted_at: OldUtcDate,
};
const OldLeaseColumns = t.type(oldLeaseProps);

const oldAllocationProps = {
  id: OldStr,
  reservation_id: oldNullable(OldStr),
  compute_host_id: oldNullable(OldStr),
  r_id: oldNullable(OldStr),
  resource_type: oldNullable(OldStr),
  slot_vcpus: oldNullable(OldInt),
  slot_memory_mb: oldNullable(OldInt),
  slot_disk_gb: oldNullable(OldInt),
  group_position: OldInt,
  group_size: oldNullable(OldInt),
};
const OldAllocationRow = t.intersection([t.type(oldAllocationProps), OldLeaseColumns]);

const OldLeaseAllocation = t.type({
  reservation_id: OldStr,
  compute_host_id: OldStr,
  resource_type: oldNullable(OldStr),
  slots: OldInt,
  slot_vcpus: oldNullable(OldInt),
  slot_memory_mb: oldNullable(OldInt),
  slot_disk_gb: oldNullable(OldInt),
});
const oldHostIds = {
  lease_updated_at: OldUtcDate,
  host_ids: t.union([t.null, t.readonlyArray(OldStr)]),
  allocations: t.union([t.null, t.readonlyArray(OldLeaseAllocation)]),
};
const OldLeaseHostsRow = t.intersection([OldLeaseColumns, t.type(oldHostIds)]);

const OldPair = t.type({ lease_id: oldNullable(OldStr), compute_host_id: oldNullable(OldStr) });

const OldComputeNodeRow = t.type({
  id: OldInt,
  hypervisor_hostname: oldNullable(OldStr),
  hypervisor_type: oldNullable(OldStr),
  vcpus: OldInt,
  memory_mb: OldInt,
  local_gb: OldInt,
  created_at: OldUtcDate,
  updated_at: OldUtcDate,
  deleted_at: OldUtcDate,
  deleted: oldNullable(OldInt),
});

const OldComputehostRow = t.type({
  id: OldStr,
  hypervisor_hostname: oldNullable(OldStr),
  vcpus: OldInt,
  memory_mb: OldInt,
  local_gb: OldInt,
  created_at: OldUtcDate,
  updated_at: OldUtcDate,
  deleted_at: OldUtcDate,
  deleted: oldNullable(OldStr),
});

const OldCapabilityRow = t.type({
  id: OldStr,
  computehost_id: oldNullable(OldStr),
  name: OldStr,
  value: oldNullable(OldStr),
  created_at: OldUtcDate,
  updated_at: OldUtcDate,
});

const oldCommonProps = { date: OldUtcDate, node_type: oldNullable(OldStr) };
const oldIdProps = { id: oldNullable(OldStr) };
const OldCommon = t.intersection([t.type(oldCommonProps), t.partial(oldIdProps)]);
const oldHourProps = {
  maint_hours: oldNullable(OldNum),
  reserved_hours: oldNullable(OldNum),
  used_hours: oldNullable(OldNum),
  idle_hours: oldNullable(OldNum),
  total_hours: oldNullable(OldNum),
};
const OldUsageRow = t.intersection([OldCommon, t.type(oldHourProps)]);
const oldCntProps = { cnt: oldNullable(OldNum) };
const OldCountRow = t.intersection([OldCommon, t.type(oldCntProps)]);

// -------------------------------------------------------------------------------------
// arbitraries
// -------------------------------------------------------------------------------------

/** Anything a column might hold, or a driver might hand over instead of a row. */
const anything: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    undefined,
    '',
    ' ',
    'abc',
    '1.5',
    ' 7 ',
    '4.000',
    '-0',
    '1e3',
    '0x10',
    'NaN',
    'Infinity',
    '9007199254740993',
    '0',
    '1',
    '0000-00-00 00:00:00',
    '0000-00-00',
    '2024-02-30 00:00:00',
    '2024-01-01',
    ' 2024-01-01 00:00:00 ',
    '2024-01-01T00:00:00+05:00',
    '0050-01-01 00:00:00',
    'read',
    'missing',
    NaN,
    Infinity,
    -Infinity,
    -0,
    0,
    1,
    1.5,
    2 ** 53,
    8.64e15 + 1,
    true,
    false,
    0n,
    1n,
    2n ** 64n,
    new Date(NaN),
    new Date(0),
    Buffer.from('x'),
    Buffer.alloc(0),
    Symbol('s'),
    Object.create(null),
    {},
    [],
  ),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.bigInt(),
  fc.date({ noInvalidDate: false }),
  fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)),
  fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 3 }),
  fc.object({ maxDepth: 1, maxKeys: 3 }),
);

/** A DATETIME as MySQL and SQLite return it. */
const datetime = fc
  .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 19).replace('T', ' '));

const good: Record<string, fc.Arbitrary<unknown>> = {
  UtcDate: fc.oneof(
    { weight: 6, arbitrary: datetime },
    { weight: 1, arbitrary: fc.constantFrom('0000-00-00 00:00:00', '2024-02-30 12:00:00', '2024-01-01 00:00:00.123456', '2024-01-01T00:00:00Z') },
    { weight: 1, arbitrary: fc.date({ noInvalidDate: false }) },
    { weight: 1, arbitrary: fc.integer() },
  ),
  Int: fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.integer().map(String), fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }), fc.bigInt().map(String), fc.constantFrom('4.000', ' 7 ')),
  Num: fc.oneof(fc.double(), fc.double().map(String), fc.integer(), fc.integer().map(String)),
  Str: fc.oneof({ weight: 4, arbitrary: fc.string() }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)) }, { weight: 1, arbitrary: fc.integer() }),
  Bool: fc.constantFrom<unknown>(0, 1, '0', '1', true, false, 0n, 1n),
};
good.RequiredUtcDate = good.UtcDate;
good.unknown = anything;
good.undefined = fc.constant(undefined);

/** Values a column of codec `c` holds in a good row. */
const goodFor = (c: t.Mixed): fc.Arbitrary<unknown> => {
  if (c === LeaseHostsRow.props.host_ids) return fc.option(fc.array(good.Str, { maxLength: 3 }), { nil: null });
  if (c === LeaseHostsRow.props.allocations) return fc.option(fc.array(goodFor(LeaseAllocation), { maxLength: 3 }), { nil: null });
  if (c instanceof t.InterfaceType) return rowOf(c.props as t.Props);
  if (c instanceof t.ReadonlyArrayType) return fc.array(goodFor(c.type as t.Mixed), { maxLength: 3 });
  if (c instanceof t.KeyofType) return fc.constantFrom(...Object.keys(c.keys as object));
  const inner = c.name.endsWith(' | null') ? c.name.slice(0, -' | null'.length) : undefined;
  if (inner !== undefined) return fc.oneof(fc.constantFrom(null, undefined), good[inner]);
  if (good[c.name] === undefined) throw new Error(`no arbitrary for ${c.name}`);
  return good[c.name];
};

/**
 * A row of `props`: good values, sometimes a column or two replaced by anything, a column
 * missing, extra properties.
 */
const rowOf = (props: t.Props): fc.Arbitrary<Record<string, unknown>> => {
  const keys = Object.keys(props);
  return fc
    .record({
      values: fc.record(Object.fromEntries(keys.map((k) => [k, goodFor(props[k])]))),
      bad: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: fc.array(fc.tuple(fc.nat(), anything), { minLength: 1, maxLength: 2 }) }),
      missing: fc.oneof({ weight: 5, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }) }),
      extra: fc.oneof(fc.constant({}), fc.dictionary(fc.string().filter((k) => k !== '__proto__'), anything, { maxKeys: 3 })),
    })
    .map(({ values, bad, missing, extra }) => {
      const r: Record<string, unknown> = { ...extra, ...values };
      for (const [i, v] of bad) r[keys[i % keys.length]] = v;
      for (const i of missing) delete r[keys[i % keys.length]];
      return r;
    });
};

/** What a codec of rows is given: mostly rows, sometimes anything else. */
const inputFor = (c: t.InterfaceType<t.Props>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 10, arbitrary: rowOf(c.props) }, { weight: 1, arbitrary: anything });

// -------------------------------------------------------------------------------------
// the comparison
// -------------------------------------------------------------------------------------

const shown = (u: unknown): string => inspect(u, { depth: null, maxArrayLength: null, maxStringLength: null, showHidden: false });

/** An error as far as anyone can see it. */
const rendered = (errors: t.Errors) =>
  errors.map((e) => ({ value: e.value, message: e.message, context: e.context.map((x) => ({ key: x.key, type: x.type.name, actual: x.actual })) }));

/** `describeErrors` throws on a bigint it cannot print as JSON: then both must throw. */
const described = (errors: t.Errors): string => {
  try {
    return C.describeErrors(errors);
  } catch (e) {
    return `throws ${(e as Error).message}`;
  }
};

/**
 * `neu` decodes `u` as `old` does; where it fails, its errors are `errorsOf`'s (by default the
 * old codec's own). Its fast path agrees, and `u` is not changed.
 */
const expectSame = (neu: t.Mixed & C.Fast<unknown>, old: t.Mixed, errorsOf: t.Mixed = old) => (u: unknown) => {
  const before = shown(u);
  const n = neu.decode(u);
  const f = neu.fast(u);
  expect(shown(u)).toBe(before);
  const o = old.decode(u);
  if (E.isRight(o)) {
    expect(n).toStrictEqual(o);
    expect(f).toStrictEqual(o.right);
    expect(E.isRight(n) && n.right === u).toBe(o.right === u);
    expect(E.isRight(n) && neu.encode(n.right)).toStrictEqual(old.encode(o.right));
  } else {
    expect(f).toBe(C.FAIL);
    const e = errorsOf.decode(u);
    if (E.isRight(e) || E.isRight(n)) throw new Error(`decoded by one and not the other: ${shown(u)}`);
    expect(rendered(n.left)).toStrictEqual(rendered(e.left));
    expect(described(n.left)).toBe(described(e.left));
    expect(C.failingColumn(n.left)).toBe(C.failingColumn(e.left));
  }
  expect(neu.is(u)).toBe(old.is(u));
};

const runs = { numRuns: 300 };

// -------------------------------------------------------------------------------------
// tests
// -------------------------------------------------------------------------------------

describe('primitive codecs', () => {
  const pairs: ReadonlyArray<readonly [string, t.Mixed & C.Fast<unknown>, t.Mixed]> = [
    ['UtcDate', C.UtcDate, OldUtcDate],
    ['RequiredUtcDate', C.RequiredUtcDate, OldRequiredUtcDate],
    ['Int', C.Int, OldInt],
    ['Num', C.Num, OldNum],
    ['Bool', C.Bool, OldBool],
    ['Str', C.Str, OldStr],
    ['nullable(Int)', C.nullable(C.Int), oldNullable(OldInt)],
    ['nullable(UtcDate)', C.nullable(C.UtcDate), oldNullable(OldUtcDate)],
    ['nullable(Str)', C.nullable(C.Str), oldNullable(OldStr)],
    ['nullable(t.string), a codec without a fast path', C.nullable(t.string), oldNullable(t.string)],
  ];
  it.each(pairs)('%s decodes every value as before, with the same errors, and its fast path agrees', (_, neu, old) => {
    expect(neu.name).toBe(old.name);
    fc.assert(fc.property(fc.oneof(anything, good[neu.name.replace(/ \| null$/, '')] ?? anything), expectSame(neu, old)), { numRuns: 1000 });
  });
});

describe('struct, readonlyArrayOf, keyOf, withFast', () => {
  it('struct keeps t.type semantics for codecs that decode undefined (a missing property is added)', () => {
    const neu = C.struct({ a: t.unknown, b: t.undefined, c: C.nullable(C.Int) });
    const old = t.type({ a: t.unknown, b: t.undefined, c: oldNullable(OldInt) });
    expect(neu.name).toBe(old.name);
    fc.assert(fc.property(fc.oneof({ weight: 5, arbitrary: rowOf(old.props) }, { weight: 1, arbitrary: anything }), expectSame(neu, old)), runs);
    const u = { c: 1 };
    expect(neu.decode(u)).toStrictEqual(old.decode(u));
    expect(E.isRight(neu.decode(u)) && Object.keys((neu.decode(u) as E.Right<object>).right)).toEqual(['c', 'a', 'b']);
  });

  it('struct copies a row with an own __proto__ property as t.type does (Object.assign sets it as the prototype)', () => {
    const neu = C.struct({ id: C.Int });
    const old = t.type({ id: OldInt });
    const u = JSON.parse('{"__proto__": {"x": 1}, "id": "7"}') as unknown;
    const n = neu.decode(u);
    const o = old.decode(u);
    if (E.isLeft(n) || E.isLeft(o)) throw new Error('does not decode');
    expect(n.right).toStrictEqual(o.right);
    expect(Object.getPrototypeOf(n.right)).toBe(Object.getPrototypeOf(o.right));
    expect(Object.keys(n.right)).toEqual(Object.keys(o.right));
  });

  it('readonlyArrayOf decodes as t.readonlyArray, the input array itself when no element changes', () => {
    const neu = C.readonlyArrayOf(C.nullable(C.Int));
    const old = t.readonlyArray(oldNullable(OldInt));
    expect(neu.name).toBe(old.name);
    fc.assert(fc.property(fc.oneof(fc.array(fc.oneof(good.Int, fc.constant(null), anything), { maxLength: 5 }), anything), expectSame(neu, old)), runs);
  });

  it('keyOf decodes as t.keyof', () => {
    const neu = C.keyOf({ read: null, missing: null });
    const old = t.keyof({ read: null, missing: null });
    expect(neu.name).toBe(old.name);
    fc.assert(fc.property(fc.oneof(fc.constantFrom('read', 'missing', 'toString', '__proto__'), anything), expectSame(neu, old)), runs);
  });

  it('withFast gives a union a fast path and keeps its errors', () => {
    const ids = C.readonlyArrayOf(C.Str);
    const neu = C.withFast(t.union([t.null, ids]), (u) => (u === null ? null : ids.fast(u)));
    const old = t.union([t.null, t.readonlyArray(OldStr)]);
    expect(neu.name).toBe(old.name);
    fc.assert(fc.property(fc.oneof(fc.constant(null), fc.array(fc.oneof(good.Str, anything), { maxLength: 3 }), anything), expectSame(neu, old)), runs);
  });
});

describe('row codecs decode as their io-ts definitions did', () => {
  const same: ReadonlyArray<readonly [string, t.InterfaceType<t.Props> & C.Fast<unknown>, t.Mixed]> = [
    ['ActionEvent', ActionEvent, OldActionEvent],
    ['InstanceRow', InstanceRow, OldInstanceRow],
    ['LeaseColumns', LeaseColumns, OldLeaseColumns],
    ['LeaseHostPair', LeaseHostPair, OldPair],
    ['LeaseAllocation', LeaseAllocation, OldLeaseAllocation],
    ['ComputeNodeRow', ComputeNodeRow, OldComputeNodeRow],
    ['ComputehostRow', ComputehostRow, OldComputehostRow],
    ['CapabilityRow', CapabilityRow, OldCapabilityRow],
  ];
  it.each(same)('%s: same values, same errors, same name', (_, neu, old) => {
    expect(neu.name).toBe(old.name);
    fc.assert(fc.property(inputFor(neu), expectSame(neu, old)), runs);
  });

  // Intersections merged into one struct: the oracle is one t.type of the same columns (the
  // decision); the intersection gave the same values, save where a column held NaN.
  const merged: ReadonlyArray<readonly [string, t.InterfaceType<t.Props> & C.Fast<unknown>, t.Mixed, t.Mixed]> = [
    ['AllocationRow', AllocationRow, OldAllocationRow, t.type({ ...oldAllocationProps, ...oldLeaseProps })],
    ['LeaseHostsRow', LeaseHostsRow, OldLeaseHostsRow, t.type({ ...oldLeaseProps, ...oldHostIds })],
    ['UsageRow', UsageRow, OldUsageRow, t.type({ ...oldCommonProps, ...oldIdProps, ...oldHourProps })],
    ['CountRow', CountRow, OldCountRow, t.type({ ...oldCommonProps, ...oldIdProps, ...oldCntProps })],
  ];
  it.each(merged)('%s decodes as one t.type of its columns: errors name the column, not the member index', (_, neu, __, columns) => {
    expect(neu.name).toBe(columns.name);
    fc.assert(fc.property(inputFor(neu), expectSame(neu, columns)), runs);
  });

  // the runner's in-place decode (codecs' FastOwned): the value `decode` gives, written into the
  // row; a row that fails is left exactly as it was
  it.each([...same.map(([n, c]) => [n, c] as const), ...merged.map(([n, c]) => [n, c] as const)])('%s: fastOwned decodes in place to what decode gives, and leaves a failing row untouched', (_, neu) => {
    const owned = (neu as unknown as C.FastOwned<unknown>).fastOwned;
    fc.assert(
      fc.property(inputFor(neu), (u) => {
        const expected = neu.decode(u);
        const clone = (x: unknown): unknown => (Array.isArray(x) ? [...(x as unknown[])] : typeof x === 'object' && x !== null ? { ...x } : x);
        const before = clone(u);
        const mine = clone(u);
        const got = owned(mine);
        if (E.isLeft(expected)) {
          expect(got).toBe(C.FAIL);
          expect(mine).toStrictEqual(before);
        } else {
          expect(got).toBe(mine);
          expect(got).toStrictEqual(expected.right);
        }
      }),
      runs,
    );
  });

  const hasNaN = (u: unknown): boolean => typeof u === 'object' && u !== null && Object.values(u).some((v) => Number.isNaN(v));
  it.each(merged)('%s decodes every row without a NaN column to the value the intersection gave', (_, neu, intersection) => {
    fc.assert(
      fc.property(
        inputFor(neu).filter((u) => !hasNaN(u)),
        (u) => {
          const o = intersection.decode(u);
          const n = neu.decode(u);
          expect(E.isRight(n)).toBe(E.isRight(o));
          if (E.isRight(o)) expect(n).toStrictEqual(o);
        },
      ),
      runs,
    );
  });

  it('decodes a NaN date column to null, where the intersection let the NaN through', () => {
    // mergeAll takes a later member's value where it differs from the input's, and the later
    // member (host_ids) left the NaN of the input, which differs from itself
    const row = { lease_id: 'l', lease_start_date: NaN, host_ids: null, allocations: null };
    const n = LeaseHostsRow.decode(row);
    const o = OldLeaseHostsRow.decode(row);
    expect(E.isRight(n) && n.right.lease_start_date).toBeNull();
    expect(E.isRight(o) && o.right.lease_start_date).toBeNaN();
  });

  it('names the failing column of an allocation row, where the intersection named its member index', () => {
    const row = { id: {}, reservation_id: 'r', compute_host_id: '1', group_position: 1, lease_id: 'l', lease_start_date: '2024-01-01 00:00:00' };
    const n = AllocationRow.decode(row);
    const o = OldAllocationRow.decode(row);
    if (E.isRight(n) || E.isRight(o)) throw new Error('decodes');
    expect(C.failingColumn(o.left)).toBe('0');
    expect(C.failingColumn(n.left)).toBe('id');
    expect(C.describeErrors(n.left)).toBe('id: expected text (got {})');
    expect(C.describeErrors(o.left)).toBe('0.id: expected text (got {})');
  });

  it('decodes a legacy row without an id column with id null, as the partial id did', () => {
    const row = { date: '2024-01-01 00:00:00', node_type: 'x', cnt: '3' };
    expect(CountRow.decode(row)).toStrictEqual(OldCountRow.decode(row));
    expect(CountRow.decode(row)).toStrictEqual(E.right({ ...row, date: Date.UTC(2024, 0, 1), cnt: 3, id: null }));
  });
});
