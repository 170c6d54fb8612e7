/**
 * Event tables: one site's create/delete events as columns, the form the core folds.
 *
 * An `Event` object costs about half a kilobyte of heap; ten million of them do not fit in a
 * gigabyte, and walking them is mostly cache misses. A table holds one event in 22 bytes of
 * typed arrays (time, tag, entity, source row, quantities, labels) plus dictionaries of what
 * repeats:
 * - `entityIds`: one entry per entity (count type, entity id), **numbered in canonical order**
 *   (by count type, then entity id), so folding entity by entity in index order gives the same
 *   sequence whatever order the rows were read in;
 * - `sources`, `quantities` and `labels` (node type, hypervisor hostname, extra keys): the objects
 *   the events carried, one entry per run of events carrying the same object (adapters share
 *   them between the events of a row). Entries are not unique: two entries may be equal, or
 *   even the same object, so code that asks "same source row?" compares `table` and `id`.
 *   Interning them in maps would cost a hash lookup per event for nothing, since nearly every
 *   row has its own.
 *
 * Every event of a table belongs to its `site`; labels carry no site, so replicas of a site can
 * share them. A table is immutable once built; the builder is the only writer.
 *
 * Invariants: `entity[i] < entityIds.length`, `entityCountType` and `entityIds` are sorted
 * together by (count type, id); `source[i] < sources.length`; the same for quantities and labels.
 *
 * @since 0.2.0
 */
import { baseCountTypes, type BaseCountType } from './CountType';
import type { Attributes, Event, SourceRef } from './Event';
import type { Quantities } from './Quantities';
import * as T from './Time';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * An entity's attributes without the site (the table has one site).
 *
 * @category model
 * @since 0.2.0
 */
export type Labels = Omit<Attributes, 'site'>;

/**
 * What events and intervals of a table refer to by index.
 *
 * @category model
 * @since 0.2.0
 */
export interface Dictionary {
  readonly site: string;
  /** Entity ids in canonical order: by count type (`baseCountTypes` order), then id. */
  readonly entityIds: ReadonlyArray<string>;
  /** Index in `baseCountTypes` of each entity. */
  readonly entityCountType: Uint8Array;
  readonly sources: ReadonlyArray<SourceRef>;
  readonly quantities: ReadonlyArray<Quantities>;
  readonly labels: ReadonlyArray<Labels>;
}

/**
 * @category model
 * @since 0.2.0
 */
export interface EventTable {
  readonly length: number;
  readonly time: Float64Array;
  /** 1 for a create, 0 for a delete. */
  readonly create: Uint8Array;
  readonly entity: Uint32Array;
  readonly source: Uint32Array;
  readonly quantities: Uint32Array;
  readonly labels: Uint32Array;
  readonly dict: Dictionary;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const countTypeIndex: ReadonlyMap<string, number> = new Map(baseCountTypes.map((ct, i) => [ct, i]));

/**
 * The index of a base count type in `baseCountTypes`.
 *
 * @since 0.2.0
 */
export const countTypeOf = (ct: BaseCountType): number => countTypeIndex.get(ct) as number;

/** A list of objects where consecutive pushes of the same object share one entry. */
export class RunList<A> {
  private last: A | undefined;
  readonly list: A[] = [];

  index(a: A): number {
    if (a !== this.last || this.list.length === 0) {
      this.list.push(a);
      this.last = a;
    }
    return this.list.length - 1;
  }
}

/**
 * Interns entities per count type in first-seen order; `canonical()` renumbers them in
 * (count type, id) order.
 */
export class EntityInterner {
  private readonly byType: Array<Map<string, number>> = baseCountTypes.map(() => new Map());
  private lastId: string | undefined;
  private lastType = -1;
  private lastIndex = -1;
  readonly ids: string[] = [];
  readonly types: number[] = [];

  index(ct: number, id: string): number {
    if (id === this.lastId && ct === this.lastType) return this.lastIndex;
    const m = this.byType[ct];
    let i = m.get(id);
    if (i === undefined) {
      i = this.ids.length;
      this.ids.push(id);
      this.types.push(ct);
      m.set(id, i);
    }
    this.lastId = id;
    this.lastType = ct;
    this.lastIndex = i;
    return i;
  }

  /** The canonical numbering: `rank[first-seen index]` and the ids and count types in that order. */
  canonical(): { rank: Uint32Array; ids: string[]; types: Uint8Array } {
    const n = this.ids.length;
    const rank = new Uint32Array(n);
    const ids: string[] = [];
    const types = new Uint8Array(n);
    for (let ct = 0; ct < this.byType.length; ct++) {
      const m = this.byType[ct];
      if (m.size === 0) continue;
      const sorted = [...m.keys()].sort();
      for (const id of sorted) {
        rank[m.get(id) as number] = ids.length;
        types[ids.length] = ct;
        ids.push(id);
      }
    }
    return { rank, ids, types };
  }
}


/** A growable typed column. */
class Column<A extends Float64Array | Uint32Array | Uint8Array> {
  constructor(
    public data: A,
    private readonly make: (n: number) => A,
  ) {}
  grow(n: number): void {
    if (n <= this.data.length) return;
    const next = this.make(Math.max(n, this.data.length * 2));
    next.set(this.data);
    this.data = next;
  }
  done(n: number): A {
    return this.data.slice(0, n) as A;
  }
}

/**
 * Builds the event table of one site, event by event, as adapters produce them.
 *
 * @example
 * const b = new Builder('chi_uc')
 * for (const e of events) b.push(e)
 * const table = b.build()
 * @category constructors
 * @since 0.2.0
 */
export class Builder {
  private n = 0;
  private readonly time = new Column(new Float64Array(1024), (k) => new Float64Array(k));
  private readonly create = new Column(new Uint8Array(1024), (k) => new Uint8Array(k));
  private readonly entity = new Column(new Uint32Array(1024), (k) => new Uint32Array(k));
  private readonly source = new Column(new Uint32Array(1024), (k) => new Uint32Array(k));
  private readonly quantities = new Column(new Uint32Array(1024), (k) => new Uint32Array(k));
  private readonly labels = new Column(new Uint32Array(1024), (k) => new Uint32Array(k));
  private readonly entities = new EntityInterner();
  private readonly sources = new RunList<SourceRef>();
  // an event's attributes serve as its labels: their `site` is the table's, and ignored
  private readonly quantityTable = new RunList<Quantities>();
  private readonly labelTable = new RunList<Labels>();

  constructor(readonly site: string) {}

  /** Events pushed so far. */
  get length(): number {
    return this.n;
  }

  /**
   * Appends an event. An event of another site is a broken invariant (the caller splits by
   * site) and throws.
   */
  push(e: Event): void {
    if (e.attributes.site !== this.site) throw new Error(`EventTable.Builder(${this.site}): event of site ${e.attributes.site}`);
    const i = this.n++;
    if (i >= this.time.data.length) {
      for (const c of [this.time, this.create, this.entity, this.source, this.quantities, this.labels] as Array<Column<Float64Array | Uint32Array | Uint8Array>>) c.grow(i + 1);
    }
    this.time.data[i] = e.time;
    this.create.data[i] = e._tag === 'Create' ? 1 : 0;
    this.entity.data[i] = this.entities.index(countTypeOf(e.countType), e.entityId);
    this.source.data[i] = this.sources.index(e.source);
    this.quantities.data[i] = this.quantityTable.index(e.quantities);
    this.labels.data[i] = this.labelTable.index(e.attributes);
  }

  /**
   * Drops the events pushed after the first `n` (a source that failed mid-way takes back its
   * events). Dictionary entries they made stay; an entity without events folds to nothing.
   */
  truncate(n: number): void {
    if (n < this.n) this.n = Math.max(0, n);
  }

  /** The table (entities renumbered canonically). The builder must not be used afterwards. */
  build(): EventTable {
    const n = this.n;
    const { rank, ids, types } = this.entities.canonical();
    const entity = this.entity.done(n);
    for (let i = 0; i < n; i++) entity[i] = rank[entity[i]];
    return {
      length: n,
      time: this.time.done(n),
      create: this.create.done(n),
      entity,
      source: this.source.done(n),
      quantities: this.quantities.done(n),
      labels: this.labels.done(n),
      dict: { site: this.site, entityIds: ids, entityCountType: types, sources: this.sources.list, quantities: this.quantityTable.list, labels: this.labelTable.list },
    };
  }
}

/**
 * One table per site, sorted by site.
 *
 * @example
 * const [table] = fromEvents(events)
 * @category constructors
 * @since 0.2.0
 */
export const fromEvents = (events: ReadonlyArray<Event>): ReadonlyArray<EventTable> => {
  const builders = new Map<string, Builder>();
  for (const e of events) {
    let b = builders.get(e.attributes.site);
    if (b === undefined) {
      b = new Builder(e.attributes.site);
      builders.set(e.attributes.site, b);
    }
    b.push(e);
  }
  return [...builders.keys()].sort().map((s) => (builders.get(s) as Builder).build());
};

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The attributes of a labels entry, with the site put back.
 *
 * @since 0.2.0
 */
export const attributesOf = (dict: Dictionary, labels: number): Attributes => {
  const l = dict.labels[labels];
  return { site: dict.site, node_type: l.node_type, hypervisor_hostname: l.hypervisor_hostname, extra: l.extra };
};

/**
 * The events of a table as objects, in table order.
 *
 * @since 0.2.0
 */
export const toEvents = (t: EventTable): ReadonlyArray<Event> => {
  const out: Event[] = [];
  const attrs = new Map<number, Attributes>();
  for (let i = 0; i < t.length; i++) {
    const e = t.entity[i];
    let a = attrs.get(t.labels[i]);
    if (a === undefined) {
      a = attributesOf(t.dict, t.labels[i]);
      attrs.set(t.labels[i], a);
    }
    out.push({
      entityId: t.dict.entityIds[e],
      countType: baseCountTypes[t.dict.entityCountType[e]],
      time: T.unsafeMillis(t.time[i]),
      source: t.dict.sources[t.source[i]],
      quantities: t.dict.quantities[t.quantities[i]],
      attributes: a,
      _tag: t.create[i] === 1 ? 'Create' : 'Delete',
    });
  }
  return out;
};

/**
 * Events per base count type.
 *
 * @since 0.2.0
 */
export const countByType = (t: EventTable): Readonly<Partial<Record<BaseCountType, number>>> => {
  const counts = new Uint32Array(baseCountTypes.length);
  for (let i = 0; i < t.length; i++) counts[t.dict.entityCountType[t.entity[i]]]++;
  const out: Partial<Record<BaseCountType, number>> = {};
  baseCountTypes.forEach((ct, i) => {
    if (counts[i] > 0) out[ct] = counts[i];
  });
  return out;
};

/**
 * The same table read as another site: the replica shares every column and dictionary, only the
 * site differs (for benchmarks and tests that need many sites of the same shape).
 *
 * @since 0.2.0
 */
export const withSite = (t: EventTable, site: string): EventTable => ({ ...t, dict: { ...t.dict, site } });
