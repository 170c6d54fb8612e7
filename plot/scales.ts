/**
 * Axis helpers on d3-scale: UTC time ticks and labels for a linear axis of epoch milliseconds
 * (no Chart.js date adapter needed), nice upper bounds for count axes, and the date range of a
 * title.
 *
 * Everything is UTC: ticks fall on UTC calendar boundaries and labels print UTC dates, whatever
 * the process time zone.
 *
 * @since 0.1.0
 */
import { scaleLinear, scaleUtc } from 'd3-scale';
import * as T from '../lib/Time';
import type { Window } from './series';

/** A tick: its position (epoch ms) and label. @since 0.1.0 */
export interface Tick {
  readonly value: number;
  readonly label: string;
}

const DAY_MS = T.DAY;

// The label shows no more precision than the tick spacing needs, and always the year when the
// ticks are months or coarser (a month name alone is ambiguous on a multi-year axis).
const specifierFor = (step: number): string =>
  step >= 360 * DAY_MS ? '%Y' : step >= 28 * DAY_MS ? '%b %Y' : step >= DAY_MS ? '%b %d' : '%b %d %H:%M';

/**
 * About `count` UTC ticks over a window, on calendar boundaries, with labels.
 *
 * @example
 * utcTicks([Date.UTC(2020, 0, 1), Date.UTC(2024, 0, 1)], 5).map((t) => t.label) // ['2020', '2021', '2022', '2023', '2024']
 * @since 0.1.0
 */
export const utcTicks = (window: Window, count: number): ReadonlyArray<Tick> => {
  const s = scaleUtc().domain([new Date(window[0]), new Date(window[1])]);
  const ticks = s.ticks(count);
  const step = ticks.length > 1 ? ticks[1].getTime() - ticks[0].getTime() : window[1] - window[0];
  const format = s.tickFormat(count, specifierFor(step));
  return ticks.map((d) => ({ value: d.getTime(), label: format(d) }));
};

/**
 * A nice upper bound for a count axis starting at 0, with a little headroom.
 *
 * @example
 * niceMax(97) // 110
 * @since 0.1.0
 */
export const niceMax = (max: number): number => {
  if (!(max > 0)) return 1;
  const [, hi] = scaleLinear().domain([0, max * 1.08]).nice(8).domain();
  return hi;
};

/**
 * The date range of a window for a title: first and last day, UTC (the end is exclusive).
 *
 * @example
 * dateRange([Date.UTC(2024, 0, 1), Date.UTC(2024, 1, 1)]) // '2024-01-01 to 2024-01-31 (UTC)'
 * @since 0.1.0
 */
export const dateRange = (window: Window): string =>
  `${T.toIso(T.unsafeMillis(window[0])).slice(0, 10)} to ${T.toIso(T.unsafeMillis(Math.max(window[0], window[1] - 1))).slice(0, 10)} (UTC)`;
