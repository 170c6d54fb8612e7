import * as E from 'fp-ts/Either';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { tempPathFor, writeAllAtomic, writeAtomic } from '../cli/write';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'write-test-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const tempsIn = (d: string): string[] => readdirSync(d).filter((n) => n.endsWith('.tmp'));

describe('writeAtomic', () => {
  it('creates missing folders and writes the contents', async () => {
    const target = path.join(dir, 'a', 'b', 'usage.csv');
    expect(await writeAtomic(target, 'x,y\n1,2\n')()).toEqual(E.right(undefined));
    expect(readFileSync(target, 'utf8')).toBe('x,y\n1,2\n');
    expect(tempsIn(path.dirname(target))).toEqual([]);
  });

  it('replaces a previous file completely', async () => {
    const target = path.join(dir, 'usage.csv');
    writeFileSync(target, 'old contents that are longer than the new ones\n');
    expect(E.isRight(await writeAtomic(target, 'new\n')())).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('new\n');
    expect(readdirSync(dir)).toEqual(['usage.csv']);
  });

  it('writes bytes as given', async () => {
    const target = path.join(dir, 'plot.png');
    const bytes = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    expect(E.isRight(await writeAtomic(target, bytes)())).toBe(true);
    expect(Uint8Array.from(readFileSync(target))).toEqual(bytes);
  });

  it('fails with a WriteFailure when the folder is a regular file, and creates nothing', async () => {
    const blocker = path.join(dir, 'not-a-folder');
    writeFileSync(blocker, 'keep me');
    const r = await writeAtomic(path.join(blocker, 'usage.csv'), 'data')();
    expect(E.isLeft(r) && r.left._tag === 'WriteFailure' && r.left.path === path.join(blocker, 'usage.csv')).toBe(true);
    expect(readFileSync(blocker, 'utf8')).toBe('keep me');
    expect(readdirSync(dir)).toEqual(['not-a-folder']);
  });

  it('removes its temporary file and leaves the target untouched when the rename fails', async () => {
    // The target is a non-empty folder: the temporary file is written, then rename() fails.
    const target = path.join(dir, 'usage.csv');
    mkdirSync(target);
    writeFileSync(path.join(target, 'inside'), 'previous');
    const r = await writeAtomic(target, 'new')();
    expect(E.isLeft(r)).toBe(true);
    expect(readFileSync(path.join(target, 'inside'), 'utf8')).toBe('previous');
    expect(readdirSync(dir)).toEqual(['usage.csv']);
  });
});

describe('writeAllAtomic', () => {
  it('writes every file of the set', async () => {
    const files = [
      { path: path.join(dir, 'usage.csv'), contents: 'a\n' },
      { path: path.join(dir, 'json', 'usage.json'), contents: '[]\n' },
    ];
    expect(await writeAllAtomic(files)()).toEqual(E.right(undefined));
    expect(files.map((f) => readFileSync(f.path, 'utf8'))).toEqual(['a\n', '[]\n']);
    expect([...tempsIn(dir), ...tempsIn(path.join(dir, 'json'))]).toEqual([]);
  });

  it('leaves every previous file intact and no temporary file when one file of the set fails', async () => {
    const first = path.join(dir, 'usage.csv');
    const last = path.join(dir, 'leadtime.csv');
    writeFileSync(first, 'previous usage\n');
    writeFileSync(last, 'previous leadtime\n');
    writeFileSync(path.join(dir, 'blocker'), '');
    const r = await writeAllAtomic([
      { path: first, contents: 'new usage\n' },
      { path: path.join(dir, 'blocker', 'plot.png'), contents: 'png' },
      { path: last, contents: 'new leadtime\n' },
    ])();
    expect(E.isLeft(r) && r.left.path === path.join(dir, 'blocker', 'plot.png')).toBe(true);
    expect(readFileSync(first, 'utf8')).toBe('previous usage\n');
    expect(readFileSync(last, 'utf8')).toBe('previous leadtime\n');
    expect(readdirSync(dir).sort()).toEqual(['blocker', 'leadtime.csv', 'usage.csv']);
  });

  it('refuses a set that names the same file twice and writes nothing', async () => {
    const p = path.join(dir, 'usage.csv');
    const r = await writeAllAtomic([
      { path: p, contents: 'a' },
      { path: path.join(dir, '.', 'usage.csv'), contents: 'b' },
    ])();
    expect(E.isLeft(r)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('succeeds on an empty set', async () => {
    expect(await writeAllAtomic([])()).toEqual(E.right(undefined));
  });
});

describe('tempPathFor', () => {
  it('names a hidden, unique file in the same folder as the target', () => {
    const a = tempPathFor('/out/usage.csv');
    const b = tempPathFor('/out/usage.csv');
    expect(path.dirname(a)).toBe('/out');
    expect(path.basename(a)).toMatch(/^\.usage\.csv\.\d+\.[0-9a-f]{12}\.tmp$/);
    expect(a).not.toBe(b);
  });
});
