import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCanvas, loadImage } from 'canvas';
import * as E from 'fp-ts/Either';
import { drawAll, figures, renderer, svgInPixels } from '../plot';
import { usageStack, type Figure } from '../plot/configs';
import { coverageFor, leadTimeRows, SITES, usageRows, utilizationRows } from './plot.fixture';

// Set PLOT_TEST_OUT to a folder to keep the figures and look at them.
const keep = process.env.PLOT_TEST_OUT;

const pngSize = (b: Buffer) => ({ width: b.readUInt32BE(16), height: b.readUInt32BE(20) });
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The variance of the grey levels of a PNG: near zero for a blank image. */
const pixelVariance = async (file: string): Promise<number> => {
  const img = await loadImage(file);
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const { data } = ctx.getImageData(0, 0, img.width, img.height);
  let sum = 0;
  let sq = 0;
  const n = data.length / 4;
  for (let i = 0; i < data.length; i += 4) {
    const g = (data[i] + data[i + 1] + data[i + 2]) / 3;
    sum += g;
    sq += g * g;
  }
  return sq / n - (sum / n) ** 2;
};

const coverage = new Map(SITES.map((s) => [s, coverageFor(s)]));
const request = { rows: usageRows(), leadTimes: leadTimeRows(), coverage, sites: SITES, utilization: utilizationRows() };

describe('drawAll', () => {
  let out: string;
  let written: ReadonlyArray<string>;
  beforeAll(async () => {
    out = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cu-plot-'));
    const r = await drawAll({ ...request, out, formats: ['png', 'svg'] })();
    if (E.isLeft(r)) throw new Error(`drawAll failed: ${JSON.stringify(r.left)}`);
    written = r.right;
  }, 120_000);
  afterAll(() => {
    if (keep === undefined) fs.rmSync(out, { recursive: true, force: true });
  });

  const expected = [
    'chi_uc_legacy_facets',
    'chi_uc_usage_stack',
    'chi_uc_node_types',
    'chi_uc_utilization',
    'chi_tacc_legacy_facets',
    'chi_tacc_usage_stack',
    'chi_tacc_node_types',
    'chi_tacc_utilization',
    'kvm_tacc_usage_stack',
    'kvm_tacc_node_types',
    'kvm_tacc_utilization',
    'cross_site_usage',
    'chi_uc_leadtime',
    'chi_tacc_leadtime',
  ];

  it('writes every figure of the plan under <out>/plots with its exact name, in PNG and SVG', () => {
    const names = expected.flatMap((n) => [`${n}.png`, `${n}.svg`]);
    expect(written.map((p) => path.relative(out, p))).toEqual(names.map((n) => path.join('plots', n)));
    expect(fs.readdirSync(path.join(out, 'plots')).sort()).toEqual([...names].sort());
  });

  it.each(expected)('%s.png is a PNG of the figure size that is not blank', async (name) => {
    const fig = figures(request).find((f) => f.name === name);
    const file = path.join(out, 'plots', `${name}.png`);
    const bytes = fs.readFileSync(file);
    expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(bytes.toString('latin1', 12, 16)).toBe('IHDR');
    expect(pngSize(bytes)).toEqual({ width: fig?.width, height: fig?.height });
    expect(await pixelVariance(file)).toBeGreaterThan(200);
  });

  it.each(expected)('%s.svg is an SVG of the figure size in pixels, drawn as vectors', (name) => {
    const fig = figures(request).find((f) => f.name === name);
    const text = fs.readFileSync(path.join(out, 'plots', `${name}.svg`), 'utf8');
    const root = /<svg\b[^>]*>/.exec(text)?.[0] ?? '';
    expect(root).toContain(`width="${fig?.width}"`);
    expect(root).toContain(`height="${fig?.height}"`);
    expect(text.trimEnd().endsWith('</svg>')).toBe(true);
    // Lines and text are paths, not one embedded bitmap.
    expect(text).not.toContain('<image');
    expect((text.match(/<path/g) ?? []).length).toBeGreaterThan(50);
  });
});

describe('renderer', () => {
  it('renders the same configuration twice to the same PNG bytes', () => {
    const render = renderer();
    const fig = () => usageStack(usageRows(), coverageFor('chi_uc'), { site: 'chi_uc' });
    const a = render(fig(), 'png');
    const b = render(fig(), 'png');
    expect(E.isRight(a) && E.isRight(b) && a.right.equals(b.right)).toBe(true);
  });

  it('returns a RenderFailure naming the figure when Chart.js throws', () => {
    const fig = usageStack(usageRows(), coverageFor('chi_uc'), { site: 'chi_uc' });
    const broken = { ...fig, config: { ...fig.config, type: 'no-such-chart' } } as unknown as Figure;
    const r = renderer()(broken, 'png');
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'RenderFailure', figure: 'chi_uc_usage_stack.png' });
  });

  it('rewrites the SVG root size from points to pixels and leaves the rest alone', () => {
    expect(svgInPixels('<svg width="1200pt" height="620pt" viewBox="0 0 1200 620"><rect width="3pt"/></svg>')).toBe(
      '<svg width="1200" height="620" viewBox="0 0 1200 620"><rect width="3pt"/></svg>',
    );
  });
});
