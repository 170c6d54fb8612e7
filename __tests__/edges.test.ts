/**
 * The two edges of issue 18, and the pieces that fix them: a SQLite snapshot is opened read-only
 * and must exist (a typo in the path is exit code 3 and creates nothing), and an output folder
 * that cannot be created or written fails before any database is read (exit code 6, at once,
 * nothing left behind). `fs.mkdir(..., { recursive: true })` loops forever under `/proc` and below
 * a dangling symlink; `makeDirs` answers with the first error.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import { readConfig } from '../cli/config';
import { checkTarget, makeDirs, probeOutput } from '../cli/outputDir';
import { writeAllAtomic } from '../cli/write';
import { openFixture, type Fixture } from './fixtures/db';
import { populate } from './fixtures/smallSite';
import { capture } from './fixtures/cli';

let dir: string;
let fx: Fixture;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-edges-'));
  fx = await openFixture('sqlite');
  await populate(fx);
});

afterAll(async () => {
  await fx?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Every path under `d`, recursively (folders too), sorted. */
const tree = (d: string): string[] => (fs.existsSync(d) ? (fs.readdirSync(d, { recursive: true }) as string[]).sort() : []);

const window = ['--start', '2024-01-01', '--end', '2024-02-01', '--no-plots'];

describe('a SQLite snapshot that is not there', () => {
  it('is a connection failure (exit code 3) that creates no file and no output', async () => {
    const missing = path.join(dir, 'typo', 'chi_uc.sqlite');
    const out = path.join(dir, 'out-missing');
    const r = await capture(['report', '--db', `sqlite:${missing}`, '--site', 'chi_uc', '--out', out, ...window]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/cannot connect: sqlite:.*chi_uc\.sqlite: no such file/);
    expect(fs.existsSync(path.dirname(missing))).toBe(false);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('is the same in the same folder as the outputs: nothing is created next to them either', async () => {
    const out = path.join(dir, 'out-same');
    const r = await capture(['report', '--db', `sqlite:${path.join(dir, 'nope.sqlite')}`, '--site', 'chi_uc', '--out', out, ...window]);
    expect(r.code).toBe(3);
    expect(fs.existsSync(path.join(dir, 'nope.sqlite'))).toBe(false);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('is a connection failure when the path is a folder', async () => {
    const r = await capture(['report', '--db', `sqlite:${dir}`, '--site', 'chi_uc', '--out', path.join(dir, 'out-folder'), ...window]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/is a folder, not a SQLite snapshot/);
  });

  it('is opened read-only: a report never changes the snapshot', async () => {
    const file = fx.url.replace(/^sqlite:/, '');
    const before = fs.readFileSync(file);
    const r = await capture(['report', '--db', fx.url, '--site', 'small', '--out', path.join(dir, 'out-ro'), ...window]);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });
});

describe('an output folder that cannot be created or written', () => {
  const linux = fs.existsSync('/proc/self/status');

  (linux ? it : it.skip)('fails under /proc with exit code 6 within 2 s, before any database is read', async () => {
    const t0 = Date.now();
    const r = await capture(['report', '--db', fx.url, '--site', 'small', '--out', '/proc/x', ...window]);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(r.code).toBe(6);
    expect(r.err).toMatch(/cannot write \/proc\/x\/data: ENOENT/);
    expect(r.err).not.toMatch(/reading/);
    expect(fs.existsSync('/proc/x')).toBe(false);
  });

  it('fails below a dangling symlink, below a file and below a symlink loop, leaving nothing', async () => {
    const d = path.join(dir, 'blocked');
    fs.mkdirSync(d);
    fs.symlinkSync(path.join(d, 'gone'), path.join(d, 'dangling'));
    fs.writeFileSync(path.join(d, 'file'), 'keep');
    fs.symlinkSync(path.join(d, 'loop-b'), path.join(d, 'loop-a'));
    fs.symlinkSync(path.join(d, 'loop-a'), path.join(d, 'loop-b'));
    const before = tree(d);
    for (const [out, message] of [
      ['dangling/out', /dangling symlink/],
      ['file/out', /ENOTDIR/],
      ['file', /ENOTDIR/],
      ['loop-a/out', /ELOOP/],
    ] as const) {
      const r = await capture(['report', '--db', fx.url, '--site', 'small', '--out', path.join(d, out), ...window]);
      expect([out, r.code]).toEqual([out, 6]);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/reading/);
    }
    expect(tree(d)).toEqual(before);
    expect(fs.readFileSync(path.join(d, 'file'), 'utf8')).toBe('keep');
  });

  it('removes the folders a failed run created: a later connection failure leaves no empty output folder', async () => {
    const out = path.join(dir, 'new', 'deep', 'out');
    const r = await capture(['report', '--db', 'sqlite:/nonexistent/x.sqlite', '--site', 'chi_uc', '--out', out, ...window]);
    expect(r.code).toBe(3);
    expect(fs.existsSync(path.join(dir, 'new'))).toBe(false);
  });
});

describe('makeDirs, probeOutput and checkTarget', () => {
  it('makeDirs creates the missing folders top down and says which', async () => {
    const d = path.join(dir, 'mk');
    expect(await makeDirs(path.join(d, 'a', 'b'))).toEqual([d, path.join(d, 'a'), path.join(d, 'a', 'b')]);
    expect(await makeDirs(path.join(d, 'a', 'b'))).toEqual([]);
  });

  it('probeOutput leaves no probe file and no folder it created, and fails on the first folder that cannot be written', async () => {
    const d = path.join(dir, 'prep');
    fs.mkdirSync(d);
    expect(await probeOutput([path.join(d, 'data', 'deep'), path.join(d, 'plots')])()).toEqual(E.right(undefined));
    expect(tree(d)).toEqual([]);
    fs.writeFileSync(path.join(d, 'file'), '');
    const r = await probeOutput([path.join(d, 'data'), path.join(d, 'file', 'x')])();
    expect(E.isLeft(r) && r.left.message).toMatch(/ENOTDIR/);
    expect(tree(d)).toEqual(['file']);
  });

  it('checkTarget refuses a folder, a device and a dangling symlink where a file goes, and accepts a file or nothing', async () => {
    fs.writeFileSync(path.join(dir, 'plain'), '');
    fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangles'));
    expect(E.isRight(await checkTarget(path.join(dir, 'plain'))())).toBe(true);
    expect(E.isRight(await checkTarget(path.join(dir, 'absent'))())).toBe(true);
    for (const [p, m] of [
      [dir, /is a folder/],
      ['/dev/full', /not a regular file/],
      [path.join(dir, 'dangles'), /dangling symlink/],
    ] as const) {
      const r = await checkTarget(p)();
      expect(E.isLeft(r) && r.left.message).toMatch(m);
    }
  });

  it('writeAllAtomic never renames over a device: /dev/full stays a device and no temporary file is left in /dev', async () => {
    const before = fs.readdirSync('/dev').filter((n) => n.endsWith('.tmp'));
    const r = await writeAllAtomic([{ path: '/dev/full', contents: 'x' }])();
    expect(E.isLeft(r) && r.left.message).toMatch(/not a regular file/);
    expect(fs.statSync('/dev/full').isCharacterDevice()).toBe(true);
    expect(fs.readdirSync('/dev').filter((n) => n.endsWith('.tmp'))).toEqual(before);
  });

  it('readConfig refuses a device and a file too large to be a sites file, instead of reading forever', async () => {
    const big = path.join(dir, 'big.yaml');
    fs.writeFileSync(big, `# ${'x'.repeat(1024 * 1024)}\nsites: {}\n`);
    for (const [p, m] of [
      ['/dev/zero', /is a device/],
      [big, /larger than 1 MiB/],
      [dir, /is a folder/],
    ] as const) {
      const r = await readConfig(p)();
      expect(E.isLeft(r) && r.left.message).toMatch(m);
    }
  });
});
