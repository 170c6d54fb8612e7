import fc from 'fast-check';
import { columns, toFacts } from '../lib/Facts';
import { ev, validStream } from './arbitraries';

describe('toFacts', () => {
  it('gives one signed row per event and value type, with exactly the plan columns', () => {
    const facts = toFacts(['nodes'])([ev('Delete', 2, { row: '3' }), ev('Create', 1, { row: '3' })]);
    expect(facts).toEqual([
      {
        timestamp: '1970-01-01T01:00:00Z',
        source: 'nova.compute_nodes:3',
        entity_id: 'a',
        count_type: 'total',
        value_type: 'nodes',
        value: 1,
        node_type: 'compute_haswell',
        hypervisor_hostname: 'unknown',
      },
      { ...facts[0], timestamp: '1970-01-01T02:00:00Z', value: -1 },
    ]);
    expect(Object.keys(facts[0])).toEqual([...columns]);
  });

  it('sums to zero per entity for a stream whose intervals are all closed', () => {
    fc.assert(
      fc.property(validStream, (xs) => {
        const sums = new Map<string, number>();
        const creates = new Map<string, number>();
        for (const e of xs) creates.set(e.entityId, (creates.get(e.entityId) ?? 0) + (e._tag === 'Create' ? 1 : -1));
        for (const f of toFacts(['vcpus'])(xs)) sums.set(f.entity_id, (sums.get(f.entity_id) ?? 0) + f.value);
        for (const [k, open] of creates) if (open === 0) expect(sums.get(k)).toBe(0);
      }),
    );
  });
});
