/**
 * Daily node-hours of step functions, for the peer comparison: a series of change points
 * `(t, value)` (the value holds from t until the next point; 0 before the first) integrated over
 * each UTC day of `[start, end)`.
 */
export const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Adds the series' node-hours per day into `into` (length = days of the window). Points must be sorted by time. */
export const addDailyHours = (
  into: Float64Array,
  times: ReadonlyArray<number>,
  values: ReadonlyArray<number>,
  start: number,
  end: number,
): void => {
  const days = into.length;
  for (let i = 0; i < times.length; i++) {
    const v = values[i];
    if (v === 0) continue;
    const s = Math.max(times[i], start);
    const e = Math.min(i + 1 < times.length ? times[i + 1] : end, end);
    if (e <= s) continue;
    for (let d = Math.floor((s - start) / DAY); d < days; d++) {
      const ds = start + d * DAY;
      if (ds >= e) break;
      const over = Math.min(e, ds + DAY) - Math.max(s, ds);
      if (over > 0) into[d] += (v * over) / HOUR;
    }
  }
};
