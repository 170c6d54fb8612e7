/**
 * A tiny built-in site, for the first run on a fresh clone: three bare-metal hosts, one of them
 * retired, a lease that reserves two of them and an instance that runs on one. It exercises the
 * whole core (events -> intervals -> counts) without a database.
 *
 * @since 0.1.0
 */
import * as O from 'fp-ts/Option';
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
  const out = [E.create({ ...fields, time: at(start) })];
  return end === undefined ? out : [...out, E.del({ ...fields, time: at(end) })];
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
