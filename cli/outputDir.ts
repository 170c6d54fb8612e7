/**
 * Output folders, checked before any database is read: each folder is created if missing and a
 * probe file is created and removed in it, so a folder that cannot be created or written (under
 * `/proc`, on a read-only mount, without permission, a file in the way, a symlink loop) fails in
 * milliseconds with a `WriteFailure`, not after minutes of reading. The probe then removes the
 * folders it created: until the outputs are written, a run has changed nothing on disk, so a
 * failed or interrupted run leaves nothing behind.
 *
 * Why not `fs.mkdir(dir, { recursive: true })`: Node's native recursive mkdir retries a child
 * whose `mkdir` fails with ENOENT after its parent was found, which loops forever where the parent
 * exists but cannot hold children: `/proc/x` (procfs answers ENOENT, not EPERM), or a dangling
 * symlink (`strace` shows `mkdir("/proc/x") = ENOENT`, `mkdir("/proc") = EEXIST`, forever). Here
 * each missing folder is created once, top down, and the first error is the answer.
 *
 * @since 0.3.0
 */
import { randomBytes } from 'node:crypto';
import * as fsSync from 'node:fs';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import type * as TE from 'fp-ts/TaskEither';
import type { WriteFailure } from '../lib/Failure';
import { onInterrupt } from './interrupt';

const code = (e: unknown): string | undefined => (e as { code?: string } | null)?.code;

/** The message of an error (also of one made in another realm, where `instanceof Error` fails). */
const messageOf = (e: unknown): string => {
  const m = (e as { message?: unknown } | null)?.message;
  return typeof m === 'string' ? m : String(e);
};

const errorWith = (message: string, c: string): Error => Object.assign(new Error(message), { code: c });

/**
 * Creates `dir` and its missing parents, one `mkdir` each, top down; resolves to the folders it
 * created (top first). Rejects with the first error (`ENOTDIR` when a file is in the way).
 *
 * @example
 * await makeDirs('out/data') // ['/abs/out', '/abs/out/data'] the first time, [] afterwards
 * await makeDirs('/proc/x') // rejects: ENOENT: no such file or directory, mkdir '/proc/x'
 * @since 0.3.0
 */
export const makeDirs = async (dir: string): Promise<ReadonlyArray<string>> => {
  const missing: string[] = [];
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    let st: fsSync.Stats | undefined;
    try {
      st = await fs.stat(p);
    } catch (e) {
      if (code(e) !== 'ENOENT') throw e;
    }
    if (st !== undefined) {
      if (!st.isDirectory()) throw errorWith(`ENOTDIR: not a folder, ${p}`, 'ENOTDIR');
      break;
    }
    missing.unshift(p);
    if (path.dirname(p) === p) break;
  }
  const created: string[] = [];
  for (const p of missing) {
    try {
      await fs.mkdir(p);
      created.push(p);
    } catch (e) {
      // another process made it meanwhile: fine if it is a folder now
      if (code(e) !== 'EEXIST') throw Object.assign(e as Error, { created });
      const st = await fs.stat(p).catch(() => undefined);
      if (st === undefined) throw Object.assign(errorWith(`ENOENT: a dangling symlink is in the way, ${p}`, 'ENOENT'), { created });
      if (!st.isDirectory()) throw Object.assign(errorWith(`ENOTDIR: not a folder, ${p}`, 'ENOTDIR'), { created });
    }
  }
  return created;
};

/**
 * Removes the folders of `created` (deepest first) that are still empty; never throws.
 *
 * @since 0.3.0
 */
export const removeCreated = (created: ReadonlyArray<string>): void => {
  for (const d of [...created].reverse()) {
    try {
      fsSync.rmdirSync(d);
    } catch {
      // not empty (someone else wrote there) or gone: leave it
    }
  }
};

/**
 * Proves that each folder can be created (with its parents) and written: creates it, creates and
 * removes a probe file in it, then removes again every folder it created, so the file system is as
 * it was (the writes create them again). Run before any database is read: a folder that cannot be
 * created or written fails in milliseconds.
 *
 * @example
 * await probeOutput(['out/data', 'out/plots'])() // right(undefined), and out/ is still absent
 * await probeOutput(['/proc/x'])() // left({ _tag: 'WriteFailure', path: '/proc/x', message: "ENOENT: ... mkdir '/proc/x'" })
 * @category effects
 * @since 0.3.0
 */
export const probeOutput =
  (dirs: ReadonlyArray<string>): TE.TaskEither<WriteFailure, void> =>
  async () => {
    const created: string[] = [];
    // the probe file in hand, if any: an interrupt between its creation and its removal removes it
    let probe: string | undefined;
    const forget = onInterrupt(() => {
      if (probe !== undefined) fsSync.rmSync(probe, { force: true });
      removeCreated(created);
    });
    try {
      for (const d of dirs) {
        try {
          created.push(...(await makeDirs(d)));
          probe = path.join(d, `.probe.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
          const h = await fs.open(probe, 'wx', 0o600);
          await h.close();
          await fs.rm(probe, { force: true });
          probe = undefined;
        } catch (e) {
          created.push(...(((e as { created?: ReadonlyArray<string> }).created ?? []) as string[]));
          return E.left({ _tag: 'WriteFailure', path: d, message: messageOf(e) });
        }
      }
      return E.right(undefined);
    } finally {
      if (probe !== undefined) fsSync.rmSync(probe, { force: true });
      removeCreated(created);
      forget();
    }
  };

/**
 * Checks that `file` can be replaced by a new regular file: absent, or a regular file (a symlink
 * to one included). A folder, a device such as `/dev/full`, a FIFO or a socket in its place is a
 * `WriteFailure` before anything is written (renaming over a device would replace it).
 *
 * @example
 * await checkTarget('out/snapshot.sqlite')() // right(undefined)
 * await checkTarget('/dev/full')() // left({ _tag: 'WriteFailure', path: '/dev/full', message: 'not a regular file ...' })
 * @category effects
 * @since 0.3.0
 */
export const checkTarget =
  (file: string): TE.TaskEither<WriteFailure, void> =>
  async () => {
    try {
      const st = await fs.stat(file);
      if (st.isFile()) return E.right(undefined);
      return E.left({ _tag: 'WriteFailure', path: file, message: st.isDirectory() ? 'is a folder, expected a file name' : 'not a regular file (a device, FIFO or socket); give a file name' });
    } catch (e) {
      if (code(e) === 'ENOENT') {
        // absent is fine, unless it is a dangling symlink (its target would be created elsewhere)
        const l = await fs.lstat(file).catch(() => undefined);
        if (l === undefined) return E.right(undefined);
        return E.left({ _tag: 'WriteFailure', path: file, message: 'a dangling symlink is in the way' });
      }
      return E.left({ _tag: 'WriteFailure', path: file, message: messageOf(e) });
    }
  };
