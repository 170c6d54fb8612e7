/**
 * The reservation book's two figures as pure data (`lib/Booking.ts`, `lib/ProjectedLeadTime.ts`):
 *
 * - `<site>_booking`: the share of the site's reservable nodes already booked by users' leases,
 *   looking 1, 7 and 30 days ahead from each day (all node types together), and the share held
 *   by operators (30 days ahead, dotted);
 * - `<site>_projected_leadtime`: per node type, the wait a user asking that day would have seen
 *   for the earliest free slot: one panel for one node for 24 h, one for the type's median lease.
 *
 * Days without rows (the book not covered) break the lines and are shaded "no data"; a wait at
 * the 90-day cap is drawn at the cap, and the subtitle says how many.
 *
 * @since 0.3.0
 */
import type { ChartDataset } from 'chart.js';
import type { BookingRow } from '../lib/Booking';
import type { ProjectedLeadTimeRow } from '../lib/ProjectedLeadTime';
import { capHours } from '../lib/ProjectedLeadTime';
import * as T from '../lib/Time';
import { countAxis, displayName, HEIGHT, noDataEntry, regionsOf, timeAxis, titles, WIDTH, type AxisOptions, type Figure, type SiteOptions } from './configs';
import { gapsPlugin } from './gaps';
import { nodeTypeColors } from './palette';
import { niceMax } from './scales';
import * as S from './series';

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const dayOf = (iso: string): number => S.rowMillis(iso);

/** The window: given, else from the first to the end of the last day of the rows. */
const windowOf = (given: S.Window | undefined, days: ReadonlyArray<number>): S.Window => {
  if (given !== undefined) return given;
  if (days.length === 0) return [0, T.DAY];
  let lo = Infinity;
  let hi = -Infinity;
  for (const d of days) {
    lo = Math.min(lo, d);
    hi = Math.max(hi, d);
  }
  return [lo, hi + T.DAY];
};

/** The stretches of whole days of the window without any row. */
const missing = (window: S.Window, days: ReadonlySet<number>): ReadonlyArray<S.Window> => {
  const out: Array<[number, number]> = [];
  for (let d = Math.ceil(window[0] / T.DAY) * T.DAY; d < window[1]; d += T.DAY) {
    if (days.has(d)) continue;
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === d) last[1] = d + T.DAY;
    else out.push([d, d + T.DAY]);
  }
  return out;
};

/**
 * Monthly means of daily values, as steps: a point at each UTC month's start (or the window's)
 * holding the mean of the month's days that have a value (`null`, a break, when none), and a
 * last point at the window's end. Daily values of a small site jump between 0 and a few nodes
 * from one day to the next; a month's mean shows the level.
 */
const monthlyPoints = (window: S.Window, values: ReadonlyMap<number, number>): S.Point[] => {
  const out: S.Point[] = [];
  const first = new Date(window[0]);
  for (let k = 0; ; k++) {
    const a = Math.max(window[0], Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + k, 1));
    if (a >= window[1]) break;
    const b = Math.min(window[1], Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + k + 1, 1));
    let sum = 0;
    let n = 0;
    for (let d = Math.ceil(a / T.DAY) * T.DAY; d < b; d += T.DAY) {
      const v = values.get(d);
      if (v === undefined) continue;
      sum += v;
      n++;
    }
    out.push({ x: a, y: n === 0 ? null : sum / n });
  }
  if (out.length > 0) out.push({ x: window[1], y: out[out.length - 1].y });
  return out;
};

const maxY = (sets: ReadonlyArray<ChartDataset<'line', S.Point[]>>): number => {
  let m = 0;
  for (const d of sets) for (const p of d.data) if (p.y !== null && p.y > m) m = p.y;
  return m;
};

const monthlyLine = (label: string, data: S.Point[], color: string, dash?: number[]): ChartDataset<'line', S.Point[]> => ({
  label,
  data,
  stepped: 'after',
  pointRadius: 0,
  borderWidth: 1.2,
  borderColor: color,
  backgroundColor: color,
  fill: false,
  spanGaps: false,
  pointStyle: 'line',
  ...(dash === undefined ? {} : { borderDash: dash }),
});

// -------------------------------------------------------------------------------------
// figures
// -------------------------------------------------------------------------------------

const horizonColors: ReadonlyArray<readonly [number, string]> = [
  [1, '#c92a2a'],
  [7, '#e67700'],
  [30, '#1864ab'],
];

/**
 * The booked-ahead share of one site: per day and horizon, users' booked nodes / reservable
 * nodes (all node types), in percent; operator holds 30 days ahead dotted.
 *
 * @example
 * bookingShare(rep.booking.rows, { site: 'chi_uc' }).name // 'chi_uc_booking'
 * @category constructors
 * @since 0.3.0
 */
export const bookingShare = (rows: ReadonlyArray<BookingRow>, opts: Omit<SiteOptions, 'valueType'>): Figure => {
  const mine = rows.filter((r) => r.site === opts.site && r.value_type === 'nodes');
  const days = new Set(mine.map((r) => dayOf(r.timestamp)));
  const window = windowOf(opts.window, [...days]);
  // per horizon and day: booked, holds and reservable summed over node types
  const sums = new Map<string, { booked: number; holds: number; reservable: number }>();
  for (const r of mine) {
    const k = `${r.horizon_days}|${dayOf(r.timestamp)}`;
    const s = sums.get(k) ?? { booked: 0, holds: 0, reservable: 0 };
    s.booked += r.booked;
    s.holds += r.holds;
    s.reservable += r.reservable;
    sums.set(k, s);
  }
  const share = (h: number, f: (s: { booked: number; holds: number; reservable: number }) => number): Map<number, number> => {
    const out = new Map<number, number>();
    for (const d of days) {
      const s = sums.get(`${h}|${d}`);
      if (s !== undefined && s.reservable > 0) out.set(d, (100 * f(s)) / s.reservable);
    }
    return out;
  };
  const datasets: Array<ChartDataset<'line', S.Point[]>> = horizonColors.map(([h, color]) =>
    monthlyLine(`booked by users, next ${h === 1 ? 'day' : `${h} days`}`, monthlyPoints(window, share(h, (s) => s.booked)), color),
  );
  datasets.push(monthlyLine('held by operators, next 30 days', monthlyPoints(window, share(30, (s) => s.holds)), '#495057', [2, 3]));
  const top = Math.min(100, niceMax(Math.max(1, maxY(datasets) * 1.1)));
  const regions = regionsOf(missing(window, days));
  if (regions.length > 0) datasets.push(noDataEntry());
  const name = opts.siteName ?? displayName(opts.site);
  return {
    name: `${opts.site}_booking`,
    width: WIDTH,
    height: HEIGHT,
    config: {
      type: 'line',
      data: { datasets },
      plugins: [gapsPlugin],
      options: {
        scales: { x: timeAxis(window, 10), y: countAxis('share of reservable nodes booked ahead (%)', 0, top) },
        plugins: {
          ...titles(
            `${name}: the reservation book as users saw it each day (all node types)`,
            window,
            'monthly means of the daily shares; dates as finally stored: a later extension is seen early',
          ),
          legend: { position: 'right', labels: { usePointStyle: true } },
          gaps: { regions },
        },
      },
    },
  };
};

const requestTitles: Readonly<Record<ProjectedLeadTimeRow['request'], string>> = {
  one_node_24h: '1 node for 24 h',
  median: "the type's median lease (last 90 days)",
};

/**
 * The projected lead time of one site: per node type, the wait (days) for the earliest free
 * slot on each day, one panel per request (one node for 24 h on top, the median lease below).
 *
 * @example
 * projectedLeadTime(rep.booking.projected, { site: 'chi_uc' }).name // 'chi_uc_projected_leadtime'
 * @category constructors
 * @since 0.3.0
 */
export const projectedLeadTime = (rows: ReadonlyArray<ProjectedLeadTimeRow>, opts: Omit<SiteOptions, 'valueType'>): Figure => {
  const mine = rows.filter((r) => r.site === opts.site);
  const days = new Set(mine.map((r) => dayOf(r.timestamp)));
  const window = windowOf(opts.window, [...days]);
  const colors = nodeTypeColors(mine.map((r) => r.node_type));
  const requests = ['one_node_24h', 'median'] as const;
  const datasets: Array<ChartDataset<'line', S.Point[]>> = [];
  let max = 0;
  let capped = 0;
  for (const request of requests) {
    for (const [nt, color] of colors) {
      const values = new Map<number, number>();
      for (const r of mine) {
        if (r.request !== request || r.node_type !== nt) continue;
        values.set(dayOf(r.timestamp), r.lead_time_hours / 24);
        max = Math.max(max, r.lead_time_hours / 24);
        if (r.capped) capped++;
      }
      if (values.size === 0) continue;
      datasets.push({ ...monthlyLine(nt, monthlyPoints(window, values), color), yAxisID: `y_${request}` });
    }
  }
  const top = Math.min(capHours / 24, niceMax(Math.max(0.1, maxY(datasets) * 1.1)));
  const axis = (request: (typeof requests)[number]) =>
    ({
      ...countAxis(`wait (days): ${requestTitles[request]}`, 0, top),
      stack: 'panels',
      stackWeight: 1,
      // the lower panel's top label would print over the upper panel's 0
      ticks: { maxTicksLimit: 6, callback: (v: number | string) => (request === 'median' && Number(v) === top ? '' : String(v)) },
    }) as AxisOptions;
  const regions = regionsOf(missing(window, days));
  if (regions.length > 0) datasets.push({ ...noDataEntry(), yAxisID: 'y_one_node_24h' });
  const name = opts.siteName ?? displayName(opts.site);
  const worst = `longest daily wait ${(max).toFixed(1)} days`;
  const note = `monthly means of the daily waits; ${worst}${capped > 0 ? `; ${capped} waits at the 90-day cap (or more)` : ''}`;
  // one legend entry per node type
  const firstOfLabel = new Map<string, number>();
  datasets.forEach((d, i) => (firstOfLabel.has(d.label ?? '') ? undefined : firstOfLabel.set(d.label ?? '', i)));
  const legendIndexes = new Set(firstOfLabel.values());
  return {
    name: `${opts.site}_projected_leadtime`,
    width: WIDTH,
    height: Math.round(HEIGHT * 1.3),
    config: {
      type: 'line',
      data: { datasets },
      plugins: [gapsPlugin],
      options: {
        scales: { x: timeAxis(window, 10), y_median: axis('median'), y_one_node_24h: axis('one_node_24h') },
        plugins: {
          ...titles(`${name}: projected lead time (the wait for the earliest free slot), by node type`, window, note),
          legend: { position: 'right', labels: { usePointStyle: true, boxWidth: 8, filter: (item) => item.datasetIndex !== undefined && legendIndexes.has(item.datasetIndex) } },
          gaps: { regions },
        },
      },
    },
  };
};
