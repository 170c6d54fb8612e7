/**
 * Coverage: where each count type's history is known (reconstruction rules, section 8).
 *
 * A count type of a site is covered from its coverage start, the first of:
 * 1. the date the site config sets (a known gap at the start of the history);
 * 2. the earliest `created_at` of its primary table (the earliest interval start);
 * 3. the window start, when the table was read but holds no rows (nothing happened: zero is
 *    known);
 * and not at all when the source could not be read (missing table or grant). Known gaps from the
 * config are cut out of the covered spans. Derived count types are covered where all their inputs
 * are. Before a coverage start and inside a gap the timeline has no rows: unknown is not zero.
 *
 * @since 0.1.0
 * @module
 */
import * as O from 'fp-ts/Option';
import type { BaseCountType } from './CountType';
import * as T from './Time';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A half-open span `[start, end)`. @category model @since 0.1.0 */
export type Span = readonly [T.Millis, T.Millis];

/**
 * A span where the history of some count types is known to be lost.
 *
 * @category model
 * @since 0.1.0
 */
export interface KnownGap {
  readonly countTypes: ReadonlyArray<BaseCountType>;
  readonly start: T.Millis;
  readonly end: T.Millis;
  readonly note: string;
}

/** A stretch of the window without data, and why. @category model @since 0.1.0 */
export interface Gap {
  readonly start: T.Millis;
  readonly end: T.Millis;
  readonly reason: string;
}

/** @category model @since 0.1.0 */
export interface CountCoverage {
  readonly start: O.Option<T.Millis>;
  /** How the start was found: `config`, `earliest_row`, `empty_table`, `source_missing`. */
  readonly startFrom: 'config' | 'earliest_row' | 'empty_table' | 'source_missing';
  /** Sorted, disjoint, within the window. */
  readonly covered: ReadonlyArray<Span>;
  /** The window minus `covered`, with reasons. */
  readonly gaps: ReadonlyArray<Gap>;
}

/** @category model @since 0.1.0 */
export interface CoverageInput {
  readonly window: Span;
  /** Earliest interval start per count type. */
  readonly earliest: Readonly<Partial<Record<BaseCountType, T.Millis>>>;
  /** Whether the count type's source table was read. */
  readonly sourceRead: Readonly<Partial<Record<BaseCountType, boolean>>>;
  readonly configStart: Readonly<Partial<Record<BaseCountType, T.Millis>>>;
  readonly knownGaps: ReadonlyArray<KnownGap>;
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The intersection of sorted, disjoint span lists.
 *
 * @example
 * intersect([[0, 10]], [[5, 20]]) // [[5, 10]]
 * @since 0.1.0
 */
export const intersect = <S extends readonly [number, number]>(a: ReadonlyArray<S>, b: ReadonlyArray<S>): ReadonlyArray<S> => {
  const out: S[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const s = Math.max(a[i][0], b[j][0]);
    const e = Math.min(a[i][1], b[j][1]);
    if (e > s) out.push([s, e] as unknown as S);
    if (a[i][1] < b[j][1]) i++;
    else j++;
  }
  return out;
};

/**
 * Removes `[start, end)` from sorted, disjoint spans.
 *
 * @since 0.1.0
 */
export const subtract = <S extends readonly [number, number]>(spans: ReadonlyArray<S>, cut: S): ReadonlyArray<S> => {
  const out: S[] = [];
  for (const span of spans) {
    const [s, e] = span;
    if (cut[1] <= s || cut[0] >= e) out.push(span);
    else {
      if (cut[0] > s) out.push([s, cut[0]] as unknown as S);
      if (cut[1] < e) out.push([cut[1], e] as unknown as S);
    }
  }
  return out;
};

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const gapsOf = (window: Span, covered: ReadonlyArray<Span>, reasonAt: (s: T.Millis) => string): ReadonlyArray<Gap> => {
  const out: Gap[] = [];
  let t = window[0];
  for (const [s, e] of covered) {
    if (s > t) out.push({ start: t, end: s, reason: reasonAt(t) });
    t = e;
  }
  if (t < window[1]) out.push({ start: t, end: window[1], reason: reasonAt(t) });
  return out;
};

/**
 * The coverage of one count type of one site.
 *
 * @category constructors
 * @since 0.1.0
 */
export const coverageOf =
  (input: CoverageInput) =>
  (ct: BaseCountType): CountCoverage => {
    const [ws, we] = input.window;
    const config = input.configStart[ct];
    const earliest = input.earliest[ct];
    const read = input.sourceRead[ct] === true;
    const [start, startFrom]: [O.Option<T.Millis>, CountCoverage['startFrom']] =
      config !== undefined
        ? [O.some(config), 'config']
        : earliest !== undefined
          ? [O.some(earliest), 'earliest_row']
          : read
            ? [O.some(ws), 'empty_table']
            : [O.none, 'source_missing'];
    let covered: ReadonlyArray<Span> = O.isNone(start) || start.value >= we ? [] : [[T.unsafeMillis(Math.max(ws, start.value)), we]];
    const gaps = input.knownGaps.filter((g) => g.countTypes.includes(ct));
    for (const g of gaps) covered = subtract(covered, [g.start, g.end]);
    const reasonAt = (t: T.Millis): string => {
      const known = gaps.find((g) => g.start <= t && t < g.end);
      if (known !== undefined) return `known gap: ${known.note}`;
      if (O.isNone(start)) return 'source not read';
      return startFrom === 'config' ? 'before the configured coverage start' : 'before the earliest row of the source';
    };
    return { start, startFrom, covered, gaps: gapsOf(input.window, covered, reasonAt) };
  };
