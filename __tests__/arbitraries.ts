/**
 * Shared fast-check generators. Streams are valid by construction (house style 14): per entity,
 * strictly increasing instants alternate create, delete, create, ...; the last interval may be
 * left open. Bounds are passed down, nothing is filtered.
 */
import fc from 'fast-check';
import * as E from '../lib/Event';
import * as Q from '../lib/Quantities';
import type { BaseCountType } from '../lib/CountType';
import * as T from '../lib/Time';

export const sites = ['chi_tacc', 'chi_uc'] as const;
export const nodeTypes = ['compute_haswell', 'gpu_a100', 'storage'] as const;
export const countTypes: ReadonlyArray<BaseCountType> = ['total', 'reservable', 'committed'];

export const quantities: fc.Arbitrary<Q.Quantities> = fc.record({
  nodes: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 64 }).map((v) => v / 64)),
  vcpus: fc.integer({ min: 0, max: 128 }),
  memory_mb: fc.integer({ min: 0, max: 1 << 20 }),
  disk_gb: fc.integer({ min: 0, max: 4000 }),
  gpus: fc.integer({ min: 0, max: 8 }),
  devices: fc.integer({ min: 0, max: 4 }),
});

/** An entity's events: `n` intervals from distinct rows, the last maybe open. */
export const entityEvents = (entityId: string): fc.Arbitrary<ReadonlyArray<E.Event>> =>
  fc
    .record({
      site: fc.constantFrom(...sites),
      countType: fc.constantFrom(...countTypes),
      node_type: fc.constantFrom(...nodeTypes),
      quantities,
      // instants in hours; duplicates removed so each boundary is strictly later than the last
      instants: fc.uniqueArray(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 8 }),
      leaveOpen: fc.boolean(),
    })
    .map(({ site, countType, node_type, quantities: q, instants, leaveOpen }) => {
      const ts = [...instants].sort((a, b) => a - b).map((h) => T.unsafeMillis(h * T.HOUR));
      const cut = leaveOpen || ts.length % 2 === 0 ? ts.length : ts.length - 1;
      const attributes = E.attributes({ site, node_type, hypervisor_hostname: `host-${entityId}` });
      const out: E.Event[] = [];
      for (let i = 0; i < cut; i++) {
        const fields = {
          entityId,
          time: ts[i],
          countType,
          quantities: q,
          attributes,
          source: { table: 'test.rows', id: `${entityId}-${Math.floor(i / 2)}` },
        };
        out.push(i % 2 === 0 ? E.create(fields) : E.del(fields));
      }
      return out;
    });

/** Events of several entities, valid by construction, in entity order. */
export const validStream: fc.Arbitrary<ReadonlyArray<E.Event>> = fc
  .integer({ min: 0, max: 12 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => entityEvents(`e${i}`))))
  .map((xs) => xs.flat());

/** Any events, including anomalies: random tags, times and rows over a few entities. */
export const anyStream: fc.Arbitrary<ReadonlyArray<E.Event>> = fc.array(
  fc
    .record({
      tag: fc.constantFrom('Create', 'Delete'),
      entity: fc.integer({ min: 0, max: 3 }),
      row: fc.integer({ min: 0, max: 4 }),
      hour: fc.integer({ min: 0, max: 20 }),
      countType: fc.constantFrom<BaseCountType>('total', 'committed'),
    })
    .map(({ tag, entity, row, hour, countType }) => {
      const fields = {
        entityId: `e${entity}`,
        time: T.unsafeMillis(hour * T.HOUR),
        countType,
        quantities: Q.make({ nodes: 1, vcpus: 2 }),
        attributes: E.attributes({ site: 'chi_uc' }),
        source: { table: 'test.rows', id: `r${row}` },
      };
      return tag === 'Create' ? E.create(fields) : E.del(fields);
    }),
  { maxLength: 40 },
);

/** A permutation of an array. */
export const shuffled = <A>(xs: ReadonlyArray<A>): fc.Arbitrary<ReadonlyArray<A>> =>
  fc
    .array(fc.integer(), { minLength: xs.length, maxLength: xs.length })
    .map((keys) => xs.map((x, i) => [keys[i], i, x] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((p) => p[2]));

/** A base event with defaults, for example tests. */
export const ev = (
  tag: 'Create' | 'Delete',
  hour: number,
  over: Partial<{ entityId: string; row: string; countType: BaseCountType; nodes: number; site: string; node_type: string }> = {},
): E.Event => {
  const fields = {
    entityId: over.entityId ?? 'a',
    time: T.unsafeMillis(hour * T.HOUR),
    countType: over.countType ?? 'total',
    quantities: Q.make({ nodes: over.nodes ?? 1 }),
    attributes: E.attributes({ site: over.site ?? 'chi_uc', node_type: over.node_type ?? 'compute_haswell' }),
    source: { table: 'nova.compute_nodes', id: over.row ?? '1' },
  };
  return tag === 'Create' ? E.create(fields) : E.del(fields);
};
