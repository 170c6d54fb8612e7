/**
 * `report --summary week|month`: the KPI summary (`lib/Summary.ts`) as `summary.json` (the numbers,
 * 6 decimals as every output) and `summary.md` (the text of a KPI e-mail: one table per site, each
 * figure with its change from the period before, and what is unknown said in words).
 *
 * @since 0.3.0
 */
import type { Metrics, Summary, SummaryRow } from '../lib/Summary';
import * as T from '../lib/Time';

/** Rounds to 6 decimals (as the CSV and JSON outputs), keeping `null`. */
const round = (x: number | null): number | null => (x === null ? null : Number(x.toFixed(6)) + 0);

const roundDeep = (v: unknown): unknown => {
  if (typeof v === 'number') return round(v);
  if (Array.isArray(v)) return v.map(roundDeep);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, roundDeep(x)]));
  return v;
};

const day = (t: T.Millis): string => T.toIso(t).slice(0, 10);

/**
 * `summary.json`: the summary with instants as ISO-8601 UTC text (a period's `last_day` is its
 * last day, inclusive, as an e-mail names it) and numbers rounded to 6 decimals.
 *
 * @since 0.3.0
 */
export const summaryJson = (s: Summary, window: { readonly start: T.Millis; readonly end: T.Millis }): string => {
  const period = (p: Summary['current']) => (p === null ? null : { label: p.label, start: T.toIso(p.start), end: T.toIso(p.end), last_day: day(T.unsafeMillis(p.end - T.DAY)) });
  return `${JSON.stringify(roundDeep({ kind: s.kind, window: { start: T.toIso(window.start), end: T.toIso(window.end) }, current: period(s.current), previous: period(s.previous), rows: s.rows }), null, 2)}\n`;
};

/** A whole number with thousands separators (`1,234,567`), the same bytes whatever the locale. */
const int = (x: number): string => String(Math.round(x)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
/** `x` with `digits` decimals, `-0.0` printed as `0.0`. */
const fixed = (x: number, digits: number): string => {
  const s = x.toFixed(digits);
  return Number(s) === 0 ? Math.abs(x).toFixed(digits) : s;
};
const signed = (x: number, digits: number, unit = ''): string => {
  const a = Math.abs(x).toFixed(digits);
  return `${Number(a) === 0 ? '±' : x > 0 ? '+' : '-'}${a}${unit}`;
};
const signedInt = (x: number): string => {
  const r = Math.round(x);
  return `${r === 0 ? '±' : r > 0 ? '+' : '-'}${int(Math.abs(r))}`;
};

/** A figure and its change: `1,234 (+56)`; `unknown` where there is no figure. */
const cell = (cur: number | null, change: number | null | undefined, show: (x: number) => string, showChange: (x: number) => string): string =>
  cur === null ? 'unknown' : change === null || change === undefined ? show(cur) : `${show(cur)} (${showChange(change)})`;

const coverageNote = (m: Metrics): string | null => {
  const parts: string[] = [];
  for (const c of ['reservable', 'committed', 'occupied'] as const) {
    const h = m.covered_hours[c];
    if (h === 0) parts.push(`${c}: no data`);
    else if (h < m.hours) parts.push(`${c}: ${int(h)} of ${int(m.hours)} h known`);
  }
  return parts.length === 0 ? null : parts.join(', ');
};

const tableRow = (r: SummaryRow): string => {
  const c = r.current;
  const d = r.change;
  const hours = (x: number) => `${fixed(x, 1)} h`;
  return `| ${r.node_type} | ${[
    cell(c.node_hours.reservable, d?.node_hours.reservable, int, signedInt),
    cell(c.node_hours.committed, d?.node_hours.committed, int, signedInt),
    cell(c.committed_pct, d?.committed_pct, (x) => `${fixed(x, 1)}%`, (x) => signed(x, 1, ' pt')),
    cell(c.node_hours.occupied, d?.node_hours.occupied, int, signedInt),
    cell(c.occupied_pct, d?.occupied_pct, (x) => `${fixed(x, 1)}%`, (x) => signed(x, 1, ' pt')),
    cell(c.leases_created, d?.leases_created, int, signedInt),
    cell(c.leases_started, d?.leases_started, int, signedInt),
    c.leases_created === 0 ? 'no leases' : cell(c.median_requested_hours, d?.median_requested_hours, hours, (x) => signed(x, 1, ' h')),
    c.leases_created === 0 ? 'no leases' : cell(c.median_effective_hours, d?.median_effective_hours, hours, (x) => signed(x, 1, ' h')),
  ].join(' | ')} |`;
};

/**
 * `summary.md`: a title naming the period and the one it is compared with, how to read the
 * figures, then per site a table (the site's `all` row first, then its node types) and the
 * coverage notes of rows whose period is not fully known.
 *
 * @since 0.3.0
 */
export const summaryMarkdown = (s: Summary, window: { readonly start: T.Millis; readonly end: T.Millis }, siteNames: Readonly<Record<string, string>>): string => {
  const what = s.kind === 'week' ? 'week' : 'month';
  const span = (p: NonNullable<Summary['current']>) => `${p.label} (${day(p.start)} to ${day(T.unsafeMillis(p.end - T.DAY))})`;
  const lines: string[] = [];
  if (s.current === null) {
    lines.push(`# Usage summary: no full ${what}`, '', `The report window ${day(window.start)} to ${day(T.unsafeMillis(window.end - 1))} (UTC) holds no full calendar ${what}: nothing to summarize.`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`# Usage summary, ${what} ${span(s.current)}`, '');
  lines.push(
    s.previous === null
      ? `The ${what} before is not inside the report window (${day(window.start)} to ${day(T.unsafeMillis(window.end - 1))}, UTC): no change is shown.`
      : `Compared with the ${what} before, ${span(s.previous)}; changes in brackets.`,
  );
  lines.push(
    '',
    'Node-hours are the reconstructed node counts integrated over the hours each count is known; a share is',
    'committed (or occupied) over reservable node-hours, over the hours both are known. `unknown` means no data',
    '(never zero). Leases: created in the period, and actually started in it; lead times are the medians of the',
    'leases created in the period (requested: booked start minus creation; effective: actual start minus creation).',
  );
  const sites = [...new Set(s.rows.map((r) => r.site))];
  for (const site of sites) {
    const rows = s.rows.filter((r) => r.site === site);
    const name = siteNames[site];
    lines.push('', `## ${name !== undefined && name !== site ? `${name} (${site})` : site}`, '');
    lines.push('| node type | reservable node-h | committed node-h | committed % | occupied node-h | occupied % | leases created | leases started | median requested lead | median effective lead |');
    lines.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
    for (const r of rows) lines.push(tableRow(r));
    const notes = rows.flatMap((r) => {
      const out: string[] = [];
      const cur = coverageNote(r.current);
      if (cur !== null) out.push(`- ${r.node_type}, ${s.current?.label}: ${cur}`);
      const prev = r.previous === null ? null : coverageNote(r.previous);
      if (prev !== null) out.push(`- ${r.node_type}, ${s.previous?.label}: ${prev}`);
      if (r.current.leases_created === null) out.push(`- ${r.node_type}: leases unknown (the lease table was not read)`);
      return out;
    });
    // the site's coverage is the same for its node types: say it once
    const seen = new Set<string>();
    const unique = notes.filter((n) => {
      const k = n.replace(/^- [^,]*, /, '');
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    if (unique.length > 0) lines.push('', 'Not fully known:', ...unique);
  }
  if (sites.length === 0) lines.push('', 'No site in the report.');
  return `${lines.join('\n')}\n`;
};
