import fc from 'fast-check';
import * as E from '../lib/Event';
import { Builder, countByType, fromEvents, toEvents, withSite } from '../lib/EventTable';
import { foldTable, toIntervals } from '../lib/Fold';
import * as IT from '../lib/IntervalTable';
import { anyStream, ev, shuffled, validStream } from './arbitraries';

const sorted = (es: ReadonlyArray<E.Event>): ReadonlyArray<E.Event> => [...es].sort(E.Ord.compare);

describe('EventTable', () => {
  it('gives back the events it was built from, one table per site sorted by site', () => {
    fc.assert(
      fc.property(validStream, (events) => {
        const tables = fromEvents(events);
        expect(tables.map((t) => t.dict.site)).toEqual([...new Set(events.map((e) => e.attributes.site))].sort());
        const back = tables.flatMap((t) => [...toEvents(t)]);
        expect(sorted(back)).toEqual(sorted(events));
      }),
    );
  });

  it('groups the events by entity, in canonical entity order, keeping push order within an entity', () => {
    fc.assert(
      fc.property(anyStream, (events) => {
        for (const t of fromEvents(events)) {
          for (let i = 1; i < t.length; i++) expect(t.entity[i]).toBeGreaterThanOrEqual(t.entity[i - 1]);
          const back = toEvents(t);
          const mine = events.filter((e) => e.attributes.site === t.dict.site);
          for (const id of new Set(mine.map((e) => `${e.countType}/${e.entityId}`))) {
            const of = (es: ReadonlyArray<typeof events[number]>) => es.filter((e) => `${e.countType}/${e.entityId}` === id);
            expect(of(back)).toEqual(of(mine));
          }
        }
      }),
    );
  });

  it('numbers entities by count type, then id, whatever order the events come in', () => {
    fc.assert(
      fc.property(anyStream.chain((es) => fc.tuple(fc.constant(es), shuffled(es))), ([a, b]) => {
        const [ta] = fromEvents(a);
        const [tb] = fromEvents(b);
        if (ta === undefined) return;
        expect(tb.dict.entityIds).toEqual(ta.dict.entityIds);
        expect([...tb.dict.entityCountType]).toEqual([...ta.dict.entityCountType]);
        const keys = ta.dict.entityIds.map((id, i) => `${ta.dict.entityCountType[i]}\u0000${id}`);
        expect(keys).toEqual([...keys].sort());
      }),
    );
  });

  it('makes one run of the events that share their source, quantities and attributes objects', () => {
    const b = new Builder('chi_uc');
    const e = ev('Create', 1, { row: '7' });
    b.push(e);
    b.push({ ...e, _tag: 'Delete', time: ev('Delete', 2).time });
    b.push(ev('Create', 3, { row: '7' }));
    const t = b.build();
    expect([...t.run]).toEqual([0, 0, 1]);
    // equal texts are stored once
    expect(t.dict.runs.sourceTable[0]).toBe(t.dict.runs.sourceTable[1]);
    expect(t.dict.strings.filter((s) => s === 'nova.compute_nodes')).toHaveLength(1);
  });

  it('keeps every extra key of every run, and tells an empty value from an absent one', () => {
    const base = ev('Create', 1);
    const a = { ...base, attributes: { ...base.attributes, extra: { reservation_id: 'r1', project_id: '' } } };
    const c = { ...base, entityId: 'b', attributes: { ...base.attributes, extra: { blazar_host_id: '3' } } };
    const [t] = fromEvents([a, c]);
    expect(toEvents(t).map((x) => x.attributes.extra)).toEqual([{ reservation_id: 'r1', project_id: '' }, { blazar_host_id: '3' }]);
  });

  it('folds two equal but distinct source refs as one row', () => {
    const b = new Builder('chi_uc');
    b.push(ev('Create', 5, { row: '7' }));
    b.push({ ...ev('Delete', 3), source: { table: 'nova.compute_nodes', id: '7' } });
    const r = foldTable()(b.build());
    expect(r.rejections.map((x) => x.reason)).toEqual(['negative_duration', 'negative_duration']);
  });

  it('refuses an event of another site (a broken invariant, not data)', () => {
    expect(() => new Builder('chi_uc').push(ev('Create', 1, { site: 'chi_tacc' }))).toThrow(/chi_tacc/);
  });

  it('takes back the events pushed after a mark', () => {
    const b = new Builder('chi_uc');
    b.push(ev('Create', 1, { entityId: 'a' }));
    b.push(ev('Create', 1, { entityId: 'b' }));
    b.truncate(1);
    const t = b.build();
    expect(t.length).toBe(1);
    expect(foldTable()(t).intervals.length).toBe(1);
  });

  it('counts events per count type', () => {
    const [t] = fromEvents([ev('Create', 1), ev('Delete', 2), ev('Create', 1, { countType: 'committed' })]);
    expect(countByType(t)).toEqual({ total: 2, committed: 1 });
  });

  it('reads a replica as another site without copying its columns', () => {
    const [t] = fromEvents([ev('Create', 1), ev('Delete', 3)]);
    const r = withSite(t, 'chi_uc_r1');
    expect(r.time).toBe(t.time);
    const [i] = IT.toIntervals(foldTable()(r).intervals);
    expect(i.attributes.site).toBe('chi_uc_r1');
  });
});

describe('foldTable', () => {
  it('folds a table whose rows are not grouped by entity as it folds the grouped one', () => {
    fc.assert(
      fc.property(anyStream, fc.integer(), (events, seed) => {
        for (const t of fromEvents(events)) {
          // the same rows in another order (a table made by hand, not by the builder)
          const perm = [...Array(t.length).keys()].sort((a, b) => ((a * 7919 + seed) % 101) - ((b * 7919 + seed) % 101) || a - b);
          const shuffledTable = {
            ...t,
            time: Float64Array.from(perm, (i) => t.time[i]),
            create: Uint8Array.from(perm, (i) => t.create[i]),
            entity: Uint32Array.from(perm, (i) => t.entity[i]),
            run: Uint32Array.from(perm, (i) => t.run[i]),
          };
          const a = foldTable({ overlap: { total: 'union' } })(t);
          const b = foldTable({ overlap: { total: 'union' } })(shuffledTable);
          expect(IT.toIntervals(b.intervals)).toEqual(IT.toIntervals(a.intervals));
          expect(b.rejections).toEqual(a.rejections);
        }
      }),
    );
  });

  it('accounts for every event per count type: events = absorbed + rejected', () => {
    fc.assert(
      fc.property(anyStream, (events) => {
        for (const t of fromEvents(events)) {
          const r = foldTable({ overlap: { total: 'union' } })(t);
          const absorbed = new Map<string, number>();
          const iv = r.intervals;
          for (let i = 0; i < iv.length; i++) {
            const ct = ['total', 'reservable', 'committed', 'ops', 'occupied_reserved', 'occupied_ondemand'][IT.countTypeAt(iv, i)];
            absorbed.set(ct, (absorbed.get(ct) ?? 0) + iv.events[i]);
          }
          for (const s of r.stats) {
            const rejected = Object.values(s.rejected_by_reason).reduce((a, b) => a + b, 0);
            expect(s.events).toBe((absorbed.get(s.count_type) ?? 0) + rejected);
          }
          expect(r.stats.reduce((n, s) => n + s.events, 0)).toBe(t.length);
        }
      }),
    );
  });

  it('gives the same intervals and rejections for any order of the same events', () => {
    fc.assert(
      fc.property(anyStream.chain((es) => fc.tuple(fc.constant(es), shuffled(es))), ([a, b]) => {
        const [x, y] = [toIntervals({ overlap: { total: 'union' } })(a), toIntervals({ overlap: { total: 'union' } })(b)];
        expect(y).toEqual(x);
        const [ta] = fromEvents(a);
        const [tb] = fromEvents(b);
        if (ta !== undefined) expect(foldTable()(tb).rejections).toEqual(foldTable()(ta).rejections);
      }),
    );
  });
});
