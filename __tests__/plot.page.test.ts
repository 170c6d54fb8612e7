/**
 * The interactive page's data and HTML (plot/pageData.ts, plot/page.ts), without a browser: the
 * page's figures are the PNG figures (same names, same "no data" regions, the same daily values
 * up to rounding), the file is self-contained and deterministic, long windows fall back to weekly
 * data when too big, and bad input still gives figures or an explicit absence. The browser tests
 * are in page.browser.test.ts.
 */
import * as E from 'fp-ts/Either';
import type { BookingRow } from '../lib/Booking';
import type { ProjectedLeadTimeRow } from '../lib/ProjectedLeadTime';
import type { Audit } from '../lib/Report';
import type { UtilizationRow } from '../lib/Utilization';
import * as T from '../lib/Time';
import { figures, type FiguresRequest } from '../plot/figures';
import { reportPage } from '../plot/page';
import { pageData, toFiguresRequest, type PageInput } from '../plot/pageData';
import type { Point } from '../plot/series';
import { coverageFor, END, leadTimeRows, SITES, START, usageRows } from './plot.fixture';

jest.setTimeout(60_000);

const audit: Audit = {
  window: { start: T.toIso(START), end: T.toIso(END) },
  sources: [
    { site: 'chi_uc', source: 'nova.instances', status: 'read', detail: '', rows_read: 10, rows_folded: 8, rows_rejected: 2, rejected_by_reason: { never_launched: 2 } },
    { site: 'chi_tacc', source: 'blazar.computehosts', status: 'missing', detail: 'no such table', rows_read: 0, rows_folded: 0, rows_rejected: 0, rejected_by_reason: {} },
  ],
  fold: [],
  clamping: [{ site: 'chi_uc', count_type: 'committed', action: 'parent_not_covered', rows: 3, node_hours: 12.345 }],
  coverage: [{ site: 'chi_uc', count_type: 'reservable', start: '2023-03-01T00:00:00Z', start_from: 'config', gaps: [{ start: '2023-01-01T00:00:00Z', end: '2023-03-01T00:00:00Z', reason: 'configured start' }] }],
  invariants: [],
  legacy_mismatches: [],
  action_events: [{ site: 'chi_uc', source: 'nova.instance_actions', rejected_by_reason: { orphan: 4 } }],
  warnings: [],
  leadtime: [],
  booking: [],
  power: [],
};

const input = (over: Partial<PageInput> = {}): PageInput => ({
  rows: usageRows(),
  leadTimes: leadTimeRows(),
  coverage: new Map(SITES.map((s) => [s, coverageFor(s)])),
  sites: SITES,
  window: [START, END],
  audit,
  ...over,
});

const original = (i: PageInput): FiguresRequest => ({ rows: i.rows, leadTimes: i.leadTimes, coverage: i.coverage, sites: i.sites, window: i.window });

/** The value drawn at `x` by a `stepped: 'before'` line (`null`: none). */
const drawnAt = (points: ReadonlyArray<Point>, x: number): number | null => {
  let v: number | null = null;
  for (const p of points) {
    if (p.x > x) break;
    v = p.y;
  }
  return v;
};

describe('page data', () => {
  const i = input();
  const data = pageData(i, 'day');
  const fromPage = figures(toFiguresRequest(data));
  const fromRows = figures(original(i));

  it('gives the same figures as the PNG renderer, with exactly the same "no data" regions', () => {
    expect(fromPage.map((f) => f.name)).toEqual(fromRows.map((f) => f.name));
    for (let k = 0; k < fromRows.length; k++) {
      expect(fromPage[k].config.options?.plugins?.gaps).toEqual(fromRows[k].config.options?.plugins?.gaps);
      expect(fromPage[k].config.data.datasets.map((d) => d.label)).toEqual(fromRows[k].config.data.datasets.map((d) => d.label));
      expect(fromPage[k].config.options?.plugins?.title).toEqual(fromRows[k].config.options?.plugins?.title);
    }
    expect(fromPage.some((f) => (f.config.options?.plugins?.gaps?.regions?.length ?? 0) > 0)).toBe(true);
  });

  it('draws the same daily means as the PNG facets, up to rounding, and the same lead times', () => {
    const facets = (fs: typeof fromRows) => fs.filter((f) => f.name.endsWith('_legacy_facets'));
    expect(facets(fromRows).length).toBe(2);
    for (const [a, b] of facets(fromRows).map((f, k) => [f, facets(fromPage)[k]] as const)) {
      a.config.data.datasets.forEach((d, k) => {
        const p = b.config.data.datasets[k].data as ReadonlyArray<Point>;
        for (let day = START + 12 * T.HOUR; day < END; day += T.DAY) {
          const x = drawnAt(d.data as ReadonlyArray<Point>, day);
          const y = drawnAt(p, day);
          if (x === null) expect(y).toBeNull();
          else expect(y).toBeCloseTo(x, 2);
        }
      });
    }
    const lead = (fs: typeof fromRows) => fs.filter((f) => f.name.endsWith('_leadtime')).map((f) => f.config.data.datasets.map((d) => (d.data as Point[]).length));
    expect(lead(fromPage)).toEqual(lead(fromRows));
  });

  it('carries the reservation book (nodes) and the projected lead times: the same rows, the same figures, one node type apart', () => {
    const days = [0, 1, 2, 5].map((d) => T.toIso(T.unsafeMillis(START + d * T.DAY)));
    const rows: BookingRow[] = SITES.flatMap((site) =>
      days.flatMap((timestamp, k) =>
        [1, 7].flatMap((h) =>
          ['compute_skylake', 'gpu_a100'].flatMap((node_type) =>
            (['nodes', 'vcpus'] as const).map((value_type) => ({ site, timestamp, horizon_days: h, node_type, value_type, booked: k + h / 8, free: 10 - k, holds: 0.5, reservable: 10.5 + h / 8 })),
          ),
        ),
      ),
    );
    const projected: ProjectedLeadTimeRow[] = SITES.flatMap((site) =>
      days.flatMap((timestamp, k) => ['compute_skylake', 'gpu_a100'].map((node_type) => ({ site, timestamp, node_type, request: 'one_node_24h' as const, nodes: 1, hours: 24, lead_time_hours: k * 3, capped: k === 3 }))),
    );
    const withBook = input({ booking: { rows, projected } });
    const d = pageData(withBook, 'day');
    const back = toFiguresRequest(d);
    const key = (r: BookingRow) => `${r.site}|${r.timestamp}|${r.horizon_days}|${r.node_type}`;
    expect([...(back.booking?.rows ?? [])].map(key).sort()).toEqual(rows.filter((r) => r.value_type === 'nodes').map(key).sort());
    expect(back.booking?.rows.every((r) => r.value_type === 'nodes')).toBe(true);
    expect([...(back.booking?.projected ?? [])].sort((a, b) => `${a.site}${a.timestamp}${a.node_type}`.localeCompare(`${b.site}${b.timestamp}${b.node_type}`))).toEqual(
      [...projected].sort((a, b) => `${a.site}${a.timestamp}${a.node_type}`.localeCompare(`${b.site}${b.timestamp}${b.node_type}`)),
    );
    const names = (r: FiguresRequest) => figures(r).map((f) => f.name);
    expect(names(back)).toEqual(names({ ...original(withBook), booking: { rows, projected } }));
    expect(names(back).filter((n) => n.endsWith('_booking') || n.endsWith('_projected_leadtime')).length).toBe(2 * SITES.length);
    const gpu = toFiguresRequest(d, 'gpu_a100');
    expect(gpu.booking?.rows.every((r) => r.node_type === 'gpu_a100')).toBe(true);
    expect(gpu.booking?.projected.every((r) => r.node_type === 'gpu_a100')).toBe(true);
  });

  it('carries the utilization per node type (nodes): the same rows, the same node-type and utilization figures', () => {
    const row = (site: string, period: string, node_type: string, k: number, value_type: 'nodes' | 'vcpus' = 'nodes'): UtilizationRow => ({
      site,
      period,
      node_type,
      value_type,
      reservable: 10 + k,
      committed: k,
      occupied: k === 2 ? null : k / 2,
      active: k / 4,
      committed_pct: 10 * k,
      occupied_pct: k === 2 ? null : 5 * k,
      active_pct: 50,
    });
    const monthly = SITES.flatMap((s) => ['2024-01', '2024-02'].flatMap((m, k) => ['all', 'compute_skylake', 'gpu_a100'].flatMap((n) => [row(s, m, n, k + 1), row(s, m, n, k + 1, 'vcpus')])));
    const daily = SITES.flatMap((s) => ['2024-01-01', '2024-01-02', '2024-01-03'].flatMap((d, k) => ['compute_skylake', 'gpu_a100'].map((n) => row(s, d, n, k))));
    const withUtil = input({ utilization: { monthly, daily } });
    const back = toFiguresRequest(pageData(withUtil, 'day'));
    const key = (r: UtilizationRow) => JSON.stringify(r);
    expect((back.utilization?.monthly ?? []).map(key).sort()).toEqual(monthly.filter((r) => r.value_type === 'nodes').map(key).sort());
    expect((back.utilization?.daily ?? []).map(key).sort()).toEqual(daily.map(key).sort());
    const names = (r: FiguresRequest) => figures(r).map((f) => f.name);
    expect(names(back)).toEqual(names({ ...original(withUtil), utilization: { monthly, daily } }));
    expect(names(back).filter((n) => n.endsWith('_node_types') || n.endsWith('_utilization')).length).toBe(2 * SITES.length);
  });

  it('keeps node types apart: one node type gives its own, smaller figures', () => {
    const rows = usageRows().map((r, k) => ({ ...r, node_type: k % 3 === 0 ? 'gpu_a100' : 'compute_skylake' }));
    const d = pageData(input({ rows, leadTimes: [] }), 'day');
    expect(d.nodeTypes).toEqual(['compute_skylake', 'gpu_a100']);
    const gpu = toFiguresRequest(d, 'gpu_a100');
    expect(gpu.rows.length).toBeGreaterThan(0);
    expect(gpu.rows.every((r) => r.node_type === 'gpu_a100')).toBe(true);
    expect(toFiguresRequest(d).rows.length).toBeGreaterThan(gpu.rows.length);
  });

  it('holds the audit as tables whose first column is the site', () => {
    expect(data.audit.map((t) => t.title)).toEqual(['sources', 'rejections by reason', 'clamping', 'coverage gaps']);
    for (const t of data.audit) expect(t.columns[0]).toBe('site');
    expect(data.audit[1].rows).toEqual([
      ['chi_uc', 'nova.instances', 'never_launched', 2],
      ['chi_uc', 'nova.instance_actions', 'orphan', 4],
    ]);
    expect(data.audit[2].rows).toEqual([['chi_uc', 'committed', 'parent_not_covered', 3, 12.3]]);
  });

  it('reduces a long window to ISO weeks starting on Mondays', () => {
    const w = pageData(input(), 'week');
    const s = w.series.find((x) => x.collector === 'new' && x.count_type === 'total' && x.site === 'chi_uc');
    expect(s).toBeDefined();
    const req = toFiguresRequest(w);
    const ts = [...new Set(req.rows.filter((r) => r.collector_type === 'new').map((r) => T.fromIsoNullable(r.timestamp) as number))];
    for (const t of ts) expect(t === START || new Date(t).getUTCDay() === 1).toBe(true);
  });
});

describe('report.html', () => {
  it('is one self-contained, deterministic file that forbids every request', () => {
    const a = reportPage(input());
    const b = reportPage(input());
    expect(E.isRight(a) && E.isRight(b)).toBe(true);
    if (E.isLeft(a) || E.isLeft(b)) return;
    expect(a.right.html).toBe(b.right.html);
    expect(a.right.resolution).toBe('day');
    expect(a.right.bytes).toBe(Buffer.byteLength(a.right.html));
    expect(a.right.html).toContain(`content="default-src 'none'; script-src 'unsafe-inline'`);
    expect(a.right.html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    // the script is closed once, by its own tag
    expect(a.right.html.match(/<\/script>/g)?.length).toBe(2);
  });

  it('falls back to weekly data when a window over five years is too big, never for a short one', () => {
    const long: PageInput = input({ window: [START, START + 6 * 365 * T.DAY] });
    const page = reportPage(long, 1_000);
    expect(E.isRight(page) && page.right.resolution).toBe('week');
    const short = reportPage(input(), 1_000);
    expect(E.isRight(short) && short.right.resolution).toBe('day');
  });

  it('builds figures or an explicit absence from a site without data, an uncovered window and a node type with one point', () => {
    const one = usageRows().find((r) => r.site === 'chi_uc' && r.collector_type === 'new' && r.count_type === 'total');
    if (one === undefined) throw new Error('fixture without chi_uc total');
    const bad = input({
      rows: [...usageRows().filter((r) => r.site !== 'kvm_tacc'), { ...one, node_type: 'lonely' }],
      leadTimes: [],
      sites: [...SITES, 'chi_empty'],
      window: [START, END],
    });
    const d = pageData(bad, 'day');
    expect(d.nodeTypes).toEqual(['lonely']);
    const names = figures(toFiguresRequest(d)).map((f) => f.name);
    expect(names.some((n) => n.startsWith('chi_empty'))).toBe(false);
    expect(figures(toFiguresRequest(d, 'lonely')).map((f) => f.name)).toEqual(['chi_uc_usage_stack']);
    const uncovered = pageData(input({ window: [END, END + 30 * T.DAY] }), 'day');
    expect(uncovered.series).toEqual([]);
    expect(() => figures(toFiguresRequest(uncovered))).not.toThrow();
  });
});
