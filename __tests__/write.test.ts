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

describe('writeAllAtomic with chunked contents', () => {
  /** Text with 1-, 2-, 3- and 4-byte UTF-8 characters, long enough to need several writes. */
  const text = Array.from({ length: 40_000 }, (_, i) => `${i},é,€,😀\n`).join('');

  /** The text cut every `n` UTF-16 code units: cuts fall inside surrogate pairs too. */
  const cutEvery = (s: string, n: number): string[] => Array.from({ length: Math.ceil(s.length / n) }, (_, i) => s.slice(i * n, (i + 1) * n));

  it.each([[1], [7], [4096], [65_536], [1_000_000]])('writes the same bytes as the whole text, whatever the chunk size (%p)', async (n) => {
    const chunks = cutEvery(text, n);
    const target = path.join(dir, 'usage.csv');
    expect(await writeAtomic(target, chunks)()).toEqual(E.right(undefined));
    expect(readFileSync(target).equals(Buffer.from(text, 'utf8'))).toBe(true);
    expect(tempsIn(dir)).toEqual([]);
  });

  it('encodes a surrogate pair cut between two chunks as one character, where a write ends', async () => {
    // the first chunk alone fills a write and ends with the first half of 😀
    const chunks = [`${'a'.repeat(65_535)}\ud83d`, '\ude00b'];
    const target = path.join(dir, 'emoji.csv');
    expect(E.isRight(await writeAtomic(target, chunks)())).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe(`${'a'.repeat(65_535)}😀b`);
  });

  it('writes a generator as it produces, and an empty one as an empty file', async () => {
    function* lines(): Generator<string> {
      for (let i = 0; i < 100_000; i++) yield `${i}\n`;
    }
    const target = path.join(dir, 'lines.csv');
    expect(E.isRight(await writeAtomic(target, { [Symbol.iterator]: lines })())).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe([...lines()].join(''));
    expect(E.isRight(await writeAtomic(path.join(dir, 'empty.csv'), [])())).toBe(true);
    expect(readFileSync(path.join(dir, 'empty.csv'), 'utf8')).toBe('');
  });

  it('renames nothing, removes every temporary file and rethrows when a producer throws mid-way', async () => {
    const first = path.join(dir, 'usage.csv');
    const second = path.join(dir, 'usage.json');
    const third = path.join(dir, 'audit.json');
    writeFileSync(first, 'previous usage\n');
    writeFileSync(second, 'previous json\n');
    let produced = 0;
    function* failing(): Generator<string> {
      // more than one batch, so part of the file is already on disk when it fails
      for (let i = 0; i < 50; i++) {
        produced++;
        yield 'x'.repeat(10_000);
      }
      throw new Error('broken invariant');
    }
    const run = writeAllAtomic([
      { path: first, contents: ['new usage\n'] },
      { path: second, contents: { [Symbol.iterator]: failing } },
      { path: third, contents: 'new audit\n' },
    ])();
    await expect(run).rejects.toThrow('broken invariant');
    expect(produced).toBe(50);
    expect(readFileSync(first, 'utf8')).toBe('previous usage\n');
    expect(readFileSync(second, 'utf8')).toBe('previous json\n');
    expect(readdirSync(dir).sort()).toEqual(['usage.csv', 'usage.json']);
  });

  it('closes the producer and reports a WriteFailure when a write fails', async () => {
    // Every write to /dev/full fails with ENOSPC; the temporary file is a symbolic link to it.
    if (process.platform !== 'linux') return;
    let closed = false;
    function* producer(): Generator<string> {
      try {
        for (;;) yield 'y'.repeat(100_000);
      } finally {
        closed = true;
      }
    }
    const target = path.join(dir, 'usage.csv');
    const fsp = (await import('node:fs')).promises;
    const open = fsp.open.bind(fsp);
    const spy = jest.spyOn(fsp, 'open').mockImplementation(((p: string, flags?: string, mode?: number) =>
      String(p).endsWith('.tmp') ? open('/dev/full', 'w') : open(p, flags, mode)) as typeof fsp.open);
    try {
      const r = await writeAtomic(target, { [Symbol.iterator]: producer })();
      expect(E.isLeft(r) && r.left._tag === 'WriteFailure' && r.left.path === target && /ENOSPC/.test(r.left.message)).toBe(true);
    } finally {
      spy.mockRestore();
    }
    expect(closed).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
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
