/**
 * Signals and partial work (issue 18): SIGINT or SIGTERM during a long report (one site of the
 * demo-size testbed, scale 0.25: the demo's default since the testbed is at Chameleon's real
 * scale at 1) stops it within 2 s, at any phase (reading, reconstructing,
 * drawing, writing), leaves no temporary file and no partial output (the previous outputs, or
 * the complete new set), and ends with status 130 or 143 (the signal's default action while
 * nothing is held, `exit(130|143)` after removing the temporary files while writing). A second run
 * with the same arguments writes files byte-identical to a run never interrupted.
 *
 * The snapshot is generated once (about 10 s of CPU) and cached in the system's temporary folder
 * for later runs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnCli, type Run } from './fixtures/builtCli';

jest.setTimeout(900_000);

const SITE = 'chi_uc';
const cacheDir = path.join(os.tmpdir(), 'chameleon-usage-test-cache', `testbed-20160101-0.25-${SITE}`);
const snapshot = path.join(cacheDir, `${SITE}.sqlite`);
let dir: string;

const args = (out: string, window: ReadonlyArray<string> = []): string[] => [
  'report',
  '--db',
  `sqlite:${snapshot}`,
  '--site',
  SITE,
  '--resample',
  '1d',
  '--group-by',
  'node_type',
  '--plot-format',
  'png',
  ...window,
  '--out',
  out,
];

/** Every file under `d` with its bytes, by relative path. */
const files = (d: string): Map<string, Buffer> =>
  new Map(
    fs.existsSync(d)
      ? (fs.readdirSync(d, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(d, f)).isFile()).map((f) => [f, fs.readFileSync(path.join(d, f))])
      : [],
  );

const same = (a: Map<string, Buffer>, b: Map<string, Buffer>): boolean => a.size === b.size && [...a].every(([k, v]) => b.get(k)?.equals(v) === true);

interface Interrupted {
  readonly run: Run;
  /** Milliseconds from the signal to the end of the process. */
  readonly stopMs: number;
}

/**
 * Runs a report and sends `signal` once `when` says so (polled every 5 ms with the stderr so far
 * and the output folder).
 */
const interrupt = async (out: string, signal: NodeJS.Signals, when: (err: string) => boolean, window: ReadonlyArray<string> = []): Promise<Interrupted> => {
  let pid = 0;
  let sentAt = 0;
  let err = '';
  const running = spawnCli(args(out, window), { cwd: dir, limitMs: 600_000, onSpawn: (p) => (pid = p), onStderr: (s) => (err += s) });
  const poll = setInterval(() => {
    if (sentAt === 0 && pid !== 0 && when(err)) {
      sentAt = Date.now();
      process.kill(pid, signal);
    }
  }, 5);
  const run = await running;
  clearInterval(poll);
  return { run, stopMs: sentAt === 0 ? Number.NaN : Date.now() - sentAt };
};

/** Temporary files left anywhere under `d`. */
const temps = (d: string): string[] => (fs.existsSync(d) ? (fs.readdirSync(d, { recursive: true }) as string[]).filter((f) => /\.tmp$|\.tmp-\d+$/.test(f)) : []);

/** A temporary output file exists in `d`/data (the write phase has begun). */
const writing = (d: string) => () => temps(d).length > 0;

let base: Map<string, Buffer>;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-signals-'));
  if (!fs.existsSync(snapshot)) {
    const tmp = `${cacheDir}.tmp-${process.pid}`;
    const g = await spawnCli(['generate', '--out', tmp, '--site', SITE, '--scale', '0.25'], { cwd: dir, limitMs: 600_000 });
    if (g.code !== 0) throw new Error(`generate failed: ${g.err}`);
    fs.mkdirSync(path.dirname(cacheDir), { recursive: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
    fs.renameSync(tmp, cacheDir);
  }
  const r = await spawnCli(args(path.join(dir, 'base')), { cwd: dir, limitMs: 600_000 });
  if (r.code !== 0) throw new Error(`the uninterrupted report failed: ${r.err}`);
  base = files(path.join(dir, 'base'));
});

afterAll(() => {
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

const expectStopped = (x: Interrupted, signal: NodeJS.Signals, out: string, before: Map<string, Buffer> = new Map()) => {
  const status = x.run.code ?? (x.run.signal === 'SIGINT' ? 130 : x.run.signal === 'SIGTERM' ? 143 : -1);
  expect({ status, hung: x.run.hung }).toEqual({ status: signal === 'SIGINT' ? 130 : 143, hung: false });
  expect(x.stopMs).toBeLessThan(2000);
  expect(temps(out)).toEqual([]);
  expect(x.run.err).not.toMatch(/\n\s+at |unexpected error/);
  // the previous outputs as they were, or the complete new set: never a mix
  const now = files(out);
  expect(same(now, before) || same(now, base)).toBe(true);
};

describe('a report interrupted at each phase', () => {
  it('is in the test: the uninterrupted run wrote the data files and the figures', () => {
    expect([...base.keys()].filter((f) => f.startsWith('data')).length).toBeGreaterThanOrEqual(7);
    expect([...base.keys()].filter((f) => f.endsWith('.png')).length).toBeGreaterThan(0);
  });

  it('stops while reading on SIGINT within 2 s, with nothing written', async () => {
    const out = path.join(dir, 'reading');
    let seen = 0;
    const x = await interrupt(out, 'SIGINT', (err) => {
      if (!err.includes(': reading ')) return false;
      seen ||= Date.now();
      return Date.now() - seen > 300;
    });
    expectStopped(x, 'SIGINT', out);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('stops while drawing the figures on SIGTERM within 2 s, with nothing written', async () => {
    const out = path.join(dir, 'drawing');
    const x = await interrupt(out, 'SIGTERM', (err) => err.includes('drawing figures'));
    expectStopped(x, 'SIGTERM', out);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('stops while writing on SIGINT within 2 s, removing its temporary files and keeping the previous outputs', async () => {
    const out = path.join(dir, 'writing');
    // previous outputs of another window: they must survive whole, or be replaced whole
    const prev = await spawnCli(args(out, ['--start', '2025-06-01']), { cwd: dir, limitMs: 600_000 });
    expect(prev.code).toBe(0);
    const before = files(out);
    const x = await interrupt(out, 'SIGINT', writing(out));
    expectStopped(x, 'SIGINT', out, before);
    expect(Number.isNaN(x.stopMs)).toBe(false);
  });

  it('writes byte-identical files when run again after an interruption', async () => {
    const out = path.join(dir, 'again');
    const x = await interrupt(out, 'SIGTERM', (err) => err.includes(': reading '));
    expectStopped(x, 'SIGTERM', out);
    const r = await spawnCli(args(out), { cwd: dir, limitMs: 600_000 });
    expect(r.code).toBe(0);
    expect(same(files(out), base)).toBe(true);
  });
});
