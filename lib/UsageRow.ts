/**
 * The output schemas as io-ts codecs: the usage timeline, the lead-time timeline and the wide
 * per-day table. Rows are plain records of strings and numbers, exactly as written to CSV/JSON.
 *
 * Invariants (checked by {@link validate}):
 * - a row has exactly its schema's columns: none missing, none extra; group columns appear only
 *   when grouped by, always after the fixed columns and in the order `node_type`,
 *   `hypervisor_hostname` whatever the order of `groupBy`;
 * - a timestamp is ISO-8601 UTC in the canonical form `Time.toIso` prints (`2024-01-01T00:00:00Z`,
 *   milliseconds only when not zero), so equal instants are equal strings and uniqueness can be
 *   checked on text; a per-day timestamp is a day at 00:00:00Z;
 * - values are finite numbers (no NaN, no Infinity); site and group values are non-empty
 *   (an unknown node type is the string `unknown`, never empty);
 * - exactly one row per key: usage `(site, timestamp, collector_type, count_type, value_type,
 *   group columns)`, lead time `(site, timestamp, leadtime_type, group columns)`, per-day
 *   `(timestamp, site, value_type, group columns)`.
 *
 * @since 0.1.0
 * @module
 */
import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { groupColumns, type GroupColumn } from './Counts';
import type { CountType } from './CountType';
import { valueTypes, type ValueType } from './Quantities';
import { FirstByKey } from './RowKeys';

// -------------------------------------------------------------------------------------
// primitive codecs
// -------------------------------------------------------------------------------------

const keyOf = <K extends string>(name: string, keys: ReadonlyArray<K>): t.KeyofC<Record<K, null>> => {
  const o: Record<string, null> = {};
  for (const k of keys) o[k] = null;
  return t.keyof(o as Record<K, null>, name);
};

const refine = <A>(name: string, base: t.Type<A, A, unknown>, ok: (a: A) => boolean, why: string): t.Type<A, A, unknown> =>
  new t.Type<A, A, unknown>(
    name,
    (u): u is A => base.is(u) && ok(u),
    (u, c) => {
      const d = base.validate(u, c);
      return E.isLeft(d) ? d : ok(d.right) ? d : t.failure(u, c, why);
    },
    t.identity,
  );

const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// The last string found canonical: output rows come sorted by time, so most rows repeat the
// timestamp of the row before, and the comparison is cheaper than the regular expression.
let lastCanonical = '';

// Exactly the strings `Time.toIso` prints for years 1..9999 (tested as a property), without
// allocating a Date: validation runs once per output row.
const isCanonicalIso = (s: string): boolean => {
  if (s === lastCanonical) return true;
  const ok = isCanonicalIsoText(s);
  if (ok) lastCanonical = s;
  return ok;
};

const isCanonicalIsoText = (s: string): boolean => {
  const m = ISO_UTC.exec(s);
  if (m === null) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > DAYS_IN_MONTH[mo - 1] + (mo === 2 && leap ? 1 : 0)) return false;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return false;
  return m[7] !== '000';
};

/**
 * An instant as canonical ISO-8601 UTC text (`Time.toIso`): `2024-01-01T00:00:00Z`.
 *
 * @example
 * assert.ok(IsoTimestamp.is('2024-01-01T00:00:00Z'))
 * assert.ok(!IsoTimestamp.is('2024-01-01 00:00:00'))   // no zone
 * assert.ok(!IsoTimestamp.is('2024-02-30T00:00:00Z'))  // no such day
 * @category codecs
 * @since 0.1.0
 */
export const IsoTimestamp = refine('IsoTimestamp', t.string, isCanonicalIso, 'expected ISO-8601 UTC like 2024-01-01T00:00:00Z');

/**
 * A day: canonical ISO-8601 UTC at 00:00:00Z.
 *
 * @category codecs
 * @since 0.1.0
 */
export const DayTimestamp = refine('DayTimestamp', t.string, (s) => isCanonicalIso(s) && s.endsWith('T00:00:00Z'), 'expected a day at 00:00:00Z');

/**
 * A finite number (NaN and +-Infinity rejected).
 *
 * @category codecs
 * @since 0.1.0
 */
export const FiniteNumber = refine('FiniteNumber', t.number, Number.isFinite, 'expected a finite number');

/**
 * A non-empty string.
 *
 * @category codecs
 * @since 0.1.0
 */
export const NonEmptyString = refine('NonEmptyString', t.string, (s) => s.length > 0, 'expected a non-empty string');

/**
 * Which collector produced a row: `new` (this tool) or `legacy` (`chameleon_usage`).
 *
 * @category codecs
 * @since 0.1.0
 */
export const CollectorType = keyOf('CollectorType', ['new', 'legacy'] as const);

/** @category model @since 0.1.0 */
export type CollectorType = t.TypeOf<typeof CollectorType>;

/**
 * The count types of the output, in output order: the plan's categories, the two parts of
 * `occupied`, the derived pools, and `ops` (so `available` and `maintenance` can be recomputed
 * from the file itself); then the power history (`active`, `stopped` and the two parts of
 * `active`) and the on-demand pool (`ondemand_capacity`, `available_ondemand`, written only for a
 * site with one: null elsewhere in the daily table); then the host-state split of section 15
 * (only where the audit tables cover it: null elsewhere).
 *
 * @category model
 * @since 0.1.0
 */
export const outputCountTypes = [
  'total',
  'reservable',
  'committed',
  'occupied',
  'occupied_reserved',
  'occupied_ondemand',
  'available',
  'idle',
  'maintenance',
  'ops',
  'active',
  'stopped',
  'stopped_reserved',
  'stopped_ondemand',
  'ondemand_capacity',
  'available_ondemand',
  'reservable_usable',
  'reservable_unusable',
  'committed_usable',
  'committed_unusable',
  'ops_unusable',
  'unusable',
  'total_unusable',
] as const satisfies ReadonlyArray<CountType>;

// A record over `CountType` fails to compile when a count type is added and not listed here.
const countTypeKeys: Record<CountType, null> = {
  total: null,
  reservable: null,
  committed: null,
  occupied: null,
  occupied_reserved: null,
  occupied_ondemand: null,
  available: null,
  idle: null,
  maintenance: null,
  ops: null,
  active: null,
  stopped: null,
  stopped_reserved: null,
  stopped_ondemand: null,
  ondemand_capacity: null,
  available_ondemand: null,
  reservable_usable: null,
  reservable_unusable: null,
  committed_usable: null,
  committed_unusable: null,
  ops_unusable: null,
  unusable: null,
  total_unusable: null,
};

/**
 * Any count type, base or derived.
 *
 * @category codecs
 * @since 0.1.0
 */
export const CountTypeC = t.keyof(countTypeKeys, 'CountType');

/**
 * A value type (`nodes`, `vcpus`, `memory_mb`, `disk_gb`, `gpus`).
 *
 * @category codecs
 * @since 0.1.0
 */
export const ValueTypeC = keyOf<ValueType>('ValueType', valueTypes);

/**
 * A lead-time type: `requested` (start_date - created_at) or `effective` (actual start - created_at).
 *
 * @category codecs
 * @since 0.1.0
 */
export const LeadTimeType = keyOf('LeadTimeType', ['requested', 'effective'] as const);

/** @category model @since 0.1.0 */
export type LeadTimeType = t.TypeOf<typeof LeadTimeType>;

// -------------------------------------------------------------------------------------
// schemas
// -------------------------------------------------------------------------------------

/**
 * A table: its columns in order, the columns that identify a row, and the row codec.
 *
 * @category model
 * @since 0.1.0
 */
export interface Schema<A> {
  readonly name: string;
  readonly columns: ReadonlyArray<string>;
  readonly key: ReadonlyArray<string>;
  readonly codec: t.Type<A, unknown, unknown>;
}

type GroupValues = Readonly<Partial<Record<GroupColumn, string>>>;

/**
 * The group columns grouped by, in canonical order (`node_type` before `hypervisor_hostname`).
 *
 * @since 0.1.0
 */
export const groupColumnsOf = (groupBy: ReadonlyArray<GroupColumn>): ReadonlyArray<GroupColumn> =>
  groupColumns.filter((c) => groupBy.includes(c));

const groupProps = (groupBy: ReadonlyArray<GroupColumn>): Record<string, t.Mixed> => {
  const o: Record<string, t.Mixed> = {};
  for (const c of groupColumnsOf(groupBy)) o[c] = NonEmptyString;
  return o;
};

const schema = <A>(name: string, props: Record<string, t.Mixed>, key: ReadonlyArray<string>): Schema<A> => ({
  name,
  columns: Object.keys(props),
  key,
  codec: t.strict(props, name) as unknown as t.Type<A, unknown, unknown>,
});

/**
 * One row of the usage timeline.
 *
 * @category model
 * @since 0.1.0
 */
export type UsageRow = Readonly<{
  site: string;
  timestamp: string;
  collector_type: CollectorType;
  count_type: CountType;
  value_type: ValueType;
  value: number;
}> &
  GroupValues;

const usageProps = {
  site: NonEmptyString,
  timestamp: IsoTimestamp,
  collector_type: CollectorType,
  count_type: CountTypeC,
  value_type: ValueTypeC,
  value: FiniteNumber,
};

/**
 * The usage timeline table for a grouping.
 *
 * @category schemas
 * @since 0.1.0
 */
export const usageSchema = (groupBy: ReadonlyArray<GroupColumn>): Schema<UsageRow> => {
  const g = groupColumnsOf(groupBy);
  return schema('UsageRow', { ...usageProps, ...groupProps(g) }, ['site', 'timestamp', 'collector_type', 'count_type', 'value_type', ...g]);
};

/**
 * The usage timeline's columns: `site,timestamp,collector_type,count_type,value_type,value`, then
 * the group columns grouped by.
 *
 * @example
 * assert.deepStrictEqual(usageColumns(['hypervisor_hostname']).slice(-2), ['value', 'hypervisor_hostname'])
 * @category schemas
 * @since 0.1.0
 */
export const usageColumns = (groupBy: ReadonlyArray<GroupColumn>): ReadonlyArray<string> => usageSchema(groupBy).columns;

/**
 * One row of the lead-time timeline; `value` is in hours and may be slightly negative (a lease
 * created with start "now").
 *
 * @category model
 * @since 0.1.0
 */
export type LeadTimeRow = Readonly<{
  site: string;
  timestamp: string;
  leadtime_type: LeadTimeType;
  value: number;
  node_type?: string;
}>;

/**
 * Lead time can be grouped by node type only: a lease spans many hosts.
 *
 * @category model
 * @since 0.1.0
 */
export type LeadTimeGroupColumn = Extract<GroupColumn, 'node_type'>;

/**
 * The lead-time timeline table: `site,timestamp,leadtime_type,value` (+ `node_type` when grouped).
 *
 * @category schemas
 * @since 0.1.0
 */
export const leadTimeSchema = (groupBy: ReadonlyArray<LeadTimeGroupColumn>): Schema<LeadTimeRow> => {
  const g = groupColumnsOf(groupBy);
  const props = { site: NonEmptyString, timestamp: IsoTimestamp, leadtime_type: LeadTimeType, value: FiniteNumber, ...groupProps(g) };
  return schema('LeadTimeRow', props, ['site', 'timestamp', 'leadtime_type', ...g]);
};

/**
 * The lead-time timeline's columns.
 *
 * @category schemas
 * @since 0.1.0
 */
export const leadTimeColumns = (groupBy: ReadonlyArray<LeadTimeGroupColumn>): ReadonlyArray<string> => leadTimeSchema(groupBy).columns;

/**
 * One row of the wide per-day table: one column per count type; `null` (an empty CSV cell) where
 * the count type is not covered that day (unknown is not zero).
 *
 * @category model
 * @since 0.1.0
 */
export type DailyRow = Readonly<{ timestamp: string; site: string; value_type: ValueType } & Record<CountType, number | null>> &
  GroupValues;

/**
 * The wide per-day table: `timestamp,site,value_type`, one column per count type in
 * {@link outputCountTypes} order, then the group columns. One collector per table.
 *
 * @category schemas
 * @since 0.1.0
 */
export const dailySchema = (groupBy: ReadonlyArray<GroupColumn>): Schema<DailyRow> => {
  const g = groupColumnsOf(groupBy);
  const counts: Record<string, t.Mixed> = {};
  for (const c of outputCountTypes) counts[c] = t.union([FiniteNumber, t.null]);
  const props = { timestamp: DayTimestamp, site: NonEmptyString, value_type: ValueTypeC, ...counts, ...groupProps(g) };
  return schema('DailyRow', props, ['timestamp', 'site', 'value_type', ...g]);
};

/**
 * The wide per-day table's columns.
 *
 * @category schemas
 * @since 0.1.0
 */
export const dailyColumns = (groupBy: ReadonlyArray<GroupColumn>): ReadonlyArray<string> => dailySchema(groupBy).columns;

// -------------------------------------------------------------------------------------
// validation
// -------------------------------------------------------------------------------------

/** At most this many messages are returned; the rest are counted in a last message. */
const MAX_ERRORS = 100;

const show = (u: unknown): string => {
  if (u === undefined) return 'undefined';
  if (typeof u === 'number') return String(u); // JSON would print NaN as null
  return JSON.stringify(u) ?? String(u);
};

const decodeErrors = (row: number, errors: t.Errors): ReadonlyArray<string> =>
  errors.map((e) => {
    const path = e.context
      .map((c) => c.key)
      .filter((k) => k !== '')
      .join('.');
    const expected = e.message ?? `expected ${e.context[e.context.length - 1]?.type.name ?? 'a value'}`;
    return `row ${row}: column ${path || '?'}: ${expected}, got ${show(e.value)}`;
  });

/**
 * Checks every row against a schema: exact columns (missing and extra reported by name), each
 * column's codec, and one row per key. All problems are reported (up to 100 messages), not only
 * the first; rows are numbered from 0.
 *
 * @example
 * validate(usageSchema([]))([{ ...row, extra: 1 }]) // left(["row 0: extra column 'extra'"])
 * @category validation
 * @since 0.1.0
 */
export const validate =
  <A>(s: Schema<A>) =>
  (rows: ReadonlyArray<unknown>): E.Either<ReadonlyArray<string>, ReadonlyArray<A>> => {
    const errors: string[] = [];
    let dropped = 0;
    const report = (msg: string) => {
      if (errors.length < MAX_ERRORS) errors.push(msg);
      else dropped++;
    };
    const allowed = new Set(s.columns);
    const seen = new FirstByKey(s.key);
    const out: A[] = [];
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (typeof r !== 'object' || r === null || Array.isArray(r)) {
        report(`row ${i}: expected an object, got ${show(r)}`);
        continue;
      }
      let shapeOk = true;
      for (const k of Object.keys(r)) {
        if (!allowed.has(k)) {
          report(`row ${i}: extra column '${k}'`);
          shapeOk = false;
        }
      }
      for (const c of s.columns) {
        if (!Object.prototype.hasOwnProperty.call(r, c)) {
          report(`row ${i}: missing column '${c}'`);
          shapeOk = false;
        }
      }
      if (!shapeOk) continue;
      // Fast path: `is` allocates nothing; decode only to explain a failure.
      if (!s.codec.is(r)) {
        const d = s.codec.decode(r);
        if (E.isLeft(d)) for (const m of decodeErrors(i, d.left)) report(m);
        else report(`row ${i}: rejected by ${s.name}`);
        continue;
      }
      const rec = r as Record<string, unknown>;
      const first = seen.firstOrAdd(rec, i);
      if (first >= 0) {
        report(`row ${i}: duplicate key (${s.key.map((c) => `${c}=${String(rec[c])}`).join(', ')}) first seen at row ${first}`);
        continue;
      }
      out.push(r as A);
    }
    if (dropped > 0) errors.push(`... and ${dropped} more errors`);
    return errors.length > 0 ? E.left(errors) : E.right(out);
  };

/**
 * Strict validation of usage timeline rows for a grouping (see {@link validate}).
 *
 * @category validation
 * @since 0.1.0
 */
export const validateRows = (groupBy: ReadonlyArray<GroupColumn>) => validate(usageSchema(groupBy));

/**
 * Strict validation of lead-time timeline rows for a grouping.
 *
 * @category validation
 * @since 0.1.0
 */
export const validateLeadTimeRows = (groupBy: ReadonlyArray<LeadTimeGroupColumn>) => validate(leadTimeSchema(groupBy));

/**
 * Strict validation of wide per-day rows for a grouping.
 *
 * @category validation
 * @since 0.1.0
 */
export const validateDailyRows = (groupBy: ReadonlyArray<GroupColumn>) => validate(dailySchema(groupBy));
