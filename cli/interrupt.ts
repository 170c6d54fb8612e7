/**
 * What an interrupted run (SIGINT, SIGTERM) must undo, and the signal handlers that undo it.
 *
 * Effects register a synchronous clean-up while they hold something that must not outlive a killed
 * run (a temporary file, a folder this run created) and unregister it when done. On a signal the
 * handlers run (last registered first), one line goes to stderr, and the process exits with
 * 128 + the signal number (130 for SIGINT, 143 for SIGTERM), as a shell reports a killed command.
 * Inside a `critical` section (the renames that publish a set of output files) the exit waits
 * until the section ends, so an interrupted run leaves the previous outputs or the complete new
 * set, never a mix.
 *
 * The handlers run on the event loop: a long synchronous stretch delays them, so the long loops
 * (reading rows) yield to it now and then (`adapters/Source.streamRows`).
 *
 * @since 0.3.0
 */

const cleanups = new Set<() => void>();
let depth = 0;
let pending: NodeJS.Signals | undefined;

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
  return () => void cleanups.delete(f);
};

/** Runs every registered clean-up, last registered first; a failing one does not stop the others. */
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

const exitCodes: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

const stop = (signal: NodeJS.Signals): void => {
  runCleanups();
  process.stderr.write(`chameleon-usage: interrupted by ${signal}; no partial output was written\n`);
  process.exit(exitCodes[signal] ?? 1);
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
 * Installs the SIGINT and SIGTERM handlers (the CLI does, as a process; a library caller keeps its
 * own).
 *
 * @since 0.3.0
 */
export const handleSignals = (): void => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (depth > 0) pending = signal;
      else stop(signal);
    });
  }
};
