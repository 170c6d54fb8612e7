/**
 * The output tables of the reservation book: `booking_timeline` and `projected_leadtime`, their
 * exact columns, keys and row codecs (as `UsageRow.ts` does for the usage timeline).
 *
 * - `booking_timeline`: `site,timestamp,horizon_days,node_type,value_type,booked,free,holds,reservable`,
 *   one row per `(site, timestamp, horizon_days, node_type, value_type)`; the timestamp is a day
 *   at 00:00Z, the horizon 1, 7 or 30, `booked`, `holds` and `reservable` never negative, and
 *   `free = reservable - booked - holds` (negative only where allocations overlap on a host);
 * - `projected_leadtime`: `site,timestamp,node_type,request,nodes,hours,lead_time_hours,capped`,
 *   one row per `(site, timestamp, node_type, request)`; `lead_time_hours` a whole number in
 *   `[0, 2160]`, `capped` the text `true` or `false` (CSV has no booleans).
 *
 * @since 0.3.0
 * @module
 */
import type * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import type { BookingRow } from './Booking';
import type { ProjectedLeadTimeRow } from './ProjectedLeadTime';
import { capHours } from './ProjectedLeadTime';
import { valueTypes } from './Quantities';
import { DayTimestamp, FiniteNumber, NonEmptyString, validate, type Schema } from './UsageRow';

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

const refine = <A>(name: string, base: t.Type<A, A, unknown>, ok: (a: A) => boolean, why: string): t.Type<A, A, unknown> =>
  new t.Type<A, A, unknown>(
    name,
    (u): u is A => base.is(u) && ok(u),
    (u, c) => (base.is(u) && ok(u) ? t.success(u) : t.failure(u, c, why)),
    t.identity,
  );

const keys = <K extends string>(name: string, ks: ReadonlyArray<K>) => t.keyof(Object.fromEntries(ks.map((k) => [k, null])) as Record<K, null>, name);

/** A finite number >= 0. @category codecs @since 0.3.0 */
export const NonNegative = refine('NonNegative', t.number, (n) => Number.isFinite(n) && n >= 0, 'expected a finite number >= 0');

const Horizon = refine('Horizon', t.number, (n) => n === 1 || n === 7 || n === 30, 'expected 1, 7 or 30');
const LeadHours = refine('LeadHours', t.number, (n) => Number.isInteger(n) && n >= 0 && n <= capHours, `expected a whole number of hours in [0, ${capHours}]`);
const Positive = refine('Positive', t.number, (n) => Number.isFinite(n) && n > 0, 'expected a finite number > 0');

// -------------------------------------------------------------------------------------
// schemas
// -------------------------------------------------------------------------------------

/**
 * A row of `projected_leadtime.csv`: a {@link ProjectedLeadTimeRow} with `capped` as text.
 *
 * @category model
 * @since 0.3.0
 */
export type ProjectedLeadTimeFileRow = Omit<ProjectedLeadTimeRow, 'capped'> & { readonly capped: 'true' | 'false' };

const schema = <A>(name: string, props: t.Props, key: ReadonlyArray<string>): Schema<A> => ({
  name,
  columns: Object.keys(props),
  key,
  codec: t.strict(props, name) as unknown as t.Type<A, unknown, unknown>,
});

/**
 * The `booking_timeline` table.
 *
 * @category schemas
 * @since 0.3.0
 */
export const bookingSchema: Schema<BookingRow> = schema(
  'BookingRow',
  {
    site: NonEmptyString,
    timestamp: DayTimestamp,
    horizon_days: Horizon,
    node_type: NonEmptyString,
    value_type: keys('ValueType', valueTypes),
    booked: NonNegative,
    free: FiniteNumber,
    holds: NonNegative,
    reservable: NonNegative,
  },
  ['site', 'timestamp', 'horizon_days', 'node_type', 'value_type'],
);

/**
 * The `projected_leadtime` table.
 *
 * @category schemas
 * @since 0.3.0
 */
export const projectedLeadTimeSchema: Schema<ProjectedLeadTimeFileRow> = schema(
  'ProjectedLeadTimeRow',
  {
    site: NonEmptyString,
    timestamp: DayTimestamp,
    node_type: NonEmptyString,
    request: keys('Request', ['one_node_24h', 'median']),
    nodes: Positive,
    hours: Positive,
    lead_time_hours: LeadHours,
    capped: keys('Capped', ['true', 'false']),
  },
  ['site', 'timestamp', 'node_type', 'request'],
);

// -------------------------------------------------------------------------------------
// validation
// -------------------------------------------------------------------------------------

/**
 * Strict validation of `booking_timeline` rows.
 *
 * @example
 * validateBookingRows([{ ...row, booked: -1 }]) // left(['row 0: column booked: expected a finite number >= 0, got -1'])
 * @category validation
 * @since 0.3.0
 */
export const validateBookingRows = (rows: ReadonlyArray<unknown>): E.Either<ReadonlyArray<string>, ReadonlyArray<BookingRow>> => validate(bookingSchema)(rows);

/**
 * The file rows of projected lead times (`capped` as text), validated.
 *
 * @example
 * validateProjectedLeadTimeRows([{ ...row, capped: true }]) // right([{ ...row, capped: 'true' }])
 * @category validation
 * @since 0.3.0
 */
export const validateProjectedLeadTimeRows = (rows: ReadonlyArray<ProjectedLeadTimeRow>): E.Either<ReadonlyArray<string>, ReadonlyArray<ProjectedLeadTimeFileRow>> =>
  validate(projectedLeadTimeSchema)(rows.map((r) => ({ ...r, capped: r.capped ? 'true' : 'false' })));
