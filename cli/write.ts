/**
 * Atomic file writes: an output file is either its previous version or its complete new version,
 * never a truncated mix, even when the process dies or the disk fills mid-write.
 *
 * Method: create the folder (`mkdir -p`, one folder at a time: `outputDir.makeDirs`), write the contents to a fresh temporary file in the
 * *same* folder (so the rename stays on one file system and is atomic on POSIX), `fsync` it, then
 * `rename` it over the target and `fsync` the folder so the rename itself is durable. On any
 * failure the temporary file is removed and the previous target is left untouched.
 *
 * `writeAllAtomic` extends this to a set of files: every temporary file is written and synced
 * first, and renames start only when all of them succeeded, so a failed run leaves the previous
 * output set as it was (chunked contents included: their producers run in this first phase). Limit: the renames themselves are one per file, not one for the set; a
 * rename failing after others succeeded (same folder, same file system: practically only an
 * unplugged disk) is reported, and the remaining temporary files are removed.
 *
 * Temporary files are named `.<name>.<pid>.<random>.tmp`: hidden, unique per process and call,
 * and recognisable if a crash (kill -9) ever leaves one behind. SIGINT and SIGTERM remove them
 * (`interrupt`), and a signal during the renames waits for the last one. A target that is a
 * folder, a device (`/dev/full`) or a dangling symlink fails before any temporary file.
 *
 * Contents are bytes, a string, or an iterable of text chunks (`Csv.csvChunks`), written as they
 * are produced so that memory is bounded by a chunk, not by the file: a 250 MB JSON file is never
 * one string. A producer that throws mid-way is a broken invariant (the renderers check every
 * cell before the first chunk): every temporary file is removed, nothing is renamed, and the
 * error is thrown on (the task rejects) instead of being reported as a failed write.
 *
 * @since 0.1.0
 */
import { randomBytes } from 'node:crypto';
import { promises as fs, rmSync } from 'node:fs';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import type * as TE from 'fp-ts/TaskEither';
import type { WriteFailure } from '../lib/Failure';
import { critical, onInterrupt } from './interrupt';
import { checkTarget, makeDirs, removeCreated } from './outputDir';

/**
 * A file to write.
 *
 * @category model
 * @since 0.1.0
 */
export interface OutputFile {
  readonly path: string;
  /** The whole contents, or text chunks written one after the other (iterated once per write). */
  readonly contents: Contents;
}

/**
 * What a file holds: bytes, text, or text chunks (a `string` is always written whole, although it
 * is itself an iterable of characters).
 *
 * @category model
 * @since 0.2.0
 */
export type Contents = string | Uint8Array | Iterable<string>;

const failure = (p: string, e: unknown): WriteFailure => ({
  _tag: 'WriteFailure',
  path: p,
  message: e instanceof Error ? e.message : String(e),
});

/**
 * The temporary file name used for `target` (same folder, hidden, unique).
 *
 * @since 0.1.0
 */
export const tempPathFor = (target: string): string =>
  path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);

const removeQuietly = async (p: string): Promise<void> => {
  try {
    await fs.rm(p, { force: true });
  } catch {
    // best effort: the original failure is the one worth reporting
  }
};

/** A chunk producer threw: not a failed write, and not to be reported as one. */
class ProducerThrew {
  constructor(readonly error: unknown) {}
}

/** Chunks are joined up to this many UTF-16 code units per write: few system calls whatever the chunk size. */
const BATCH_CHARS = 64 * 1024;

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/** `write` may write less than asked (a full disk, a signal): loop until every byte is out. */
const writeText = async (handle: fs.FileHandle, text: string): Promise<void> => {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; ) at += (await handle.write(bytes, at, bytes.length - at)).bytesWritten;
};

/**
 * Writes the chunks in order, awaiting each write, so a fast producer never queues more than one
 * batch in memory. A failed write stops the loop, and `for ... of` then closes the producer.
 */
const writeChunks = async (handle: fs.FileHandle, chunks: Iterable<string>): Promise<void> => {
  let pending = '';
  let writing = false;
  try {
    for (const chunk of chunks) {
      pending += chunk;
      if (pending.length < BATCH_CHARS) continue;
      // the two halves of a surrogate pair cut between chunks must be encoded together
      const cut = isHighSurrogate(pending.charCodeAt(pending.length - 1)) ? pending.length - 1 : pending.length;
      writing = true;
      await writeText(handle, pending.slice(0, cut));
      writing = false;
      pending = pending.slice(cut);
    }
  } catch (e) {
    throw writing ? e : new ProducerThrew(e);
  }
  await writeText(handle, pending);
};

/**
 * Writes and syncs a new temporary file for `file`; returns its path, or removes it and throws.
 * `started` learns the temporary path before the file exists, so an interrupt can remove it.
 */
const writeTemp = async (file: OutputFile, started: (tmp: string) => void, made: (dirs: ReadonlyArray<string>) => void): Promise<string> => {
  made(await makeDirs(path.dirname(file.path)));
  const tmp = tempPathFor(file.path);
  started(tmp);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(tmp, 'wx', 0o644);
    const c = file.contents;
    if (typeof c === 'string' || c instanceof Uint8Array) await handle.writeFile(c);
    else await writeChunks(handle, c);
    await handle.sync();
    await handle.close();
    handle = undefined;
    return tmp;
  } catch (e) {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    await removeQuietly(tmp);
    throw e;
  }
};

/** Makes renames in `dir` durable; some file systems cannot fsync a folder, which is not an error. */
const syncDir = async (dir: string): Promise<void> => {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // EISDIR/EINVAL/EPERM on some platforms: the data itself is already synced
  } finally {
    await handle?.close().catch(() => undefined);
  }
};

/**
 * Writes `contents` to `target` atomically: afterwards the file holds either its previous
 * contents (on failure) or all of `contents`, and no temporary file remains.
 *
 * @example
 * await writeAtomic('output/usage.csv', csv)() // right(undefined)
 * @category effects
 * @since 0.1.0
 */
export const writeAtomic = (target: string, contents: Contents): TE.TaskEither<WriteFailure, void> =>
  writeAllAtomic([{ path: target, contents }]);

/**
 * Writes a set of files so that a failure leaves every previous file untouched: all temporary
 * files are written and synced before the first rename. Fails without writing anything when a
 * path is given twice. Chunked contents are iterated (rendered) while their file is written; if
 * a producer throws, nothing is renamed, no temporary file remains, and the task rejects with
 * that error.
 *
 * @example
 * await writeAllAtomic([{ path: 'out/a.csv', contents: a }, { path: 'out/b.json', contents: b }])()
 * // text of any size, one chunk at a time
 * const rows = Csv.csvChunks(columns)(table) // right(chunks), or left(message) before any text
 * if (E.isRight(rows)) await writeAllAtomic([{ path: 'out/usage.csv', contents: rows.right }])()
 * @category effects
 * @since 0.1.0
 */
export const writeAllAtomic = (files: ReadonlyArray<OutputFile>): TE.TaskEither<WriteFailure, void> => async () => {
  // Rejects only when a chunk producer throws (a bug, after clean-up); any other failure is
  // caught and returned as a `WriteFailure`.
  const seen = new Set<string>();
  for (const f of files) {
    const abs = path.resolve(f.path);
    if (seen.has(abs)) return E.left(failure(f.path, 'path given twice in one output set'));
    seen.add(abs);
  }
  // Phase 0: a folder, a device or a dangling symlink where a file goes fails before any write.
  for (const f of files) {
    const t = await checkTarget(f.path)();
    if (E.isLeft(t)) return t;
  }
  const temps: string[] = [];
  // an interrupted run removes the temporary files it made (and those it was making)
  const live = new Set<string>();
  // and the folders it created for them
  const created: string[] = [];
  const forget = onInterrupt(() => {
    for (const t of live) rmSync(t, { force: true });
    removeCreated(created);
  });
  try {
    // Phase 1: every temporary file, or none.
    for (const f of files) {
      try {
        temps.push(await writeTemp(f, (t) => live.add(t), (d) => created.push(...d)));
      } catch (e) {
        for (const t of [...temps, ...live]) await removeQuietly(t);
        removeCreated(created);
        if (e instanceof ProducerThrew) throw e.error;
        return E.left(failure(f.path, e));
      }
    }
    // Phase 2: the renames, all of them even if a signal arrives meanwhile.
    const renamed = await critical(async () => {
      for (let i = 0; i < files.length; i++) {
        try {
          await fs.rename(temps[i], files[i].path);
          live.delete(temps[i]);
        } catch (e) {
          for (let j = i; j < temps.length; j++) await removeQuietly(temps[j]);
          if (i === 0) removeCreated(created);
          return E.left(failure(files[i].path, e));
        }
      }
      return E.right(undefined);
    });
    if (E.isLeft(renamed)) return renamed;
  } finally {
    forget();
  }
  const dirs = new Set(files.map((f) => path.dirname(path.resolve(f.path))));
  for (const d of dirs) await syncDir(d);
  return E.right(undefined);
};
