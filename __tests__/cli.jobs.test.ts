/**
 * `report --jobs N` (cli/sitePool.ts): the sites read and reduced in worker threads give the same
 * files, byte for byte, as one site after the other in the main thread; a site that fails in its
 * worker fails the run as it would without workers, and writes nothing. Runs the built CLI
 * (fixtures/builtCli), on a small synthetic testbed of three sites (bare metal, KVM, devices).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnCli } from './fixtures/builtCli';

let dir: string;

const config = (dbOf: (site: string) => string): string =>
  ['sites:', ...['chi_uc', 'kvm_tacc', 'chi_edge'].flatMap((s) => [`  ${s}:`, `    db: ${JSON.stringify(dbOf(s))}`])].join('\n') + '\n';

const filesOf = (out: string): ReadonlyArray<string> => fs.readdirSync(path.join(out, 'data')).sort();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-jobs-'));
  const g = await spawnCli(['generate', '--quiet', '--out', dir, '--scale', '0.02', '--site', 'chi_uc', '--site', 'kvm_tacc', '--site', 'chi_edge'], { cwd: dir, limitMs: 120_000 });
  expect(g.code).toBe(0);
  fs.writeFileSync(path.join(dir, 'sites.yaml'), config((s) => `sqlite:${path.join(dir, `${s}.sqlite`)}`));
  fs.writeFileSync(path.join(dir, 'gone.yaml'), config((s) => `sqlite:${path.join(dir, s === 'kvm_tacc' ? 'gone.sqlite' : `${s}.sqlite`)}`));
}, 180_000);

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const report = (jobs: number, cfg: string, out: string) =>
  spawnCli(['report', '--config', cfg, '--value-types', 'all', '--resample', '1d', '--summary', 'month', '--no-plots', '--no-html', '--jobs', String(jobs), '--out', out], { cwd: dir, limitMs: 240_000 });

describe('report --jobs', () => {
  it('writes the same files, byte for byte, with three workers as with none', async () => {
    const one = await report(1, 'sites.yaml', 'one');
    const three = await report(3, 'sites.yaml', 'three');
    expect([one.code, three.code]).toEqual([0, 0]);
    const names = filesOf(path.join(dir, 'one'));
    expect(filesOf(path.join(dir, 'three'))).toEqual(names);
    expect(names).toContain('usage_timeline.csv');
    for (const f of names) expect(fs.readFileSync(path.join(dir, 'three', 'data', f)).equals(fs.readFileSync(path.join(dir, 'one', 'data', f)))).toBe(true);
    // every site was read, and the workers' progress reached stderr
    const usage = fs.readFileSync(path.join(dir, 'three', 'data', 'usage_timeline.csv'), 'utf8');
    for (const s of ['chi_uc', 'kvm_tacc', 'chi_edge']) {
      expect(usage).toContain(`\n${s},`);
      expect(three.err).toContain(`${s}: reading sqlite:`);
    }
  }, 300_000);

  it('fails the run with the failing site, exit code and message as without workers, and writes nothing', async () => {
    const one = await report(1, 'gone.yaml', 'gone-one');
    const two = await report(2, 'gone.yaml', 'gone-two');
    expect(two.code).toBe(3);
    expect(one.code).toBe(3);
    const last = (s: string) => s.trim().split('\n').at(-1);
    expect(last(two.err)).toMatch(/gone\.sqlite: no such file/);
    expect(last(two.err)).toBe(last(one.err));
    expect(fs.existsSync(path.join(dir, 'gone-two'))).toBe(false);
  }, 300_000);

  it('refuses a --jobs that is not a whole number of 1 or more', async () => {
    for (const bad of ['0', '1.5', 'two']) {
      const r = await spawnCli(['report', '--config', 'sites.yaml', '--jobs', bad], { cwd: dir, limitMs: 30_000 });
      expect(r.code).toBe(2);
      expect(r.err).toContain(`--jobs ${bad}: give a whole number of sites, 1 or more`);
    }
  }, 120_000);
});
