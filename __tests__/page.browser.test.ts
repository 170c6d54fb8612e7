/**
 * report.html in a real browser (headless Debian chromium, fixtures/browser.ts): it loads from
 * file:// with no console error and no request, every chart draws, the wheel zooms the time axis
 * and the button resets it, a legend entry hides its series, the node-type selector rebuilds the
 * figures, a screenshot of each site has the size of its section, and bad input (a site without
 * data, a window without a covered hour, a node type with one point) shows an explicit "no data"
 * state. Screenshots are kept in `CHAMELEON_SCREENSHOTS` when set.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import type { Page } from 'playwright-core';
import type { Audit } from '../lib/Report';
import * as T from '../lib/Time';
import { reportPage } from '../plot/page';
import type { PageInput } from '../plot/pageData';
import { describeChromium, launch, type Browser } from './fixtures/browser';
import { coverageFor, END, leadTimeRows, SITES, START, usageRows } from './plot.fixture';

jest.setTimeout(120_000);

const audit: Audit = {
  window: { start: T.toIso(START), end: T.toIso(END) },
  sources: SITES.map((site) => ({ site, source: 'nova.instances', status: 'read', detail: '', rows_read: 10, rows_folded: 9, rows_rejected: 1, rejected_by_reason: { never_launched: 1 } })),
  fold: [],
  clamping: [],
  coverage: [],
  invariants: [],
  legacy_mismatches: [],
  action_events: [],
  warnings: [],
  leadtime: [],
  booking: [],
  power: [],
};

const baseInput: PageInput = { rows: usageRows(), leadTimes: leadTimeRows(), coverage: new Map(SITES.map((s) => [s, coverageFor(s)])), sites: SITES, window: [START, END], audit };

let dir: string;
const write = (name: string, input: PageInput): string => {
  const page = reportPage(input);
  if (E.isLeft(page)) throw new Error(page.left.message);
  const file = path.join(dir, name);
  fs.writeFileSync(file, page.right.html);
  return file;
};

interface Loaded {
  readonly page: Page;
  readonly problems: string[];
}

const open = async (browser: Browser, file: string): Promise<Loaded> => {
  const page = await browser.context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => (m.type() === 'error' ? problems.push(`console ${m.type()}: ${m.text()}`) : undefined));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('request', (r) => (r.url().startsWith('file://') ? undefined : problems.push(`request: ${r.url()}`)));
  await page.goto(`file://${file}`);
  await page.waitForFunction(() => window.chameleonReport?.ready === true, null, { timeout: 60_000 });
  return { page, problems };
};

/** The share of a chart's pixels that are not blank (neither transparent nor white). */
const inked = (page: Page, name: string): Promise<number> =>
  page.evaluate((n) => {
    const c = window.chameleonReport?.charts.get(n);
    if (c === undefined) return -1;
    const { width, height } = c.canvas;
    const px = c.ctx.getImageData(0, 0, width, height).data;
    let ink = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && !(px[i] > 250 && px[i + 1] > 250 && px[i + 2] > 250)) ink++;
    return ink / (width * height);
  }, name);

const xRange = (page: Page, name: string): Promise<readonly [number, number]> =>
  page.evaluate((n) => {
    const x = window.chameleonReport?.charts.get(n)?.scales.x;
    return [x?.min ?? NaN, x?.max ?? NaN] as const;
  }, name);

/** PNG width and height from its header. */
const pngSize = (bytes: Buffer): readonly [number, number] => [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];

describeChromium('report.html in chromium', () => {
  let browser: Browser;
  let good: Loaded;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-page-'));
    browser = await launch();
    good = await open(browser, write('report.html', baseInput));
  });
  afterAll(async () => {
    await browser?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loads from file:// with no console error, no page error and no request', async () => {
    expect(good.problems).toEqual([]);
    expect(await good.page.evaluate(() => window.chameleonReport?.errors)).toEqual([]);
  });

  it('draws every figure of the report on a canvas that is not blank', async () => {
    const names = await good.page.evaluate(() => [...(window.chameleonReport?.charts.keys() ?? [])]);
    expect(names.sort()).toEqual(
      ['chi_tacc_legacy_facets', 'chi_tacc_usage_stack', 'chi_uc_legacy_facets', 'chi_uc_usage_stack', 'kvm_tacc_usage_stack', 'cross_site_usage', 'chi_tacc_leadtime', 'chi_uc_leadtime'].sort(),
    );
    for (const n of names) expect(await inked(good.page, n)).toBeGreaterThan(0.02);
    expect(await good.page.locator('h3').filter({ hasText: 'audit: sources' }).count()).toBe(3);
  });

  it('zooms the time axis with the wheel, and the button resets it', async () => {
    const { page } = good;
    const name = 'chi_uc_usage_stack';
    const before = await xRange(page, name);
    expect(before).toEqual([START, END]);
    const canvas = page.locator(`canvas[data-figure="${name}"]`);
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    if (box === null) throw new Error('no canvas box');
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await page.mouse.wheel(0, -400);
    await page.waitForFunction(([n, full]) => {
      const x = window.chameleonReport?.charts.get(n as string)?.scales.x;
      return x !== undefined && x.max - x.min < (full as number);
    }, [name, END - START] as const);
    const zoomed = await xRange(page, name);
    expect(zoomed[1] - zoomed[0]).toBeLessThan((END - START) * 0.95);
    expect(zoomed[0]).toBeGreaterThanOrEqual(START);
    expect(zoomed[1]).toBeLessThanOrEqual(END);
    await page.locator(`figure[data-figure="${name}"] button.reset`).click();
    expect(await xRange(page, name)).toEqual([START, END]);
  });

  it('hides a series when its legend entry is clicked, and shows it again', async () => {
    const { page } = good;
    const name = 'chi_uc_usage_stack';
    const hit = await page.evaluate((n) => {
      const c = window.chameleonReport?.charts.get(n);
      const items = c?.legend?.legendItems ?? [];
      const i = items.findIndex((it) => it.text === 'total capacity');
      const box = (c?.legend as unknown as { legendHitBoxes: Array<{ left: number; top: number; width: number; height: number }> }).legendHitBoxes[i];
      const r = c?.canvas.getBoundingClientRect();
      return { x: (r?.left ?? 0) + box.left + box.width / 2, y: (r?.top ?? 0) + box.top + box.height / 2, index: items[i].datasetIndex ?? -1 };
    }, name);
    const visible = () => page.evaluate(([n, i]) => window.chameleonReport?.charts.get(n as string)?.isDatasetVisible(i as number), [name, hit.index] as const);
    expect(await visible()).toBe(true);
    const ink = await inked(page, name);
    // Chart.js handles at most one event per animation frame: the pointer comes to rest first
    const click = async () => {
      await page.mouse.move(hit.x, hit.y);
      await page.waitForTimeout(200);
      await page.mouse.click(hit.x, hit.y);
      await page.waitForTimeout(200);
    };
    await click();
    expect(await visible()).toBe(false);
    expect(await inked(page, name)).toBeLessThan(ink);
    await click();
    expect(await visible()).toBe(true);
  });

  it('rebuilds the figures for the node type chosen in the selector', async () => {
    const { page } = good;
    const types = await page.locator('#node-type option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter((v) => v !== ''));
    expect(types.length).toBeGreaterThan(1);
    const labels = () => page.evaluate(() => window.chameleonReport?.charts.get('chi_uc_leadtime')?.data.datasets.map((d) => d.label));
    expect(new Set(await labels()).size).toBeGreaterThan(1);
    await page.selectOption('#node-type', types[0]);
    await page.waitForFunction((t) => window.chameleonReport?.nodeType === t, types[0]);
    expect(new Set(await labels())).toEqual(new Set([types[0]]));
    expect(await page.locator('#site-chi_uc h2').textContent()).toBe(`CHI@UC: node type ${types[0]} only`);
    // the usage rows of the fixture have no node type: their figures say so instead of vanishing
    expect(await page.locator('#site-chi_uc .nodata').count()).toBe(0);
    expect(await page.evaluate(() => window.chameleonReport?.charts.has('chi_uc_usage_stack'))).toBe(false);
    await page.selectOption('#node-type', '');
    await page.waitForFunction(() => window.chameleonReport?.nodeType === '');
    expect(await page.evaluate(() => window.chameleonReport?.charts.has('chi_uc_usage_stack'))).toBe(true);
    expect(good.problems).toEqual([]);
  });

  it('writes a screenshot of each site with the size of its section', async () => {
    const keep = process.env.CHAMELEON_SCREENSHOTS;
    for (const s of SITES) {
      const section = good.page.locator(`#site-${s}`);
      const box = await section.boundingBox();
      const file = path.join(keep ?? dir, `site-${s}.png`);
      if (keep !== undefined) fs.mkdirSync(keep, { recursive: true });
      await section.screenshot({ path: file });
      const [w, h] = pngSize(fs.readFileSync(file));
      expect(w).toBe(Math.round(box?.width ?? 0));
      expect(Math.abs(h - (box?.height ?? 0))).toBeLessThanOrEqual(1);
      expect(h).toBeGreaterThan(900); // figures and tables, not an empty section
    }
  });

  it('shows an explicit "no data" state for a site without data, a window without a covered hour and a node type with one point', async () => {
    const one = usageRows().find((r) => r.site === 'chi_uc' && r.collector_type === 'new' && r.count_type === 'total');
    if (one === undefined) throw new Error('fixture without chi_uc total');
    const bad = await open(
      browser,
      write('bad.html', { ...baseInput, rows: [...baseInput.rows, { ...one, node_type: 'lonely' }], sites: [...SITES, 'chi_empty'] }),
    );
    expect(await bad.page.locator('#site-chi_empty .nodata').textContent()).toContain('No data for chi_empty');
    await bad.page.selectOption('#node-type', 'lonely');
    await bad.page.waitForFunction(() => window.chameleonReport?.nodeType === 'lonely');
    expect(await bad.page.evaluate(() => [...(window.chameleonReport?.charts.keys() ?? [])])).toEqual(['chi_uc_usage_stack']);
    expect(await inked(bad.page, 'chi_uc_usage_stack')).toBeGreaterThan(0.02);
    expect(await bad.page.locator('#site-chi_tacc .nodata').textContent()).toContain('for node type lonely');
    expect(bad.problems).toEqual([]);

    const empty = await open(browser, write('uncovered.html', { ...baseInput, leadTimes: [], window: [END, T.unsafeMillis(END + 30 * T.DAY)] }));
    expect(await empty.page.evaluate(() => window.chameleonReport?.charts.size)).toBe(0);
    expect(await empty.page.locator('.nodata').count()).toBe(SITES.length + 1);
    expect(await empty.page.locator('main').textContent()).toContain('No data for CHI@UC');
    expect(empty.problems).toEqual([]);
  });
});
