import fc from 'fast-check';
import * as E from '../lib/Event';
import { anyStream, ev } from './arbitraries';

describe('Event.Ord', () => {
  it('puts a delete before a create at the same instant', () => {
    expect(E.Ord.compare(ev('Delete', 5), ev('Create', 5))).toBe(-1);
    expect(E.Ord.compare(ev('Create', 5), ev('Delete', 5))).toBe(1);
  });

  it('orders by time before anything else', () => {
    expect(E.Ord.compare(ev('Create', 4, { entityId: 'z' }), ev('Delete', 5, { entityId: 'a' }))).toBe(-1);
  });

  it('breaks ties on entity and source row so the order is total', () => {
    expect(E.Ord.compare(ev('Create', 5, { entityId: 'a' }), ev('Create', 5, { entityId: 'b' }))).toBe(-1);
    expect(E.Ord.compare(ev('Create', 5, { row: '1' }), ev('Create', 5, { row: '2' }))).toBe(-1);
  });

  const arb = anyStream.filter((xs) => xs.length >= 3).map((xs) => [xs[0], xs[1], xs[2]] as const);

  it('is reflexive', () => {
    fc.assert(fc.property(arb, ([a]) => E.Ord.compare(a, a) === 0));
  });

  it('is antisymmetric', () => {
    fc.assert(fc.property(arb, ([a, b]) => E.Ord.compare(a, b) === -E.Ord.compare(b, a)));
  });

  it('is transitive', () => {
    fc.assert(
      fc.property(arb, ([a, b, c]) => !(E.Ord.compare(a, b) <= 0 && E.Ord.compare(b, c) <= 0) || E.Ord.compare(a, c) <= 0),
    );
  });

  it('makes sorting independent of the input order', () => {
    fc.assert(
      fc.property(anyStream, (xs) => {
        const a = [...xs].sort(E.Ord.compare);
        const b = [...xs].reverse().sort(E.Ord.compare);
        expect(b).toEqual(a);
      }),
    );
  });
});

describe('Event constructors', () => {
  it('default node_type and hypervisor_hostname to unknown', () => {
    expect(E.attributes({ site: 'kvm_tacc' })).toEqual({ site: 'kvm_tacc', node_type: 'unknown', hypervisor_hostname: 'unknown', extra: {} });
  });

  it('show a source as table:id', () => {
    expect(E.showSource({ table: 'nova.instances', id: '42' })).toBe('nova.instances:42');
  });
});

describe('Event.span', () => {
  it('gives a create alone for an open span and a create and a delete for a closed one', () => {
    const open = E.span({ ...ev('Create', 0) }, ev('Create', 1).time, null);
    expect(open.map((e) => [e._tag, e.time])).toEqual([['Create', ev('Create', 1).time]]);
    const closed = E.span({ ...ev('Create', 0) }, ev('Create', 1).time, ev('Create', 3).time);
    expect(closed.map((e) => e._tag)).toEqual(['Create', 'Delete']);
    expect(closed[1].time).toBe(ev('Create', 3).time);
  });
});
