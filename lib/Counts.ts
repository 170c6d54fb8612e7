/**
 * Counts: one step function per series key (site x count type x value type x group columns).
 *
 * `Counts` is a sorted array of series with unique keys. It forms a monoid: series with the same
 * key are summed pointwise, others are kept, so the counts of partitions (sites, sources) merge
 * with `concatAll(Monoid)` and the result does not depend on how the data was partitioned.
 *
 * @since 0.1.0
 * @module
 */
import type { Monoid as MonoidT } from 'fp-ts/Monoid';
import type { CountType } from './CountType';
import type { ValueType } from './Quantities';
import * as SF from './StepFunction';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The optional group columns of the output.
 *
 * @category model
 * @since 0.1.0
 */
export const groupColumns = ['node_type', 'hypervisor_hostname'] as const;

/** @category model @since 0.1.0 */
export type GroupColumn = (typeof groupColumns)[number];

/**
 * What a series counts. `group` holds a value only for the columns grouped by.
 *
 * @category model
 * @since 0.1.0
 */
export interface SeriesKey {
  readonly site: string;
  readonly countType: CountType;
  readonly valueType: ValueType;
  readonly group: Readonly<Partial<Record<GroupColumn, string>>>;
}

/** @category model @since 0.1.0 */
export interface Series {
  readonly key: SeriesKey;
  readonly steps: SF.StepFunction;
}

/** Sorted by `keyString`, keys unique. @category model @since 0.1.0 */
export type Counts = ReadonlyArray<Series>;

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * A string that identifies a series key and sorts keys deterministically.
 *
 * @since 0.1.0
 */
export const keyString = (k: SeriesKey): string =>
  [k.site, k.countType, k.valueType, k.group.node_type ?? '', k.group.hypervisor_hostname ?? ''].join('\u0000');

/**
 * Counts from series in any order; series with equal keys are summed.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromSeries = (xs: ReadonlyArray<Series>): Counts => {
  const m = new Map<string, Series>();
  for (const s of xs) {
    const k = keyString(s.key);
    const prev = m.get(k);
    m.set(k, prev === undefined ? s : { key: prev.key, steps: SF.Monoid.concat(prev.steps, s.steps) });
  }
  return [...m.keys()].sort().map((k) => m.get(k) as Series);
};

/**
 * The series with this key, or the zero function.
 *
 * @since 0.1.0
 */
export const lookup =
  (key: SeriesKey) =>
  (c: Counts): SF.StepFunction => {
    const k = keyString(key);
    return c.find((s) => keyString(s.key) === k)?.steps ?? SF.empty;
  };

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

/**
 * Merge by key, summing step functions of equal keys.
 *
 * @category instances
 * @since 0.1.0
 */
export const Monoid: MonoidT<Counts> = {
  concat: (a, b) => fromSeries([...a, ...b]),
  empty: [],
};
