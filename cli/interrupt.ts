/**
 * What an interrupted run (SIGINT, SIGTERM) must undo, and the signal handlers that undo it.
 *
 * Effects register a synchronous clean-up while they hold something that must not outlive a killed
 * run (a temporary file, a folder this run created) and unregister it when done. On a signal the
 * clean-ups run (last registered first), one line goes to stderr, and the process exits with
 * 128 + the signal number (130 for SIGINT, 143 for SIGTERM). Inside a `critical` section (the
 * renames that publish a set of output files) the exit waits until the section ends, so an
 * interrupted run leaves the previous outputs or the complete new set, never a mix.
 *
 * The process listens for the signals only while a clean-up is registered. JavaScript handlers run
 * on the event loop, and the core's folds are long synchronous stretches (seconds at the demo
 * size) that would delay them; while nothing is held (reading, reconstructing, drawing: nothing
 * is on disk yet) the signal's default action ends the process at once, and the shell reports the
 * same status, 130 or 143. While temporary files exist the work is asynchronous (chunked writes,
 * streamed copies), so the handler runs within milliseconds.
 *
 * @since 0.3.0
 */

const cleanups = new Set<() => void>();
let depth = 0;
let pending: NodeJS.Signals | undefined;
let enabled = false;
let listening = false;

const exitCodes: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };
const signals = ['SIGINT', 'SIGTERM'] as const;

const stop = (signal: NodeJS.Signals): void => {
  runCleanups();
  process.stderr.write(`chameleon-usage: interrupted by ${signal}; no partial output was written\n`);
  process.exit(exitCodes[signal] ?? 1);
};

const onSignal = (signal: NodeJS.Signals): void => {
  if (depth > 0) pending = signal;
  else stop(signal);
};

/** Listens while there is something to clean up; else a signal ends the process at once. */
const listen = (): void => {
  const want = enabled && cleanups.size > 0;
  if (want === listening) return;
  for (const s of signals) {
    if (want) process.on(s, onSignal);
    else process.off(s, onSignal);
  }
  listening = want;
};

/**
 * Registers a clean-up to run if the process is interrupted; returns the function that
 * unregisters it.
 *
 * @example
 * const forget = onInterrupt(() => fs.rmSync(tmp, { force: true }))
 * // ... write and rename tmp ...
 * forget()
 * @since 0.3.0
 */
export const onInterrupt = (f: () => void): (() => void) => {
  cleanups.add(f);
  listen();
  return () => {
    cleanups.delete(f);
    listen();
  };
};

/**
 * Runs every registered clean-up, last registered first; a failing one does not stop the others.
 *
 * @since 0.3.0
 */
export const runCleanups = (): void => {
  const fs = [...cleanups].reverse();
  cleanups.clear();
  for (const f of fs) {
    try {
      f();
    } catch {
      // best effort: the others still run
    }
  }
};

/**
 * Runs `f` with interrupts deferred until it settles.
 *
 * @since 0.3.0
 */
export const critical = async <A>(f: () => Promise<A>): Promise<A> => {
  depth += 1;
  try {
    return await f();
  } finally {
    depth -= 1;
    if (depth === 0 && pending !== undefined) stop(pending);
  }
};

/**
 * Lets SIGINT and SIGTERM run the registered clean-ups (the CLI does, as a process; a library
 * caller keeps its own signal handling).
 *
 * @since 0.3.0
 */
export const handleSignals = (): void => {
  enabled = true;
  listen();
};
