/**
 * Active and stopped (reconstruction rules, section 11), the site-level part: where `active` is
 * covered, and what the power history of a site's instances noticed (its audit).
 *
 * The powered-off spans themselves are made by the instance adapter (`adapters/power.ts`) as
 * `stopped_reserved` / `stopped_ondemand` intervals of the same entity as the occupied ones.
 *
 * Coverage: `active` is part of the instance source, so it is covered where `occupied` is, when
 * the action tables were read (`instance_actions` and `instance_actions_events`, both optional
 * tables of the instance adapters). Without them `active` is not covered at all: no rows, never
 * `active = occupied` by default. A configured coverage start or known gap of a `stopped_*`
 * count type narrows it further.
 *
 * @since 0.3.0
 * @module
 */
import * as O from 'fp-ts/Option';
import { stoppedOf, baseCountTypes } from './CountType';
import { subtract, type CountCoverage, type Gap, type KnownGap, type Span } from './Coverage';
import type { EventTable } from './EventTable';
import * as T from './Time';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What the power history of a site's instances noticed (section 11): instances with repeated
 * switches (and how many switches), power events outside every occupied period, and final
 * `power_state` values that contradict the history (the history wins), by which way; and
 * whether `active` is covered at all (the action tables were read).
 *
 * @category model
 * @since 0.3.0
 */
export interface PowerAudit {
  readonly site: string;
  readonly active_covered: boolean;
  /** Instances with an occupied period (entities of `occupied_*`). */
  readonly instances: number;
  readonly instances_with_repeated_switches: number;
  readonly repeated_switches: number;
  readonly events_outside_periods: number;
  readonly power_state_mismatch: { readonly on_by_history: number; readonly off_by_history: number };
}

/** What a source's audit entry says that matters here. @category model @since 0.3.0 */
export interface SourceLike {
  readonly source: string;
  readonly status: string;
  readonly optional_missing?: ReadonlyArray<string>;
}

const tableOf = (source: string): string => source.slice(source.lastIndexOf('.') + 1);

// -------------------------------------------------------------------------------------
// coverage
// -------------------------------------------------------------------------------------

/**
 * Whether the power history was read: an instance source was read, and not without its live
 * action tables.
 *
 * @example
 * powerSourceRead([{ source: 'nova.instances', status: 'read', optional_missing: ['nova.instance_actions'] }]) // false
 * @since 0.3.0
 */
export const powerSourceRead = (sources: ReadonlyArray<SourceLike>): boolean =>
  sources.some(
    (x) =>
      tableOf(x.source) === 'instances' &&
      x.status === 'read' &&
      !(x.optional_missing ?? []).some((m) => tableOf(m) === 'instance_actions' || tableOf(m) === 'instance_actions_events'),
  );

/**
 * Coverage of nothing in the window, with one reason.
 *
 * @since 0.3.0
 */
export const notCovered = (window: Span, reason: string): CountCoverage => ({
  start: O.none,
  startFrom: 'source_missing',
  covered: [],
  gaps: window[1] > window[0] ? [{ start: window[0], end: window[1], reason }] : [],
});

/**
 * The coverage of a `stopped_*` count type: its occupied count type's, cut by its own configured
 * start and known gaps, if any.
 *
 * @since 0.3.0
 */
export const activeCoverage = (window: Span, occupied: CountCoverage, configStart: T.Millis | undefined, gaps: ReadonlyArray<KnownGap>): CountCoverage => {
  if (configStart === undefined && gaps.length === 0) return occupied;
  let covered = occupied.covered;
  if (configStart !== undefined) covered = subtract(covered, [window[0], configStart] as unknown as Span);
  for (const g of gaps) covered = subtract(covered, [g.start, g.end] as unknown as Span);
  const reasonAt = (t: T.Millis): string => {
    const known = gaps.find((g) => g.start <= t && t < g.end);
    if (known !== undefined) return `known gap: ${known.note}`;
    if (configStart !== undefined && t < configStart) return 'before the configured coverage start';
    return occupied.gaps.find((g) => g.start <= t && t < g.end)?.reason ?? 'not covered';
  };
  const out: Gap[] = [];
  let t = window[0];
  for (const [s, e] of covered) {
    if (s > t) out.push({ start: t, end: s, reason: reasonAt(t) });
    t = e;
  }
  if (t < window[1]) out.push({ start: t, end: window[1], reason: reasonAt(t) });
  return {
    start: configStart !== undefined ? O.some(configStart) : occupied.start,
    startFrom: configStart !== undefined ? 'config' : occupied.startFrom,
    covered,
    gaps: out,
  };
};

// -------------------------------------------------------------------------------------
// audit
// -------------------------------------------------------------------------------------

/**
 * The power audit of a site, from the notes the instance adapter leaves in the occupied events'
 * `extra` (`power_repeated`, `power_outside`, `power_state_mismatch`): each instance counted
 * once, at its first create. One pass over the events, no allocation per event.
 *
 * @example
 * powerAudit('kvm_tacc', table, true).repeated_switches // 3
 * @since 0.3.0
 */
export const powerAudit = (site: string, t: EventTable, activeCovered: boolean): PowerAudit => {
  const { runs, strings, entityCountType } = t.dict;
  const occupied = new Set<number>(Object.keys(stoppedOf).map((ct) => baseCountTypes.indexOf(ct as (typeof baseCountTypes)[number])));
  const column = (key: string): Uint32Array | undefined => {
    const c = runs.extraKeys.indexOf(key);
    return c < 0 ? undefined : runs.extra[c];
  };
  const repeatedCol = column('power_repeated');
  const outsideCol = column('power_outside');
  const mismatchCol = column('power_state_mismatch');
  const seen = new Uint8Array(t.dict.entityIds.length);
  let instances = 0;
  let withRepeated = 0;
  let repeated = 0;
  let outside = 0;
  let onByHistory = 0;
  let offByHistory = 0;
  for (let i = 0; i < t.length; i++) {
    const e = t.entity[i];
    if (seen[e] === 1 || t.create[i] !== 1 || !occupied.has(entityCountType[e])) continue;
    seen[e] = 1;
    instances++;
    const r = t.run[i];
    if (repeatedCol !== undefined && repeatedCol[r] !== 0) {
      withRepeated++;
      repeated += Number(strings[repeatedCol[r]]);
    }
    if (outsideCol !== undefined && outsideCol[r] !== 0) outside += Number(strings[outsideCol[r]]);
    if (mismatchCol !== undefined && mismatchCol[r] !== 0) {
      if (strings[mismatchCol[r]] === 'on_by_history') onByHistory++;
      else offByHistory++;
    }
  }
  return {
    site,
    active_covered: activeCovered,
    instances,
    instances_with_repeated_switches: withRepeated,
    repeated_switches: repeated,
    events_outside_periods: outside,
    power_state_mismatch: { on_by_history: onByHistory, off_by_history: offByHistory },
  };
};
