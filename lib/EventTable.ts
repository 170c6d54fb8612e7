/**
 * Event tables: one site's create/delete events as columns, the form the core folds.
 *
 * An `Event` object, with its source, quantities and attributes, costs about half a kilobyte of
 * heap; ten million of them do not fit in a gigabyte, every garbage collection walks them all,
 * and reading them is mostly cache misses. A table holds an event in 17 bytes of typed arrays
 * (time, tag, entity, run) and what repeats in a dictionary with almost no objects:
 * - `entityIds`: one entry per entity (count type, entity id), **numbered in canonical order**
 *   (by count type, then entity id), so folding entity by entity in index order gives the same
 *   sequence whatever order the rows were read in;
 * - `runs`: one entry per run of events that carried the same source, quantities and
 *   attributes objects (adapters share them between the events of a row, so a run is a row),
 *   as columns: source table and id, quantities (an index into a table of distinct
 *   quantities), node type, hypervisor hostname and one column per `extra` key;
 * - `strings`: every text of the runs, once (`strings[0]` is unused: a 0 in a column means
 *   "absent").
 *
 * Every event of a table belongs to its `site`; runs carry no site, so replicas of a site can
 * share them. The builder groups the events by entity (canonical entity order, push order within
 * an entity): the fold then reads the table front to back. A table is immutable once built; the
 * builder is the only writer.
 *
 * @since 0.2.0
 * @module
 */
import { baseCountTypes, type BaseCountType } from './CountType';
import type { Attributes, Event, SourceRef } from './Event';
import type { Quantities } from './Quantities';
import { groupIndex } from './Radix';
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
 * The runs of a table: per run, string ids (into `Dictionary.strings`, 0 = absent) and the
 * index of its quantities.
 *
 * @category model
 * @since 0.2.0
 */
export interface Runs {
  readonly length: number;
  readonly sourceTable: Uint32Array;
  /** The source row id of each run (not interned: nearly every run has its own). */
  readonly sourceIds: ReadonlyArray<string>;
  readonly quantity: Uint32Array;
  readonly nodeType: Uint32Array;
  readonly hostname: Uint32Array;
  /** The `extra` keys seen, in first-seen order; `extra[k]` is the column of `extraKeys[k]`. */
  readonly extraKeys: ReadonlyArray<string>;
  readonly extra: ReadonlyArray<Uint32Array>;
  /** Distinct quantities (by value). */
  readonly quantities: ReadonlyArray<Quantities>;
}

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
  readonly runs: Runs;
  /** Every text the runs name, once; index 0 is unused (absent). */
  readonly strings: ReadonlyArray<string>;
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
  readonly run: Uint32Array;
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

/** A growable typed column. */
class Column {
  data: Uint32Array;
  constructor(capacity: number) {
    this.data = new Uint32Array(capacity);
  }
  set(i: number, v: number): void {
    if (i >= this.data.length) {
      const next = new Uint32Array(Math.max(i + 1, this.data.length * 2));
      next.set(this.data);
      this.data = next;
    }
    this.data[i] = v;
  }
  done(n: number): Uint32Array {
    if (this.data.length < n) this.set(n - 1, 0);
    return this.data.slice(0, n);
  }
}

/**
 * Builds the runs and strings of a dictionary: `index(source, quantities, attributes)` gives the
 * run of an event, a new one unless the three objects are those of the previous call.
 */
export class RunBuilder {
  private n = 0;
  private readonly stringIds = new Map<string, number>();
  readonly strings: string[] = [''];
  private readonly sourceTable = new Column(1024);
  private readonly sourceIds: string[] = [];
  private readonly quantity = new Column(1024);
  private readonly nodeType = new Column(1024);
  private readonly hostname = new Column(1024);
  private readonly extraIds = new Map<string, number>();
  private readonly extraKeys: string[] = [];
  private readonly extra: Column[] = [];
  private readonly quantityIds = new Map<string, number>();
  private readonly quantities: Quantities[] = [];
  private lastSource: SourceRef | undefined;
  private lastQuantities: Quantities | undefined;
  private lastLabels: Labels | undefined;
  private lastQuantity = 0;
  // per column, the last text and its id: rows in a row often share a table, host or project,
  // and a map lookup of a fresh string costs far more than comparing it with the last one
  private readonly lastText: Array<string | undefined> = [];
  private readonly lastId: number[] = [];

  /** The id of a text (interned). */
  string(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }

  /** `string(s)`, first compared with the last text of column `c`. */
  private text(c: number, s: string): number {
    if (s === this.lastText[c]) return this.lastId[c];
    const id = this.string(s);
    this.lastText[c] = s;
    this.lastId[c] = id;
    return id;
  }

  private quantityOf(q: Quantities): number {
    if (q === this.lastQuantities) return this.lastQuantity;
    const p = this.lastQuantities;
    if (p !== undefined && p.nodes === q.nodes && p.vcpus === q.vcpus && p.memory_mb === q.memory_mb && p.disk_gb === q.disk_gb && p.gpus === q.gpus && p.devices === q.devices) {
      this.lastQuantities = q;
      return this.lastQuantity;
    }
    const key = `${q.nodes},${q.vcpus},${q.memory_mb},${q.disk_gb},${q.gpus},${q.devices}`;
    let id = this.quantityIds.get(key);
    if (id === undefined) {
      id = this.quantities.length;
      this.quantities.push(q);
      this.quantityIds.set(key, id);
    }
    this.lastQuantities = q;
    this.lastQuantity = id;
    return id;
  }

/** The run of these source, quantities and labels: the last one when they are the same objects, else a new one. */
  index(source: SourceRef, q: Quantities, labels: Labels): number {
    if (this.n > 0 && source === this.lastSource && q === this.lastQuantities && labels === this.lastLabels) return this.n - 1;
    const r = this.n++;
    this.sourceTable.set(r, this.text(0, source.table));
    this.sourceIds.push(source.id);
    this.quantity.set(r, this.quantityOf(q));
    this.nodeType.set(r, this.text(1, labels.node_type));
    this.hostname.set(r, this.text(2, labels.hypervisor_hostname));
    for (const k in labels.extra) {
      const v = labels.extra[k];
      if (v === undefined) continue;
      let c = this.extraIds.get(k);
      if (c === undefined) {
        c = this.extra.length;
        this.extraIds.set(k, c);
        this.extraKeys.push(k);
        this.extra.push(new Column(Math.max(1024, r + 1)));
      }
      this.extra[c].set(r, this.text(3 + c, String(v)));
    }
    this.lastSource = source;
    this.lastLabels = labels;
    return r;
  }

  /** Runs 0..n-1 (later runs dropped). */
  build(n: number = this.n): Runs {
    return {
      length: n,
      sourceTable: this.sourceTable.done(n),
      sourceIds: this.sourceIds.slice(0, n),
      quantity: this.quantity.done(n),
      nodeType: this.nodeType.done(n),
      hostname: this.hostname.done(n),
      extraKeys: [...this.extraKeys],
      extra: this.extra.map((c) => c.done(n)),
      quantities: [...this.quantities],
    };
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
  private n = 0;

/** The entity number of id `id` of count type `ct` (index in `baseCountTypes`), new ones numbered in first-seen order. */
  index(ct: number, id: string): number {
    if (id === this.lastId && ct === this.lastType) return this.lastIndex;
    const m = this.byType[ct];
    let i = m.get(id);
    if (i === undefined) {
      i = this.n++;
      m.set(id, i);
    }
    this.lastId = id;
    this.lastType = ct;
    this.lastIndex = i;
    return i;
  }

  /** The canonical numbering: `rank[first-seen index]` and the ids and count types in that order. */
  canonical(): { rank: Uint32Array; ids: string[]; types: Uint8Array } {
    const rank = new Uint32Array(this.n);
    const ids: string[] = [];
    const types = new Uint8Array(this.n);
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

/**
 * The dictionary of interned entities and runs; renumbers `entity` (first-seen numbers) in place
 * to the canonical numbers.
 *
 * @since 0.2.0
 */
export const dictionary = (site: string, entities: EntityInterner, runs: RunBuilder, entity: Uint32Array): Dictionary => {
  const { rank, ids, types } = entities.canonical();
  for (let i = 0; i < entity.length; i++) entity[i] = rank[entity[i]];
  return { site, entityIds: ids, entityCountType: types, runs: runs.build(), strings: runs.strings };
};

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
  private time = new Float64Array(1024);
  private create = new Uint8Array(1024);
  private entity = new Uint32Array(1024);
  private run = new Uint32Array(1024);
  private readonly entities = new EntityInterner();
  private readonly runs = new RunBuilder();

  constructor(readonly site: string) {}

  /** Events pushed so far. */
  get length(): number {
    return this.n;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const time = new Float64Array(cap);
    time.set(this.time);
    this.time = time;
    const create = new Uint8Array(cap);
    create.set(this.create);
    this.create = create;
    const entity = new Uint32Array(cap);
    entity.set(this.entity);
    this.entity = entity;
    const run = new Uint32Array(cap);
    run.set(this.run);
    this.run = run;
  }

  /**
   * Appends an event. An event of another site is a broken invariant (the caller splits by
   * site) and throws.
   */
  push(e: Event): void {
    if (e.attributes.site !== this.site) throw new Error(`EventTable.Builder(${this.site}): event of site ${e.attributes.site}`);
    if (this.n === this.time.length) this.grow();
    const i = this.n++;
    this.time[i] = e.time;
    this.create[i] = e._tag === 'Create' ? 1 : 0;
    this.entity[i] = this.entities.index(countTypeOf(e.countType), e.entityId);
    this.run[i] = this.runs.index(e.source, e.quantities, e.attributes);
  }

  /**
   * Drops the events pushed after the first `n` (a source that failed mid-way takes back its
   * events). Dictionary entries they made stay; an entity without events folds to nothing.
   */
  truncate(n: number): void {
    if (n < this.n) this.n = Math.max(0, n);
  }

  /**
   * The table: entities renumbered canonically and the events grouped by entity (in push order
   * within an entity), so the fold reads them in one sequential pass. The builder must not be
   * used afterwards.
   */
  build(): EventTable {
    const n = this.n;
    const first = this.entity.subarray(0, n);
    const dict = dictionary(this.site, this.entities, this.runs, first);
    const order = groupIndex(first, dict.entityIds.length);
    const time = new Float64Array(n);
    const create = new Uint8Array(n);
    const entity = new Uint32Array(n);
    const run = new Uint32Array(n);
    for (let k = 0; k < n; k++) {
      const i = order[k];
      time[k] = this.time[i];
      create[k] = this.create[i];
      entity[k] = first[i];
      run[k] = this.run[i];
    }
    return { length: n, time, create, entity, run, dict };
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
 * The text of a string id (`undefined` for 0, absent).
 *
 * @since 0.2.0
 */
export const text = (dict: Dictionary, id: number): string | undefined => (id === 0 ? undefined : dict.strings[id]);

/**
 * The source row of a run.
 *
 * @since 0.2.0
 */
export const sourceOf = (dict: Dictionary, run: number): SourceRef => ({ table: dict.strings[dict.runs.sourceTable[run]], id: dict.runs.sourceIds[run] });

/**
 * The quantities of a run.
 *
 * @since 0.2.0
 */
export const quantitiesOf = (dict: Dictionary, run: number): Quantities => dict.runs.quantities[dict.runs.quantity[run]];

/**
 * The `extra` record of a run (a new object).
 *
 * @since 0.2.0
 */
export const extraOf = (dict: Dictionary, run: number): Readonly<Record<string, string>> => {
  const out: Record<string, string> = {};
  const { extraKeys, extra } = dict.runs;
  for (let k = 0; k < extraKeys.length; k++) {
    const id = extra[k][run];
    if (id !== 0) out[extraKeys[k]] = dict.strings[id];
  }
  return out;
};

/**
 * The attributes of a run, with the table's site (a new object).
 *
 * @since 0.2.0
 */
export const attributesOf = (dict: Dictionary, run: number): Attributes => ({
  site: dict.site,
  node_type: dict.strings[dict.runs.nodeType[run]],
  hypervisor_hostname: dict.strings[dict.runs.hostname[run]],
  extra: extraOf(dict, run),
});

/**
 * The events of a table as objects, in table order (the objects of one run shared).
 *
 * @since 0.2.0
 */
export const toEvents = (t: EventTable): ReadonlyArray<Event> => {
  const out: Event[] = [];
  let last = -1;
  let source: SourceRef | undefined;
  let attributes: Attributes | undefined;
  for (let i = 0; i < t.length; i++) {
    const e = t.entity[i];
    const r = t.run[i];
    if (r !== last || source === undefined || attributes === undefined) {
      source = sourceOf(t.dict, r);
      attributes = attributesOf(t.dict, r);
      last = r;
    }
    out.push({
      entityId: t.dict.entityIds[e],
      countType: baseCountTypes[t.dict.entityCountType[e]],
      time: T.unsafeMillis(t.time[i]),
      source,
      quantities: quantitiesOf(t.dict, r),
      attributes,
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
