#!/usr/bin/env node
/**
 * The `chameleon-usage` command line. Composition only: parsing, effects and printing live here;
 * the work is done by the pure core (lib/) and the adapters.
 *
 * @since 0.1.0
 */
import { parseArgs } from 'node:util';
import { toIntervals } from '../lib/Fold';
import * as SF from '../lib/StepFunction';
import { sweep } from '../lib/Sweep';
import * as T from '../lib/Time';
import { exampleEvents } from './example';

import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The package's own package.json, found upward from this file (works from source and dist). */
const pkg = ((): { version: string } => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      const p = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version: string };
      if (p.name === 'chameleon-usage') return p;
    } catch {
      // not here: keep walking up
    }
    if (path.dirname(dir) === dir) return { version: 'unknown' };
  }
})();

const HELP = `chameleon-usage ${pkg.version}
Reconstruct the capacity and utilization history of an OpenStack testbed (Chameleon Cloud)
from its Nova and Blazar databases.

Usage:
  chameleon-usage <command> [options]

Commands:
  example        Fold a tiny built-in site (no database) and print its node counts.
                 Shows the core at work: events -> intervals -> counts.

Options:
  -h, --help     Show this help.
  -v, --version  Print the version.

Example:
  npx chameleon-usage example
`;

const runExample = (): number => {
  const { intervals, rejections } = toIntervals({ overlap: { total: 'union' } })(exampleEvents);
  const counts = sweep({ valueTypes: ['nodes'] })(intervals);
  const times = [...new Set(counts.flatMap((s) => Array.from(s.steps.times)))].sort((a, b) => a - b);
  const header = ['timestamp', ...counts.map((s) => s.key.countType)];
  const rows = times.map((t) => [T.toIso(T.unsafeMillis(t)), ...counts.map((s) => String(SF.valueAt(T.unsafeMillis(t))(s.steps)))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: ReadonlyArray<string>) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
  process.stdout.write(`Built-in example: ${exampleEvents.length} events -> ${intervals.length} intervals, ${rejections.length} rejections\n`);
  process.stdout.write(`Node counts at each change point (value holds until the next row):\n\n`);
  process.stdout.write(`${line(header)}\n${rows.map(line).join('\n')}\n\n`);
  const window = [T.unsafeMillis(times[0]), T.unsafeMillis(times[times.length - 1])] as const;
  for (const s of counts) {
    const hours = SF.integral(window[0], window[1])(s.steps);
    process.stdout.write(`${s.key.countType.padEnd(18)} ${hours.toFixed(1)} node-hours from ${T.toIso(window[0])} to ${T.toIso(window[1])}\n`);
  }
  return 0;
};

/**
 * Runs the CLI with the given arguments and returns the exit code.
 *
 * @since 0.1.0
 */
export const main = (argv: ReadonlyArray<string>): number => {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
    });
  } catch (e) {
    process.stderr.write(`chameleon-usage: ${(e as Error).message}\nTry 'chameleon-usage --help'.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version === true) {
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  if (values.help === true || positionals.length === 0) {
    process.stdout.write(HELP);
    return 0;
  }
  switch (positionals[0]) {
    case 'example':
      return runExample();
    default:
      process.stderr.write(`chameleon-usage: unknown command '${positionals[0]}'\nTry 'chameleon-usage --help'.\n`);
      return 2;
  }
};

if (require.main === module) process.exitCode = main(process.argv.slice(2));
