import fc from 'fast-check';
import * as N from 'fp-ts/number';
import * as O from 'fp-ts/Option';
import * as S from 'fp-ts/string';
import { contramap, getMonoid, type Ord } from 'fp-ts/Ord';
import { concatAll } from 'fp-ts/Monoid';
import * as E from '../lib/Event';
import * as I from '../lib/Interval';
import * as T from '../lib/Time';
import { anyStream } from './arbitraries';

// The orders as the field orders concatenated (their definition before they were written out as
// one comparator for speed, issue 8): both must agree on every pair.
const eventOrd: Ord<E.Event> = concatAll(getMonoid<E.Event>())([
  contramap((e: E.Event) => e.time)(T.Ord),
  contramap((e: E.Event) => (e._tag === 'Delete' ? 0 : 1))(N.Ord),
  contramap((e: E.Event) => e.attributes.site)(S.Ord),
  contramap((e: E.Event) => e.countType as string)(S.Ord),
  contramap((e: E.Event) => e.entityId)(S.Ord),
  contramap((e: E.Event) => e.source.table)(S.Ord),
  contramap((e: E.Event) => e.source.id)(S.Ord),
  contramap((e: E.Event) => e.quantities.nodes)(N.Ord),
  contramap((e: E.Event) => e.quantities.vcpus)(N.Ord),
  contramap((e: E.Event) => e.quantities.memory_mb)(N.Ord),
  contramap((e: E.Event) => e.quantities.disk_gb)(N.Ord),
  contramap((e: E.Event) => e.quantities.gpus)(N.Ord),
]);

const intervalOrd: Ord<I.Interval> = concatAll(getMonoid<I.Interval>())([
  contramap((i: I.Interval) => i.start)(T.Ord),
  contramap((i: I.Interval) => i.attributes.site)(S.Ord),
  contramap((i: I.Interval) => i.countType as string)(S.Ord),
  contramap((i: I.Interval) => i.entityId)(S.Ord),
  contramap((i: I.Interval) => i.source.table)(S.Ord),
  contramap((i: I.Interval) => i.source.id)(S.Ord),
]);

const asInterval = (e: E.Event): I.Interval => ({
  entityId: e.entityId,
  countType: e.countType,
  start: e.time,
  end: O.none,
  quantities: e.quantities,
  attributes: e.attributes,
  source: e.source,
  events: 1,
});

describe('the written-out orders', () => {
  it('Event.Ord agrees with the concatenated field orders', () => {
    fc.assert(
      fc.property(anyStream, (xs) => {
        for (const a of xs) for (const b of xs) expect(E.Ord.compare(a, b)).toBe(eventOrd.compare(a, b));
      }),
    );
  });

  it('Interval.Ord agrees with the concatenated field orders', () => {
    fc.assert(
      fc.property(anyStream, (xs) => {
        const is = xs.map(asInterval);
        for (const a of is) for (const b of is) expect(I.Ord.compare(a, b)).toBe(intervalOrd.compare(a, b));
      }),
    );
  });
});
