/**
 * The fold: sorted create/delete events -> interval facts per entity, with typed rejections.
 *
 * Per entity (site, count type, entity id), events are taken in `Event.Ord` order:
 * - a `Create` opens an interval; a `Delete` closes it at its time (exclusive end);
 * - an entity may open and close many times (an instance shelved and unshelved gives two
 *   intervals);
 * - an entity still open at the end gives an open-ended interval (`end = none`).
 *
 * Before that walk, each source row's own events are paired: a row whose delete is earlier than
 * its create yields `negative_duration`, one whose delete is at the same instant yields `empty`;
 * both events of such a pair are rejected and never touch the entity's state.
 *
 * Overlap modes (per count type):
 * - `reject` (default): a create while open is rejected (`create_while_open`) and the delete
 *   that would close that second create then has nothing open (`delete_without_open`);
 * - `union`: rows of the same entity are merged: overlapping windows count once (a nesting
 *   depth is kept; the interval closes when the last open row closes) and touching windows are
 *   joined. Nova compute node rows of one hypervisor_hostname are merged this way.
 *
 * Laws (tested with fast-check):
 * - conservation: every input event is absorbed by exactly one interval or is exactly one
 *   rejection (`sum(interval.events) + rejections.length = events.length`);
 * - order independence: any permutation of the input gives the same output;
 * - the input array is not mutated.
 *
 * @since 0.1.0
 */
import * as O from 'fp-ts/Option';
import type { BaseCountType } from './CountType';
import * as E from './Event';
import * as I from './Interval';
import { rejection, type FoldReason, type Rejection } from './Rejection';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export type OverlapMode = 'reject' | 'union';

/** @category model @since 0.1.0 */
export interface FoldOptions {
  /** Overlap mode per count type; absent count types use `reject`. */
  readonly overlap?: Partial<Record<BaseCountType, OverlapMode>>;
}

/** @category model @since 0.1.0 */
export interface FoldResult {
  /** Sorted by `Interval.Ord`. */
  readonly intervals: ReadonlyArray<I.Interval>;
  /** Sorted by entity, then time. */
  readonly rejections: ReadonlyArray<Rejection>;
}

// -------------------------------------------------------------------------------------
// folding
// -------------------------------------------------------------------------------------

const reject = (e: E.Event, reason: FoldReason, detail: string): Rejection =>
  rejection({ site: e.attributes.site, source: e.source, reason, detail, entityId: e.entityId, time: e.time });

/**
 * Marks the events of source rows whose delete is not after their create. Returns the reason per
 * marked index. `evs` is sorted by `Event.Ord`.
 */
const pairRows = (evs: ReadonlyArray<E.Event>): Map<number, FoldReason> | undefined => {
  const n = evs.length;
  if (n < 2) return undefined;
  if (n === 2) {
    // the common entity: one row's create and delete (the general walk below gives the same)
    const [a, b] = evs;
    if (a._tag === b._tag || a.source.table !== b.source.table || a.source.id !== b.source.id) return undefined;
    const [c, d] = a._tag === 'Create' ? [a, b] : [b, a];
    if (d.time > c.time) return undefined;
    const reason: FoldReason = d.time === c.time ? 'empty' : 'negative_duration';
    return new Map([
      [0, reason],
      [1, reason],
    ]);
  }
  let marked: Map<number, FoldReason> | undefined;
  // the entity's events grouped by source row: indices sorted by (table, id), then index
  const idx: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => {
    const x = evs[a].source;
    const y = evs[b].source;
    return x.table < y.table ? -1 : x.table > y.table ? 1 : x.id < y.id ? -1 : x.id > y.id ? 1 : a - b;
  });
  const groups: number[][] = [];
  for (let r = 0; r < n; ) {
    const s0 = evs[idx[r]].source;
    let e = r + 1;
    while (e < n && evs[idx[e]].source.table === s0.table && evs[idx[e]].source.id === s0.id) e++;
    if (e - r >= 2) groups.push(idx.slice(r, e));
    r = e;
  }
  const mark = (i: number, reason: FoldReason): void => {
    if (marked === undefined) marked = new Map();
    marked.set(i, reason);
  };
  const isMarked = (i: number): boolean => marked !== undefined && marked.has(i);
  for (const list of groups) {
    // The row's own order: by time, creates before deletes at one instant.
    const ordered = [...list].sort((a, b) =>
      evs[a].time !== evs[b].time ? evs[a].time - evs[b].time : evs[a]._tag === evs[b]._tag ? a - b : evs[a]._tag === 'Create' ? -1 : 1,
    );
    let open = -1;
    const lonelyDeletes: number[] = [];
    const lonelyCreates: number[] = [];
    for (const i of ordered) {
      if (evs[i]._tag === 'Create') {
        if (open >= 0) lonelyCreates.push(open);
        open = i;
      } else if (open >= 0) {
        if (evs[open].time === evs[i].time) {
          mark(open, 'empty');
          mark(i, 'empty');
        }
        open = -1;
      } else lonelyDeletes.push(i);
    }
    if (open >= 0) lonelyCreates.push(open);
    for (const d of lonelyDeletes) {
      const c = lonelyCreates.find((j) => !isMarked(j) && evs[j].time >= evs[d].time);
      if (c === undefined) continue;
      const reason: FoldReason = evs[c].time === evs[d].time ? 'empty' : 'negative_duration';
      mark(c, reason);
      mark(d, reason);
    }
  }
  return marked;
};

interface Open {
  readonly create: E.Event;
  depth: number;
  events: number;
}

const close = (o: Open, end: O.Option<E.Event['time']>): I.Interval => ({
  entityId: o.create.entityId,
  countType: o.create.countType,
  start: o.create.time,
  end,
  quantities: o.create.quantities,
  attributes: o.create.attributes,
  source: o.create.source,
  events: o.events,
});

/** Joins touching intervals of one entity (union mode): `[a, b)` and `[b, c)` become `[a, c)`. */
const joinTouching = (xs: ReadonlyArray<I.Interval>): ReadonlyArray<I.Interval> => {
  const out: I.Interval[] = [];
  for (const x of xs) {
    const last = out.length > 0 ? out[out.length - 1] : undefined;
    if (last !== undefined && O.isSome(last.end) && last.end.value === x.start) {
      out[out.length - 1] = { ...last, end: x.end, events: last.events + x.events };
    } else out.push(x);
  }
  return out;
};

const foldEntity = (
  evs: ReadonlyArray<E.Event>,
  mode: OverlapMode,
  intervals: I.Interval[],
  rejections: Rejection[],
): void => {
  const marked = pairRows(evs);
  const mine: I.Interval[] = [];
  let open: Open | undefined;
  let opened = false;
  for (let i = 0; i < evs.length; i++) {
    const e = evs[i];
    const mark = marked === undefined ? undefined : marked.get(i);
    if (mark !== undefined) {
      rejections.push(reject(e, mark, mark === 'empty' ? 'delete at the same instant as its create' : 'delete earlier than its create'));
    } else if (e._tag === 'Create') {
      if (open === undefined) {
        open = { create: e, depth: 1, events: 1 };
        opened = true;
      } else if (mode === 'union') {
        open.depth += 1;
        open.events += 1;
      } else rejections.push(reject(e, 'create_while_open', `already open since ${open.create.time}`));
    } else if (open === undefined) {
      rejections.push(
        opened
          ? reject(e, 'delete_without_open', 'no open interval to close')
          : reject(e, 'before_first_create', 'delete before the first create'),
      );
    } else if (open.depth > 1) {
      open.depth -= 1;
      open.events += 1;
    } else {
      open.events += 1;
      mine.push(close(open, O.some(e.time)));
      open = undefined;
    }
  }
  if (open !== undefined) mine.push(close(open, O.none));
  for (const x of mode === 'union' ? joinTouching(mine) : mine) intervals.push(x);
};

/**
 * Folds events into intervals and rejections. The input is not mutated and need not be sorted.
 *
 * @example
 * const { intervals, rejections } = toIntervals()(events)
 * @category folding
 * @since 0.1.0
 */
export const toIntervals =
  (options: FoldOptions = {}) =>
  (events: ReadonlyArray<E.Event>): FoldResult => {
    // events per entity through nested maps (site, count type, entity id): no key string per
    // event, and the entity order (site, count type, entity id) comes from sorting each level's
    // keys, never from comparing events
    const bySite = new Map<string, Map<string, Map<string, E.Event[]>>>();
    for (const e of events) {
      let byType = bySite.get(e.attributes.site);
      if (byType === undefined) {
        byType = new Map();
        bySite.set(e.attributes.site, byType);
      }
      let byId = byType.get(e.countType);
      if (byId === undefined) {
        byId = new Map();
        byType.set(e.countType, byId);
      }
      const list = byId.get(e.entityId);
      if (list === undefined) byId.set(e.entityId, [e]);
      else list.push(e);
    }
    const intervals: I.Interval[] = [];
    const rejections: Rejection[] = [];
    for (const site of [...bySite.keys()].sort()) {
      const byType = bySite.get(site) as Map<string, Map<string, E.Event[]>>;
      for (const ct of [...byType.keys()].sort()) {
        const byId = byType.get(ct) as Map<string, E.Event[]>;
        const mode = options.overlap?.[ct as BaseCountType] ?? 'reject';
        for (const id of [...byId.keys()].sort()) {
          const evs = byId.get(id) as E.Event[];
          if (evs.length > 1) evs.sort(E.Ord.compare);
          foldEntity(evs, mode, intervals, rejections);
        }
      }
    }
    intervals.sort(I.Ord.compare);
    return { intervals, rejections };
  };
