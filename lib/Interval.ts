/**
 * Interval facts: an entity's quantities held over a half-open time span `[start, end)`.
 *
 * Boundary rules (as in date-fns `areIntervalsOverlapping`):
 * - `[1, 3)` contains 1 and 2.999, not 3;
 * - `[1, 3)` and `[3, 5)` are adjacent and do not overlap;
 * - `end = none` means open-ended: still going at the end of the data;
 * - `start < end` always holds for intervals the fold returns (empty and negative spans are
 *   rejections, see `Rejection.ts`).
 *
 * @since 0.1.0
 * @module
 */
import * as O from 'fp-ts/Option';
import { fromCompare, type Ord as OrdT } from 'fp-ts/Ord';
import type { Ordering } from 'fp-ts/Ordering';
import type { BaseCountType } from './CountType';
import type { Attributes, SourceRef } from './Event';
import type { Quantities } from './Quantities';
import * as T from './Time';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * @category model
 * @since 0.1.0
 */
export interface Interval {
  readonly entityId: string;
  readonly countType: BaseCountType;
  readonly start: T.Millis;
  readonly end: O.Option<T.Millis>;
  readonly quantities: Quantities;
  readonly attributes: Attributes;
  /** The create that opened the interval. */
  readonly source: SourceRef;
  /** How many events the interval absorbed (its create, its delete, merged overlaps). */
  readonly events: number;
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Whether `t` lies in `[start, end)`.
 *
 * @example
 * contains(unsafeMillis(3))({ ...i, start: 1, end: O.some(3) }) === false
 * @since 0.1.0
 */
export const contains =
  (t: T.Millis) =>
  (i: Pick<Interval, 'start' | 'end'>): boolean =>
    i.start <= t && (O.isNone(i.end) || t < i.end.value);

/**
 * The end, or `horizon` for an open interval.
 *
 * @since 0.1.0
 */
export const endOr =
  (horizon: T.Millis) =>
  (i: Pick<Interval, 'end'>): T.Millis =>
    O.isNone(i.end) ? horizon : i.end.value;

/**
 * Length in hours, with open intervals cut at `horizon` (0 if the horizon is before the start).
 *
 * @since 0.1.0
 */
export const hours =
  (horizon: T.Millis) =>
  (i: Pick<Interval, 'start' | 'end'>): number =>
    Math.max(0, T.hoursBetween(i.start, endOr(horizon)(i)));

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

// written out (the fold sorts every interval): the same order as the field orders concatenated
const cmpS = (a: string, b: string): Ordering => (a < b ? -1 : a > b ? 1 : 0);
const cmpN = (a: number, b: number): Ordering => (a < b ? -1 : a > b ? 1 : 0);

/**
 * By start, then site, count type, entity id and opening source (a total order on the intervals
 * the fold returns, since one entity's intervals never share a start).
 *
 * @category instances
 * @since 0.1.0
 */
export const Ord: OrdT<Interval> = fromCompare(
  (x, y) =>
    cmpN(x.start, y.start) ||
    cmpS(x.attributes.site, y.attributes.site) ||
    cmpS(x.countType, y.countType) ||
    cmpS(x.entityId, y.entityId) ||
    cmpS(x.source.table, y.source.table) ||
    cmpS(x.source.id, y.source.id),
);
