/**
 * Interval tables: one site's interval facts as columns (see `Interval.ts` for the semantics,
 * `EventTable.ts` for the dictionary the indices point into).
 *
 * Column `end` holds `Infinity` for an open interval (`end = none`); `start < end` always.
 * Rows are in no particular order: the fold emits them entity by entity, clamping count type by
 * count type. `toIntervals` gives the objects, sorted by `Interval.Ord`.
 *
 * @since 0.2.0
 * @module
 */
import * as O from 'fp-ts/Option';
import { baseCountTypes } from './CountType';
import type { Attributes } from './Event';
import { attributesOf, countTypeOf, dictionary, EntityInterner, quantitiesOf, RunBuilder, sourceOf, type Dictionary } from './EventTable';
import * as I from './Interval';
import type { Quantities } from './Quantities';
import * as T from './Time';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * @category model
 * @since 0.2.0
 */
export interface IntervalTable {
  readonly length: number;
  readonly start: Float64Array;
  /** `Infinity` when open. */
  readonly end: Float64Array;
  readonly entity: Uint32Array;
  /** The run (source row, quantities, attributes) of the create that opened the interval. */
  readonly run: Uint32Array;
  /** Events the interval absorbed. */
  readonly events: Uint32Array;
  readonly dict: Dictionary;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Appends rows to a new interval table over a dictionary.
 *
 * @category constructors
 * @since 0.2.0
 */
export class Builder {
  private n = 0;
  private cap: number;
  private start: Float64Array;
  private end: Float64Array;
  private entity: Uint32Array;
  private run: Uint32Array;
  private events: Uint32Array;

  constructor(
    readonly dict: Dictionary,
    capacity = 1024,
  ) {
    this.cap = Math.max(16, capacity);
    this.start = new Float64Array(this.cap);
    this.end = new Float64Array(this.cap);
    this.entity = new Uint32Array(this.cap);
    this.run = new Uint32Array(this.cap);
    this.events = new Uint32Array(this.cap);
  }

/** The rows pushed so far. */
  get length(): number {
    return this.n;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const f = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const u = (a: Uint32Array) => {
      const b = new Uint32Array(cap);
      b.set(a);
      return b;
    };
    this.start = f(this.start);
    this.end = f(this.end);
    this.entity = u(this.entity);
    this.run = u(this.run);
    this.events = u(this.events);
    this.cap = cap;
  }

  /** Appends one interval. */
  push(start: number, end: number, entity: number, run: number, events: number): void {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.start[i] = start;
    this.end[i] = end;
    this.entity[i] = entity;
    this.run[i] = run;
    this.events[i] = events;
  }

  /** Appends every row of `t` (same dictionary), column by column. */
  pushAll(t: IntervalTable): void {
    while (this.n + t.length > this.cap) this.grow();
    const n = this.n;
    this.start.set(t.start, n);
    this.end.set(t.end, n);
    this.entity.set(t.entity, n);
    this.run.set(t.run, n);
    this.events.set(t.events, n);
    this.n += t.length;
  }

  /** Appends row `i` of `t` (same dictionary), with another span and event count. */
  pushFrom(t: IntervalTable, i: number, start: number = t.start[i], end: number = t.end[i], events: number = t.events[i]): void {
    this.push(start, end, t.entity[i], t.run[i], events);
  }

  /** The table: views of the builder's columns (no copy; the builder must not be used afterwards). */
  build(): IntervalTable {
    const n = this.n;
    return {
      length: n,
      start: this.start.subarray(0, n),
      end: this.end.subarray(0, n),
      entity: this.entity.subarray(0, n),
      run: this.run.subarray(0, n),
      events: this.events.subarray(0, n),
      dict: this.dict,
    };
  }
}

/**
 * One table per site (sorted by site) holding the given intervals.
 *
 * @category constructors
 * @since 0.2.0
 */
export const fromIntervals = (intervals: ReadonlyArray<I.Interval>): ReadonlyArray<IntervalTable> => {
  const bySite = new Map<string, I.Interval[]>();
  for (const i of intervals) {
    const list = bySite.get(i.attributes.site);
    if (list === undefined) bySite.set(i.attributes.site, [i]);
    else list.push(i);
  }
  const out: IntervalTable[] = [];
  for (const site of [...bySite.keys()].sort()) {
    const list = bySite.get(site) as I.Interval[];
    const entities = new EntityInterner();
    const runs = new RunBuilder();
    const ent = new Uint32Array(list.length);
    const run = new Uint32Array(list.length);
    for (let k = 0; k < list.length; k++) {
      const i = list[k];
      ent[k] = entities.index(countTypeOf(i.countType), i.entityId);
      run[k] = runs.index(i.source, i.quantities, i.attributes);
    }
    const dict = dictionary(site, entities, runs, ent);
    const b = new Builder(dict, list.length);
    for (let k = 0; k < list.length; k++) {
      const i = list[k];
      b.push(i.start, O.isSome(i.end) ? i.end.value : Infinity, ent[k], run[k], i.events);
    }
    out.push(b.build());
  }
  return out;
};

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The base count type of row `i`, as its index in `baseCountTypes`.
 *
 * @since 0.2.0
 */
export const countTypeAt = (t: IntervalTable, i: number): number => t.dict.entityCountType[t.entity[i]];

/**
 * A flyweight `Interval` over the rows of a table, for callbacks that read a row and keep
 * nothing (clamping rules): `at(i)` re-points the same object; its `attributes` and
 * `attributes.extra` are shared objects that read the current row (`extra` has a getter per key
 * of the table), so reading a million rows allocates nothing but what the caller asks for
 * (`end`, `source`). Never keep the object or its attributes past the call.
 *
 * @since 0.2.0
 */
export class RowView implements I.Interval {
  private i = 0;
  private r = 0;
  readonly attributes: Attributes;

  constructor(private readonly t: IntervalTable) {
    const { runs, strings } = t.dict;
    const extra: Record<string, string> = {};
    runs.extraKeys.forEach((k, c) => {
      const column = runs.extra[c];
      Object.defineProperty(extra, k, {
        enumerable: true,
        get: () => {
          const id = column[this.r];
          return id === 0 ? undefined : strings[id];
        },
      });
    });
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    this.attributes = {
      site: t.dict.site,
      get node_type() {
        return strings[runs.nodeType[self.r]];
      },
      get hypervisor_hostname() {
        return strings[runs.hostname[self.r]];
      },
      extra,
    };
  }

  /** Points the view at row `i`. */
  at(i: number): I.Interval {
    this.i = i;
    this.r = this.t.run[i];
    return this;
  }

/** The row's entity id. */
  get entityId(): string {
    return this.t.dict.entityIds[this.t.entity[this.i]];
  }
/** The row's count type. */
  get countType(): I.Interval['countType'] {
    return baseCountTypes[this.t.dict.entityCountType[this.t.entity[this.i]]];
  }
/** The row's start. */
  get start(): T.Millis {
    return T.unsafeMillis(this.t.start[this.i]);
  }
/** The row's end, `none` when open. */
  get end(): O.Option<T.Millis> {
    const e = this.t.end[this.i];
    return e === Infinity ? O.none : O.some(T.unsafeMillis(e));
  }
/** The row's quantities. */
  get quantities(): Quantities {
    return quantitiesOf(this.t.dict, this.r);
  }
  get source(): I.Interval['source'] {
    return sourceOf(this.t.dict, this.r);
  }
  get events(): number {
    return this.t.events[this.i];
  }
}

/**
 * Row `i` as a new `Interval` object (objects of one run made once and shared).
 *
 * @since 0.2.0
 */
export const view = (t: IntervalTable): ((i: number) => I.Interval) => {
  let last = -1;
  let attributes: Attributes | undefined;
  let source: I.Interval['source'] | undefined;
  return (i: number): I.Interval => {
    const r = t.run[i];
    if (r !== last || attributes === undefined || source === undefined) {
      attributes = attributesOf(t.dict, r);
      source = sourceOf(t.dict, r);
      last = r;
    }
    return {
      entityId: t.dict.entityIds[t.entity[i]],
      countType: baseCountTypes[t.dict.entityCountType[t.entity[i]]],
      start: T.unsafeMillis(t.start[i]),
      end: t.end[i] === Infinity ? O.none : O.some(T.unsafeMillis(t.end[i])),
      quantities: quantitiesOf(t.dict, r),
      attributes,
      source,
      events: t.events[i],
    };
  };
};

/**
 * The rows as `Interval` objects, sorted by `Interval.Ord`.
 *
 * @since 0.2.0
 */
export const toIntervals = (t: IntervalTable): ReadonlyArray<I.Interval> => {
  const at = view(t);
  const out: I.Interval[] = new Array<I.Interval>(t.length);
  for (let i = 0; i < t.length; i++) out[i] = at(i);
  return out.sort(I.Ord.compare);
};
