/**
 * A tiny built-in site, for the first run on a fresh clone: three bare-metal hosts, one of them
 * retired, a lease that reserves two of them and an instance that runs on one. It exercises the
 * whole core (events -> intervals -> counts) without a database.
 *
 * @since 0.1.0
 */
import * as O from 'fp-ts/Option';
import { toIntervals } from '../lib/Fold';
import * as SF from '../lib/StepFunction';
import { sweep } from '../lib/Sweep';
import * as E from '../lib/Event';
import type { BaseCountType } from '../lib/CountType';
import * as Q from '../lib/Quantities';
import * as T from '../lib/Time';

const at = (iso: string): T.Millis =>
  O.getOrElseW(() => {
    throw new Error(`bad built-in date ${iso}`);
  })(T.fromIso(iso));

const span = (
  countType: BaseCountType,
  entityId: string,
  table: string,
  start: string,
  end: string | undefined,
  node_type: string,
  host: string,
): ReadonlyArray<E.Event> => {
  const fields = {
    entityId,
    countType,
    quantities: Q.make({ nodes: 1, vcpus: 48 }),
    attributes: E.attributes({ site: 'example', node_type, hypervisor_hostname: host }),
    source: { table, id: entityId },
  };
  return E.span(fields, at(start), end === undefined ? null : at(end));
};

/**
 * The built-in example's events.
 *
 * @since 0.1.0
 */
export const exampleEvents: ReadonlyArray<E.Event> = [
  ...span('total', 'node-1', 'nova.compute_nodes', '2024-01-01', undefined, 'compute_skylake', 'node-1'),
  ...span('total', 'node-2', 'nova.compute_nodes', '2024-01-01', undefined, 'compute_skylake', 'node-2'),
  ...span('total', 'node-3', 'nova.compute_nodes', '2024-01-01', '2024-01-05', 'gpu_a100', 'node-3'),
  ...span('reservable', 'node-1', 'blazar.computehosts', '2024-01-02', undefined, 'compute_skylake', 'node-1'),
  ...span('reservable', 'node-2', 'blazar.computehosts', '2024-01-02', undefined, 'compute_skylake', 'node-2'),
  ...span('committed', 'res-1/node-1', 'blazar.computehost_allocations', '2024-01-03', '2024-01-04', 'compute_skylake', 'node-1'),
  ...span('committed', 'res-1/node-2', 'blazar.computehost_allocations', '2024-01-03', '2024-01-04', 'compute_skylake', 'node-2'),
  ...span('occupied_reserved', 'inst-1', 'nova.instances', '2024-01-03 06:00:00', '2024-01-03 18:00:00', 'compute_skylake', 'node-1'),
];

/**
 * Folds the example through the core and prints its node counts with `write`. Returns the exit code.
 *
 * @since 0.1.0
 */
export const runExample = (write: (s: string) => void): number => {
  const { intervals, rejections } = toIntervals({ overlap: { total: 'union' } })(exampleEvents);
  const counts = sweep({ valueTypes: ['nodes'] })(intervals);
  const times = [...new Set(counts.flatMap((s) => Array.from(s.steps.times)))].sort((a, b) => a - b);
  const header = ['timestamp', ...counts.map((s) => s.key.countType)];
  const rows = times.map((t) => [T.toIso(T.unsafeMillis(t)), ...counts.map((s) => String(SF.valueAt(T.unsafeMillis(t))(s.steps)))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: ReadonlyArray<string>) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  write(`Built-in example: ${exampleEvents.length} events -> ${intervals.length} intervals, ${rejections.length} rejections\n`);
  write(`Node counts at each change point (value holds until the next row):\n\n`);
  write(`${line(header)}\n${rows.map(line).join('\n')}\n\n`);
  const [from, to] = [T.unsafeMillis(times[0]), T.unsafeMillis(times[times.length - 1])];
  for (const s of counts) {
    const hours = SF.integral(from, to)(s.steps);
    write(`${s.key.countType.padEnd(18)} ${hours.toFixed(1)} node-hours from ${T.toIso(from)} to ${T.toIso(to)}\n`);
  }
  return 0;
};
