/**
 * A one-line progress bar on stderr: `\r[#########           ] 45% label`, redrawn in place when
 * stderr is a terminal. When it is not (CI logs, pipes), each new label is printed once on its
 * own line instead, so logs stay readable and carry no carriage returns.
 *
 * @since 0.1.0
 */

/** @category model @since 0.1.0 */
export interface Progress {
  /** `fraction` in [0, 1]. */
  update(label: string, fraction: number): void;
  /** Ends the bar (a newline on a terminal). */
  done(): void;
}

const WIDTH = 30;

/**
 * A progress bar writing to `out` (default stderr); silent when `quiet`.
 *
 * @example
 * const p = progressBar('generating'); p.update('chi_uc', 0.5); p.done()
 * @since 0.1.0
 */
export const progressBar = (title: string, o: { quiet?: boolean; out?: NodeJS.WriteStream } = {}): Progress => {
  const out = o.out ?? process.stderr;
  if (o.quiet === true) return { update: () => undefined, done: () => undefined };
  const tty = out.isTTY === true;
  let lastLabel = '';
  let drawn = false;
  return {
    update: (label, fraction) => {
      const f = Math.max(0, Math.min(1, fraction));
      if (tty) {
        const n = Math.round(f * WIDTH);
        const line = `${title} [${'#'.repeat(n)}${' '.repeat(WIDTH - n)}] ${String(Math.round(f * 100)).padStart(3)}% ${label}`;
        const cols = out.columns ?? 100;
        out.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, 100))}`);
        drawn = true;
      } else if (label !== lastLabel) {
        out.write(`${title}: ${String(Math.round(f * 100)).padStart(3)}% ${label}\n`);
      }
      lastLabel = label;
    },
    done: () => {
      if (tty && drawn) out.write('\n');
      drawn = false;
    },
  };
};
