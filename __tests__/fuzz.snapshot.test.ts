/**
 * Corrupt snapshots (issue 18): a small real SQLite snapshot (the small site of the fixtures) is
 * damaged in seeded ways (truncated, bytes flipped, a page overwritten, garbage appended, and
 * mixes of these), and `report` reads each one. Every run ends within its limit with exit code 0
 * (the damage missed every page read) or 3, 4 or 5 and one clear line: never an unexpected error
 * (exit 1), a stack trace, a hang or a dead process; a failed run writes nothing, and the damaged
 * file is never changed (snapshots are opened read-only).
 *
 * Cost: the cases run through the built CLI's `main` in two long-lived worker processes (one
 * process start per worker, not per case); a case over its limit kills its worker, is recorded as
 * a hang, and a fresh worker takes the next case. Set CHAMELEON_FUZZ_CASES for more cases and
 * CHAMELEON_FUZZ_SEED for another seed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { builtCli } from './fixtures/builtCli';
import { openFixture } from './fixtures/db';
import { populate } from './fixtures/smallSite';

const SEED = Number(process.env.CHAMELEON_FUZZ_SEED ?? 18_2026);
const CASES = Number(process.env.CHAMELEON_FUZZ_CASES ?? 240);
const LIMIT_MS = 15_000;
const WORKERS = 2;

/** mulberry32: a small seeded generator, so every case can be made again from (seed, index). */
const rng = (seed: number) => {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

type Damage = 'truncate' | 'flip' | 'page' | 'append' | 'mixed';
const damages: ReadonlyArray<Damage> = ['truncate', 'flip', 'page', 'append', 'mixed'];

/** Damages `good` (a SQLite file of `pageSize` pages) the way case `i` says; returns the bytes and what was done. */
const damage = (good: Buffer, pageSize: number, i: number): { bytes: Buffer; what: string } => {
  const r = rng(SEED * 1000 + i);
  const int = (n: number) => Math.floor(r() * n);
  const kind = damages[i % damages.length];
  let b = Buffer.from(good);
  const steps: string[] = [];
  const one = (k: Exclude<Damage, 'mixed'>) => {
    if (k === 'truncate') {
      // at a page boundary half the time: a clean cut SQLite may take for a shorter file
      const at = r() < 0.5 ? int(b.length / pageSize) * pageSize : int(b.length);
      b = b.subarray(0, at);
      steps.push(`truncate@${at}`);
    } else if (k === 'flip') {
      const n = 1 + int(32);
      const header = r() < 0.3;
      for (let j = 0; j < n && b.length > 0; j++) {
        const at = header ? int(Math.min(100, b.length)) : int(b.length);
        b[at] ^= 1 << int(8);
      }
      steps.push(`flip${n}${header ? '@header' : ''}`);
    } else if (k === 'page') {
      const pages = Math.max(1, Math.floor(b.length / pageSize));
      const p = int(pages);
      const fill = r() < 0.5 ? 'zero' : 'random';
      for (let j = p * pageSize; j < Math.min(b.length, (p + 1) * pageSize); j++) b[j] = fill === 'zero' ? 0 : int(256);
      steps.push(`page${p}:${fill}`);
    } else {
      const n = 1 + int(3 * pageSize);
      const junk = Buffer.alloc(n);
      for (let j = 0; j < n; j++) junk[j] = int(256);
      b = Buffer.concat([b, junk]);
      steps.push(`append${n}`);
    }
  };
  if (kind === 'mixed') for (let k = 0; k < 2 + int(3); k++) one(damages[int(4)] as Exclude<Damage, 'mixed'>);
  else one(kind);
  return { bytes: b, what: steps.join('+') };
};

/** The worker: runs `main` for each case it is sent and answers with the exit code and stderr. */
const workerSource = (mainJs: string) => `
const { main } = require(${JSON.stringify(mainJs)});
const write = process.stderr.write.bind(process.stderr);
process.on('message', async (c) => {
  const err = [];
  process.stderr.write = (s) => (err.push(String(s)), true);
  const t0 = Date.now();
  let code;
  try {
    code = await main(c.args);
  } catch (e) {
    code = 'threw: ' + (e && e.stack || e);
  }
  process.stderr.write = write;
  process.send({ i: c.i, code, err: err.join(''), ms: Date.now() - t0 });
});
`;

interface Outcome {
  readonly i: number;
  readonly what: string;
  readonly code: number | string;
  readonly err: string;
  readonly ms: number;
}

let dir: string;
let outcomes: Outcome[] = [];
let hangs: Outcome[] = [];
let changed: number[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-fuzz-'));
  const fx = await openFixture('sqlite');
  let good: Buffer;
  try {
    await populate(fx);
    await fx.src.knex.destroy();
    good = fs.readFileSync(fx.url.replace(/^sqlite:/, ''));
  } finally {
    await fx.drop();
  }
  const pageSize = good.readUInt16BE(16) === 1 ? 65536 : good.readUInt16BE(16);
  const cases = Array.from({ length: CASES }, (_, i) => {
    const { bytes, what } = damage(good, pageSize, i);
    const file = path.join(dir, `case-${i}.sqlite`);
    fs.writeFileSync(file, bytes);
    return { i, what, file, hash: createHash('sha1').update(bytes).digest('hex') };
  });
  const script = path.join(dir, 'worker.js');
  fs.writeFileSync(script, workerSource(builtCli()));
  const queue = [...cases];
  const byIndex = new Map(cases.map((c) => [c.i, c]));
  const runWorker = async (): Promise<void> => {
    let child: ChildProcess | undefined;
    const start = () => fork(script, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { PATH: process.env.PATH ?? '', TZ: 'UTC' } });
    try {
      for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
        child ??= start();
        const w = child;
        const args = ['report', '--db', `sqlite:${c.file}`, '--site', 'chi_uc', '--out', path.join(dir, `out-${c.i}`), '--start', '2024-01-01', '--end', '2024-02-01', '--no-plots', '-q'];
        const done = await new Promise<Outcome>((resolve) => {
          const timer = setTimeout(() => {
            w.kill('SIGKILL');
            resolve({ i: c.i, what: c.what, code: 'hang', err: '', ms: LIMIT_MS });
          }, LIMIT_MS);
          w.once('message', (m: Omit<Outcome, 'what'>) => {
            clearTimeout(timer);
            resolve({ ...m, what: c.what });
          });
          w.once('exit', (code, signal) => {
            clearTimeout(timer);
            resolve({ i: c.i, what: c.what, code: `died: ${code ?? signal}`, err: '', ms: 0 });
          });
          w.send({ i: c.i, args });
        });
        w.removeAllListeners('message');
        w.removeAllListeners('exit');
        if (typeof done.code === 'string') {
          // hung or died: the next case gets a fresh worker
          if (w.exitCode === null) w.kill('SIGKILL');
          child = undefined;
          if (done.code === 'hang') hangs.push(done);
        }
        outcomes.push(done);
        const original = byIndex.get(done.i);
        if (original !== undefined && createHash('sha1').update(fs.readFileSync(original.file)).digest('hex') !== original.hash) changed.push(done.i);
      }
    } finally {
      child?.kill('SIGKILL');
    }
  };
  outcomes = [];
  hangs = [];
  changed = [];
  await Promise.all(Array.from({ length: WORKERS }, runWorker));
}, 900_000);

afterAll(() => {
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

const line = (o: Outcome) => `case ${o.i} (${o.what}, seed ${SEED}): exit ${o.code} in ${o.ms} ms: ${o.err.trim().split('\n').slice(-1)[0] ?? ''}`;

describe(`report on ${CASES} corrupt snapshots (seed ${SEED})`, () => {
  it('runs every case, each within its limit: no hang and no dead process', () => {
    expect(outcomes).toHaveLength(CASES);
    expect(hangs.map(line)).toEqual([]);
    expect(outcomes.filter((o) => typeof o.code === 'string').map(line)).toEqual([]);
  });

  it('ends every case with exit code 0, 3, 4 or 5: never an unexpected error', () => {
    expect(outcomes.filter((o) => ![0, 3, 4, 5].includes(o.code as number)).map(line)).toEqual([]);
  });

  it('says what failed in one line, with no stack trace, and writes nothing when it fails', () => {
    const unclear = outcomes.filter((o) => {
      if (o.code === 0) return false;
      const blamed = o.err.split('\n').filter((l) => l.startsWith('chameleon-usage: '));
      return blamed.length !== 1 || !/^chameleon-usage: (cannot connect: |query failed on |cannot decode )/.test(blamed[0]) || /\n\s+at /.test(o.err);
    });
    expect(unclear.map(line)).toEqual([]);
    const wrote = outcomes.filter((o) => o.code !== 0 && fs.existsSync(path.join(dir, `out-${o.i}`)));
    expect(wrote.map(line)).toEqual([]);
  });

  it('writes every output file when it succeeds', () => {
    // the same set of files for every successful case (the data files of a report, at least 7)
    const sets = outcomes.filter((o) => o.code === 0).map((o) => fs.readdirSync(path.join(dir, `out-${o.i}`, 'data')).sort().join(','));
    expect(new Set(sets).size).toBe(1);
    const missing = outcomes.filter((o) => o.code === 0 && fs.readdirSync(path.join(dir, `out-${o.i}`, 'data')).length < 7);
    expect(missing.map(line)).toEqual([]);
  });

  it('never changes the damaged file (read-only)', () => {
    expect(changed).toEqual([]);
  });

  it('sees every kind of ending: some cases succeed and several kinds of failure occur', () => {
    const codes = new Set(outcomes.map((o) => o.code));
    expect(codes.has(0)).toBe(true);
    expect(codes.has(3)).toBe(true);
    process.stdout.write(
      `fuzz: ${CASES} cases, exit codes ${JSON.stringify(Object.fromEntries([...codes].map((c) => [c, outcomes.filter((o) => o.code === c).length])))}, ${hangs.length} hangs\n`,
    );
  });
});
