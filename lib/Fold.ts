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
 *   depth is kept; the interval closes when the last open row closes) and touching windows of the
 *   same quantities are joined (a touching row with other quantities starts its own interval).
 *   Nova compute node rows of one hypervisor_hostname are merged this way.
 *
 * The work is done on columns (`foldTable` over an `EventTable`, one site): events are grouped
 * by entity with one counting sort (entities are numbered canonically, so the entity order, and
 * with it the order of intervals and rejections, never depends on the input order); an entity's
 * few events are then ordered by `Event.Ord` and walked. The common entity, one row's create and
 * later delete, is answered without allocating. `toIntervals` runs the same fold on objects.
 *
 * Laws (tested with fast-check):
 * - conservation: every input event is absorbed by exactly one interval or is exactly one
 *   rejection (`sum(interval.events) + rejections.length = events.length`);
 * - order independence: any permutation of the input gives the same output;
 * - the input array is not mutated.
 *
 * @since 0.1.0
 * @module
 */
import type { BaseCountType } from './CountType';
import { baseCountTypes } from './CountType';
import * as E from './Event';
import * as ET from './EventTable';
import * as I from './Interval';
import * as IT from './IntervalTable';
import { groupIndex, groupOffsets } from './Radix';
import * as S from './Scratch';
import { countByReason, rejection, type FoldReason, type Rejection } from './Rejection';
import * as T from './Time';

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

/**
 * The fold of one count type in numbers (the report's audit).
 *
 * @category model
 * @since 0.2.0
 */
export interface FoldStats {
  readonly count_type: BaseCountType;
  readonly events: number;
  readonly intervals: number;
  readonly rejected_by_reason: Readonly<Record<string, number>>;
}

/** @category model @since 0.2.0 */
export interface TableFoldResult {
  /** Entity by entity, in the table's canonical entity order. */
  readonly intervals: IT.IntervalTable;
  /** Sorted by entity, then time. */
  readonly rejections: ReadonlyArray<Rejection>;
  /** Per count type with events, in `baseCountTypes` order. */
  readonly stats: ReadonlyArray<FoldStats>;
}

// -------------------------------------------------------------------------------------
// folding
// -------------------------------------------------------------------------------------

const cmpS = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const cmpN = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);

/** `Event.Ord` on two events of one entity (site, count type and entity id are equal). */
const compareIn =
  (t: ET.EventTable) =>
  (i: number, j: number): number => {
    const c = cmpN(t.time[i], t.time[j]) || cmpN(t.create[i], t.create[j]);
    if (c !== 0) return c;
    const { runs, strings } = t.dict;
    const ri = t.run[i];
    const rj = t.run[j];
    const s =
      cmpS(strings[runs.sourceTable[ri]], strings[runs.sourceTable[rj]]) || cmpS(runs.sourceIds[ri], runs.sourceIds[rj]);
    if (s !== 0) return s;
    const qi = ET.quantitiesOf(t.dict, ri);
    const qj = ET.quantitiesOf(t.dict, rj);
    return (
      cmpN(qi.nodes, qj.nodes) || cmpN(qi.vcpus, qj.vcpus) || cmpN(qi.memory_mb, qj.memory_mb) || cmpN(qi.disk_gb, qj.disk_gb) || cmpN(qi.gpus, qj.gpus) || cmpN(qi.devices, qj.devices)
    );
  };

/**
 * Marks the events of source rows whose delete is not after their create. Returns the reason per
 * marked position. `evs` (event indices) is sorted by `Event.Ord`.
 */
const pairRows = (t: ET.EventTable, evs: ReadonlyArray<number>): Map<number, FoldReason> | undefined => {
  const n = evs.length;
  if (n < 2) return undefined;
  const time = (p: number) => t.time[evs[p]];
  const isCreate = (p: number) => t.create[evs[p]] === 1;
  let marked: Map<number, FoldReason> | undefined;
  const mark = (p: number, reason: FoldReason): void => {
    if (marked === undefined) marked = new Map();
    marked.set(p, reason);
  };
  const isMarked = (p: number): boolean => marked !== undefined && marked.has(p);
  // positions grouped by source row (the table is interned, the id a text), then position
  const { runs } = t.dict;
  const table = (p: number) => runs.sourceTable[t.run[evs[p]]];
  const id = (p: number) => runs.sourceIds[t.run[evs[p]]];
  const pos: number[] = new Array<number>(n);
  for (let p = 0; p < n; p++) pos[p] = p;
  pos.sort((a, b) => table(a) - table(b) || (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0) || a - b);
  const same = (a: number, b: number): boolean => table(a) === table(b) && id(a) === id(b);
  for (let r = 0; r < n; ) {
    let e = r + 1;
    while (e < n && same(pos[e], pos[r])) e++;
    if (e - r >= 2) {
      // the row's own order: by time, creates before deletes at one instant
      const ordered = pos.slice(r, e).sort((a, b) => (time(a) !== time(b) ? time(a) - time(b) : isCreate(a) === isCreate(b) ? a - b : isCreate(a) ? -1 : 1));
      let open = -1;
      const lonelyDeletes: number[] = [];
      const lonelyCreates: number[] = [];
      for (const p of ordered) {
        if (isCreate(p)) {
          if (open >= 0) lonelyCreates.push(open);
          open = p;
        } else if (open >= 0) {
          if (time(open) === time(p)) {
            mark(open, 'empty');
            mark(p, 'empty');
          }
          open = -1;
        } else lonelyDeletes.push(p);
      }
      if (open >= 0) lonelyCreates.push(open);
      for (const d of lonelyDeletes) {
        const c = lonelyCreates.find((j) => !isMarked(j) && time(j) >= time(d));
        if (c === undefined) continue;
        const reason: FoldReason = time(c) === time(d) ? 'empty' : 'negative_duration';
        mark(c, reason);
        mark(d, reason);
      }
    }
    r = e;
  }
  return marked;
};

/** One entity's fold, appending to the outputs. */
class EntityFold {
  constructor(
    private readonly t: ET.EventTable,
    private readonly out: IT.Builder,
    private readonly rejections: Rejection[],
  ) {}

  reject(i: number, reason: FoldReason, detail: string): void {
    const t = this.t;
    this.rejections.push(
      rejection({ site: t.dict.site, source: ET.sourceOf(t.dict, t.run[i]), reason, detail, entityId: t.dict.entityIds[t.entity[i]], time: T.unsafeMillis(t.time[i]) }),
    );
  }

  /** The general walk over an entity's events sorted by `Event.Ord`. */
  walk(evs: ReadonlyArray<number>, union: boolean): void {
    const t = this.t;
    const marked = pairRows(t, evs);
    // closed spans of this entity: [start, end, opening event, events]
    const mine: Array<[number, number, number, number]> = [];
    let open = -1;
    let depth = 0;
    let absorbed = 0;
    let opened = false;
    for (let p = 0; p < evs.length; p++) {
      const i = evs[p];
      const mark = marked === undefined ? undefined : marked.get(p);
      if (mark !== undefined) this.reject(i, mark, mark === 'empty' ? 'delete at the same instant as its create' : 'delete earlier than its create');
      else if (t.create[i] === 1) {
        if (open < 0) {
          open = i;
          depth = 1;
          absorbed = 1;
          opened = true;
        } else if (union) {
          depth += 1;
          absorbed += 1;
        } else this.reject(i, 'create_while_open', `already open since ${t.time[open]}`);
      } else if (open < 0) {
        if (opened) this.reject(i, 'delete_without_open', 'no open interval to close');
        else this.reject(i, 'before_first_create', 'delete before the first create');
      } else if (depth > 1) {
        depth -= 1;
        absorbed += 1;
      } else {
        absorbed += 1;
        mine.push([t.time[open], t.time[i], open, absorbed]);
        open = -1;
      }
    }
    if (open >= 0) mine.push([t.time[open], Infinity, open, absorbed]);
    // union mode joins touching spans of the same quantities: [a, b) and [b, c) become [a, c);
    // a row that follows with other quantities (a node reinstalled with other hardware) keeps its
    // own span, so its capacity counts from its start (nothing is counted twice: they touch)
    const quantity = t.dict.runs.quantity;
    let last: [number, number, number, number] | undefined;
    for (const x of mine) {
      if (union && last !== undefined && last[1] === x[0] && quantity[t.run[last[2]]] === quantity[t.run[x[2]]]) {
        last[1] = x[1];
        last[3] += x[3];
        continue;
      }
      if (last !== undefined) this.emit(last);
      last = x;
    }
    if (last !== undefined) this.emit(last);
  }

  private emit([start, end, c, events]: [number, number, number, number]): void {
    const t = this.t;
    this.out.push(start, end, t.entity[c], t.run[c], events);
  }
}

/**
 * Folds one site's event table into an interval table and rejections. The table is not
 * mutated.
 *
 * @example
 * const { intervals, rejections } = foldTable({ overlap: { total: 'union' } })(table)
 * @category folding
 * @since 0.2.0
 */
export const foldTable =
  (options: FoldOptions = {}) =>
  (t: ET.EventTable): TableFoldResult => {
    const nE = t.dict.entityIds.length;
    // scratch: used only in this call. Tables from the builder come grouped by entity: then the
    // order is the table's own and every read below is sequential.
    const offsets = groupOffsets(t.entity, nE, 'fold.offsets');
    let grouped = true;
    for (let i = 1; i < t.length; i++) {
      if (t.entity[i] < t.entity[i - 1]) {
        grouped = false;
        break;
      }
    }
    let order: Uint32Array;
    if (grouped) {
      order = S.uint32('fold.order', t.length);
      for (let i = 0; i < t.length; i++) order[i] = i;
    } else order = groupIndex(t.entity, nE, undefined, 'fold.order');
    const union = baseCountTypes.map((ct) => options.overlap?.[ct] === 'union');
    // at most one interval per create
    let creates = 0;
    for (let i = 0; i < t.length; i++) creates += t.create[i];
    const out = new IT.Builder(t.dict, creates + 16);
    const rejections: Rejection[] = [];
    const f = new EntityFold(t, out, rejections);
    const compare = compareIn(t);
    const { time, create, run } = t;
    const { sourceTable, sourceIds } = t.dict.runs;
    const nTypes = baseCountTypes.length;
    const events = new Uint32Array(nTypes);
    const intervals = new Uint32Array(nTypes);
    // where each count type's rejections and intervals start (entities are count type by count type)
    const rejectionsFrom = new Int32Array(nTypes + 1).fill(-1);
    let ct = -1;
    for (let e = 0; e < nE; e++) {
      const s = offsets[e];
      const m = offsets[e + 1] - s;
      if (m === 0) continue;
      const et = t.dict.entityCountType[e];
      if (et !== ct) {
        if (ct >= 0) intervals[ct] = out.length - intervals[ct];
        ct = et;
        rejectionsFrom[ct] = rejections.length;
        intervals[ct] = out.length;
      }
      events[ct] += m;
      if (m === 1) {
        const i = order[s];
        if (create[i] === 1) out.push(time[i], Infinity, e, run[i], 1);
        else f.reject(i, 'before_first_create', 'delete before the first create');
        continue;
      }
      if (m === 2) {
        // the common entity: one row's create and a later delete
        const a = order[s];
        const b = order[s + 1];
        const ra = run[a];
        const rb = run[b];
        if ((ra === rb || (sourceTable[ra] === sourceTable[rb] && sourceIds[ra] === sourceIds[rb])) && create[a] !== create[b]) {
          const c = create[a] === 1 ? a : b;
          const d = c === a ? b : a;
          if (time[d] > time[c]) {
            out.push(time[c], time[d], e, run[c], 2);
            continue;
          }
        }
      }
      const evs: number[] = new Array<number>(m);
      for (let k = 0; k < m; k++) evs[k] = order[s + k];
      evs.sort(compare);
      f.walk(evs, union[et]);
    }
    if (ct >= 0) intervals[ct] = out.length - intervals[ct];
    const stats: FoldStats[] = [];
    for (let k = 0; k < nTypes; k++) {
      if (events[k] === 0) continue;
      let to = rejections.length;
      for (let j = k + 1; j < nTypes; j++) {
        if (rejectionsFrom[j] >= 0) {
          to = rejectionsFrom[j];
          break;
        }
      }
      stats.push({ count_type: baseCountTypes[k], events: events[k], intervals: intervals[k], rejected_by_reason: countByReason(rejections.slice(rejectionsFrom[k], to)) });
    }
    return { intervals: out.build(), rejections, stats };
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
    const intervals: I.Interval[] = [];
    const rejections: Rejection[] = [];
    for (const table of ET.fromEvents(events)) {
      const r = foldTable(options)(table);
      for (const i of IT.toIntervals(r.intervals)) intervals.push(i);
      for (const x of r.rejections) rejections.push(x);
    }
    intervals.sort(I.Ord.compare);
    return { intervals, rejections };
  };
