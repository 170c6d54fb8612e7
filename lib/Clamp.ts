/**
 * Parent/child clamping (reconstruction rules, sections 3-5): a child count type cannot hold
 * capacity where its parent does not. Reservable hosts live within Nova's compute nodes,
 * commitments within reservable hosts, reserved instances within their reservation's commitment.
 *
 * For each child interval and its key (the rule's `childKey`), the parent's windows with the same
 * key (`parentKey`, union of the parent's intervals) bound it:
 * - the parts where the parent is not covered (before its coverage start, inside a known gap)
 *   are kept unchecked (`parent_not_covered`): we cannot tell what the parent did there;
 * - the rest is intersected with the parent's windows; what falls outside is cut;
 * - a child with no key (e.g. an allocation whose host row is gone) is kept whole (`host_unknown`).
 *
 * Each child interval gets exactly one tag (`none`, `clipped`, `orphan`, `parent_not_covered`,
 * `host_unknown`), and the audit sums rows and node-hours per (site, count type, tag): for
 * `clipped` and `orphan` the node-hours removed, for `parent_not_covered` the node-hours kept
 * unchecked, for `none` and `host_unknown` the node-hours kept. Nothing is dropped unseen.
 * Intervals of count types no rule names pass through untouched.
 *
 * Rules apply in order, each against the parent as already clamped, so a commitment outside a
 * reservable window that was itself cut to Nova's window is cut too.
 *
 * On columns (`clampTable`, one site): the rule's keys are interned to integers once per row,
 * the parent windows are grouped by key with one counting sort and merged into flat arrays, and
 * a child inside one covered span and one parent window (the common case) is kept without
 * building any span list. `clamp` runs the same on objects.
 *
 * @since 0.1.0
 * @module
 */
import * as O from 'fp-ts/Option';
import { baseCountTypes, type BaseCountType } from './CountType';
import { intersect as intersectAll, subtract, type Span } from './Coverage';
import { countTypeOf, quantitiesOf } from './EventTable';
import type { Interval } from './Interval';
import * as IT from './IntervalTable';
import { NumberIds } from './NumberIds';
import { groupIndex } from './Radix';
import * as S from './Scratch';
import * as T from './Time';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export const clampTags = ['none', 'clipped', 'orphan', 'parent_not_covered', 'host_unknown'] as const;

/** @category model @since 0.1.0 */
export type ClampTag = (typeof clampTags)[number];

/**
 * What a child is matched to its parent on: a text, or a pair of texts (a composite key without
 * building a string per row: the pair is looked up in two levels, each text's hash computed once).
 *
 * @category model
 * @since 0.2.0
 */
export type ClampKey = string | readonly [string, string];

/**
 * One parent/child relation.
 *
 * @category model
 * @since 0.1.0
 */
export interface ClampRule {
  readonly child: BaseCountType;
  readonly parent: BaseCountType;
  /**
   * The key to match the parent on; `none` keeps the child whole as `host_unknown`. Keys are
   * read from a flyweight view of each row (`IntervalTable.RowView`): use it, never keep it.
   */
  readonly childKey: (i: Interval) => O.Option<ClampKey>;
  /** The key of a parent interval (its windows are the union of the parent's intervals with that key). */
  readonly parentKey: (i: Interval) => ClampKey;
  /**
   * The same keys read straight from a table's columns, as numbers (`-1`: none), so that
   * clamping allocates nothing per row. Optional; when given it must match exactly what
   * `childKey` and `parentKey` give (the standard rules are tested for it). `keys` helps.
   */
  readonly columns?: ColumnKeys;
}

/**
 * Numeric keys of a row (`-1`: none); equal numbers iff equal keys. A text key is its string id,
 * a pair `(a, b)` is `a * 2^26 + b`; `keys(t)` gives both.
 *
 * @category model
 * @since 0.2.0
 */
export interface ColumnKeys {
  /** `ClampRule.childKey` as a number read from the table's columns (`-1`: none). */
  readonly childKey: (k: TableKeys) => (i: number) => number;
  /** `ClampRule.parentKey` as a number read from the table's columns. */
  readonly parentKey: (k: TableKeys) => (i: number) => number;
}

/**
 * What column keys are read with: the table, the column of an extra key (`undefined` if no row
 * has it), a text by string id, and the pair number.
 *
 * @category model
 * @since 0.2.0
 */
export interface TableKeys {
  readonly t: IT.IntervalTable;
  /** The column of string ids of an extra key, `undefined` if no row has it. */
  readonly extra: (key: string) => Uint32Array | undefined;
  /** The text of a string id. */
  readonly text: (id: number) => string;
  /** The string id of a text if some run has it, else -1 (for constants: a scan, once per text). */
  readonly idOf: (s: string) => number;
  /** The entity of count type `ct` (index in `baseCountTypes`) with this id, else -1. */
  readonly entityOf: (ct: number) => (id: string) => number;
  /** The number of the pair `(a, b)` of string ids: `a * 2^26 + b`. */
  readonly pair: (a: number, b: number) => number;
}

const PAIR = 67108864; // 2^26: pairs of string ids below it are exact doubles

/** Texts already looked up, per table's string list. */
const idsFound = new WeakMap<ReadonlyArray<string>, Map<string, number>>();

const tableKeys = (t: IT.IntervalTable): TableKeys => {
  const { runs, strings } = t.dict;
  let found = idsFound.get(strings);
  if (found === undefined) {
    found = new Map();
    idsFound.set(strings, found);
  }
  const known = found;
  const entities = new Map<number, Map<string, number>>();
  return {
    t,
    extra: (key) => {
      const c = runs.extraKeys.indexOf(key);
      return c < 0 ? undefined : runs.extra[c];
    },
    text: (id) => strings[id],
    idOf: (s) => {
      // a scan, once per text and table: rules ask for a few constants ('', '1')
      let id = known.get(s);
      if (id === undefined) {
        id = strings.indexOf(s, 1);
        known.set(s, id);
      }
      return id;
    },
    entityOf: (ct) => {
      let m = entities.get(ct);
      if (m === undefined) {
        const made = new Map<string, number>();
        const { entityIds, entityCountType } = t.dict;
        for (let e = 0; e < entityIds.length; e++) if (entityCountType[e] === ct) made.set(entityIds[e], e);
        entities.set(ct, made);
        m = made;
      }
      const map = m;
      return (text) => map.get(text) ?? -1;
    },
    pair: (a, b) => a * PAIR + b,
  };
}

/** @category model @since 0.1.0 */
export interface ClampOptions {
  readonly rules: ReadonlyArray<ClampRule>;
  /**
   * Where a count type of a site is covered: sorted, disjoint spans, which may run to
   * `Infinity` (e.g. `[[coverageStart, Infinity]]`); `[]` when not covered at all.
   */
  readonly covered: (site: string, countType: BaseCountType) => ReadonlyArray<Span>;
  /** Where open intervals are cut for node-hours (the report's end). */
  readonly horizon: T.Millis;
}

/**
 * Rows and node-hours per (site, count type, tag).
 *
 * @category model
 * @since 0.1.0
 */
export interface ClampEntry {
  readonly site: string;
  readonly count_type: BaseCountType;
  readonly action: ClampTag;
  readonly rows: number;
  readonly node_hours: number;
}

/** @category model @since 0.2.0 */
export interface TableClampResult {
  /** Clamped rows, count type by count type. */
  readonly intervals: IT.IntervalTable;
  /** Sorted by count type, tag. */
  readonly audit: ReadonlyArray<ClampEntry>;
}

/** @category model @since 0.1.0 */
export interface ClampResult {
  /** The clamped intervals (children cut to their parents, everything else as given), sorted. */
  readonly intervals: ReadonlyArray<Interval>;
  /** Sorted by site, count type, tag. */
  readonly audit: ReadonlyArray<ClampEntry>;
}

// -------------------------------------------------------------------------------------
// the standard rules
// -------------------------------------------------------------------------------------

const extra = (k: string) => (i: Interval): O.Option<string> => O.fromNullable(i.attributes.extra[k]);
const knownHost = (i: Interval): O.Option<string> =>
  i.attributes.hypervisor_hostname === 'unknown' ? O.none : O.some(i.attributes.hypervisor_hostname);
const hostUnknown = (i: Interval) => i.attributes.extra.host_unknown === '1';
const reservationOnHost = (i: Interval): O.Option<ClampKey> => {
  const r = i.attributes.extra.reservation_id;
  const h = i.attributes.hypervisor_hostname;
  return r === undefined || hostUnknown(i) || h === 'unknown' ? O.none : O.some([r, h]);
};

/** A string id of the row's host, -1 when it is `unknown`. */
const hostColumn =
  (k: TableKeys) =>
  (i: number): number => {
    const h = k.t.dict.runs.hostname[k.t.run[i]];
    return k.text(h) === 'unknown' ? -1 : h;
  };

/** Whether the row's extra `host_unknown` is `'1'`. */
const hostUnknownColumn = (k: TableKeys): ((r: number) => boolean) => {
  const col = k.extra('host_unknown');
  const one = k.idOf('1');
  return (r) => col !== undefined && one > 0 && col[r] === one;
};

/**
 * The rules of the reconstruction contract, in order:
 * reservable within total (by hypervisor_hostname); committed and ops within reservable (by Blazar
 * host id); occupied_reserved within committed (by reservation id and hypervisor_hostname);
 * stopped_reserved within occupied_reserved (by instance uuid: the powered-off parts of a reserved
 * instance never outlast its clamped periods). stopped_ondemand, like occupied_ondemand, is not
 * clamped: the adapter makes it inside the instance's periods. The host-state split (section 15)
 * follows its unsplit type: `reservable_usable`, `reservable_unusable` and `total_unusable`
 * within total, `committed_usable`, `committed_unusable` and `ops_unusable` within reservable.
 *
 * @category constructors
 * @since 0.1.0
 */
export const standardRules: ReadonlyArray<ClampRule> = [
  ...(['reservable', 'reservable_usable', 'reservable_unusable', 'total_unusable'] as const).map(
    (child): ClampRule => ({
      child,
      parent: 'total',
      childKey: knownHost,
      parentKey: (i) => i.attributes.hypervisor_hostname,
      columns: { childKey: hostColumn, parentKey: (k) => (i) => k.t.dict.runs.hostname[k.t.run[i]] },
    }),
  ),
  ...(['committed', 'ops', 'committed_usable', 'committed_unusable', 'ops_unusable'] as const).map(
    (child): ClampRule => ({
      child,
      parent: 'reservable',
      childKey: (i) => (hostUnknown(i) ? O.none : extra('blazar_host_id')(i)),
      parentKey: (i) => i.entityId,
      // keyed by the reservable entity: a child's host id is looked up among the hosts' ids
      columns: {
        childKey: (k) => {
          const unknown = hostUnknownColumn(k);
          const col = k.extra('blazar_host_id');
          const host = k.entityOf(countTypeOf('reservable'));
          return (i) => {
            const r = k.t.run[i];
            if (col === undefined || unknown(r) || col[r] === 0) return -1;
            const e = host(k.text(col[r]));
            // a host id no reservable row has: a key no parent has
            return e < 0 ? k.pair(col[r], 0) : e;
          };
        },
        parentKey: (k) => (i) => k.t.entity[i],
      },
    }),
  ),
  {
    child: 'occupied_reserved',
    parent: 'committed',
    childKey: reservationOnHost,
    parentKey: (i) => [i.attributes.extra.reservation_id ?? '', i.attributes.hypervisor_hostname],
    columns: {
      childKey: (k) => {
        const unknown = hostUnknownColumn(k);
        const host = hostColumn(k);
        const col = k.extra('reservation_id');
        return (i) => {
          const r = k.t.run[i];
          if (col === undefined || col[r] === 0 || unknown(r)) return -1;
          const h = host(i);
          return h < 0 ? -1 : k.pair(col[r], h);
        };
      },
      parentKey: (k) => {
        const col = k.extra('reservation_id');
        const empty = k.idOf('');
        return (i) => {
          const r = k.t.run[i];
          const id = col === undefined || col[r] === 0 ? empty : col[r];
          return id < 0 ? -1 : k.pair(id, k.t.dict.runs.hostname[r]);
        };
      },
    },
  },
  {
    // the power history of a reserved instance within its own (clamped) occupied periods
    child: 'stopped_reserved',
    parent: 'occupied_reserved',
    childKey: (i) => O.some(i.entityId),
    parentKey: (i) => i.entityId,
    columns: {
      childKey: (k) => {
        const parent = k.entityOf(countTypeOf('occupied_reserved'));
        const ids = k.t.dict.entityIds;
        // an instance with no occupied row: a key no parent has
        return (i) => {
          const e = parent(ids[k.t.entity[i]]);
          return e < 0 ? k.pair(1, 0) : e;
        };
      },
      parentKey: (k) => (i) => k.t.entity[i],
    },
  },
];

// -------------------------------------------------------------------------------------
// folding
// -------------------------------------------------------------------------------------

type Window = readonly [number, number];

const spanHours = (s: number, e: number, horizon: number): number => Math.max(0, (Math.min(e, horizon) - s) / T.HOUR);
const hoursOf = (w: Window, horizon: number): number => spanHours(w[0], w[1], horizon);

const total = (ws: ReadonlyArray<Window>, horizon: number): number => ws.reduce((acc, w) => acc + hoursOf(w, horizon), 0);

/** Sorted windows with touching ones joined. */
const joined = (ws: ReadonlyArray<Window>): Window[] => {
  const out: Window[] = [];
  for (const w of [...ws].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] >= w[0]) out[out.length - 1] = [last[0], Math.max(last[1], w[1])];
    else out.push(w);
  }
  return out;
};

/** Whether `[s, e)` lies inside one of the sorted, disjoint spans. */
const inOne = (spans: ReadonlyArray<readonly [number, number]>, s: number, e: number): boolean => {
  let lo = 0;
  let hi = spans.length;
  // the last span starting at or before s
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid][0] <= s) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && spans[lo - 1][1] >= e;
};

/** Whether `[s, e)` meets none of the sorted, disjoint spans. */
const inNone = (spans: ReadonlyArray<readonly [number, number]>, s: number, e: number): boolean => {
  let lo = 0;
  let hi = spans.length;
  // the last span starting before e
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid][0] < e) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 || spans[lo - 1][1] <= s;
};

/** The parent windows of every key: merged, sorted, disjoint; key `k` is `start[off[k]..off[k + 1])`. */
interface Windows {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly off: Uint32Array;
}

/** Whether `[s, e)` lies inside one window of key `k`. */
const inWindow = (w: Windows, k: number, s: number, e: number): boolean => {
  let lo = w.off[k];
  let hi = w.off[k + 1];
  const first = lo;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (w.start[mid] <= s) lo = mid + 1;
    else hi = mid;
  }
  return lo > first && w.end[lo - 1] >= e;
};

const windowsOf = (w: Windows, k: number): ReadonlyArray<Window> => {
  const out: Window[] = [];
  if (k < 0) return out;
  for (let j = w.off[k]; j < w.off[k + 1]; j++) out.push([w.start[j], w.end[j]]);
  return out;
};

/** Merged windows per key id of the parent rows `rows` of `t` (keys in `keys`, one per row; rows with `none` skipped). */
const windowsByKey = (t: IT.IntervalTable, rows: Uint32Array, keys: Uint32Array, size: number, none: Uint32Array): Windows => {
  // scratch: the windows live while one rule is applied
  const order = groupIndex(keys, size, undefined, 'clamp.windows.order');
  const start = S.float64('clamp.windows.start', rows.length);
  const end = S.float64('clamp.windows.end', rows.length);
  const off = S.uint32('clamp.windows.off', size + 1);
  let n = 0;
  let r = 0;
  for (let k = 0; k < size; k++) {
    off[k] = n;
    let e = r;
    while (e < order.length && keys[order[e]] === k) e++;
    // the key's windows by start (insertion sort: a key has one or a few), merged as they come
    const from = n;
    for (let j = r; j < e; j++) {
      if (none[order[j]] === 1) continue;
      const row = rows[order[j]];
      const s = t.start[row];
      const f = t.end[row];
      let at = n++;
      while (at > from && start[at - 1] > s) {
        start[at] = start[at - 1];
        end[at] = end[at - 1];
        at--;
      }
      start[at] = s;
      end[at] = f;
    }
    // merge overlapping and touching windows in place
    let w = from;
    for (let j = from; j < n; j++) {
      if (w > from && start[j] <= end[w - 1]) {
        if (end[j] > end[w - 1]) end[w - 1] = end[j];
      } else {
        start[w] = start[j];
        end[w] = end[j];
        w++;
      }
    }
    n = w;
    r = e;
  }
  off[size] = n;
  return { start: start.subarray(0, n), end: end.subarray(0, n), off };
};

interface Tagged {
  readonly tag: ClampTag;
  readonly pieces: ReadonlyArray<Window>;
  readonly nodeHours: number;
}

/** The general case: a child that straddles a coverage boundary or a parent window edge. */
const clampOne = (whole: Window, nodes: number, ws: ReadonlyArray<Window>, covered: ReadonlyArray<Span>, horizon: number): Tagged => {
  const checked = intersectAll<Window>([whole], covered);
  let unchecked: ReadonlyArray<Window> = [whole];
  for (const c of checked) unchecked = subtract(unchecked, c);
  const kept = intersectAll<Window>(checked, ws);
  const pieces = joined([...unchecked, ...kept]);
  // a cut happened iff some checked instant is outside the parent windows (compared on windows,
  // not lengths: open-ended windows have infinite length)
  let cut = false;
  for (const c of checked) {
    const inside = kept.filter((w) => w[0] >= c[0] && w[1] <= c[1]);
    const covers = inside.length === 1 && inside[0][0] === c[0] && inside[0][1] === c[1];
    if (!covers) cut = true;
  }
  if (cut) {
    return pieces.length === 0
      ? { tag: 'orphan', pieces, nodeHours: nodes * hoursOf(whole, horizon) }
      : { tag: 'clipped', pieces, nodeHours: nodes * Math.max(0, total(checked, horizon) - total(kept, horizon)) };
  }
  if (unchecked.length > 0) return { tag: 'parent_not_covered', pieces, nodeHours: nodes * total(unchecked, horizon) };
  return { tag: 'none', pieces, nodeHours: nodes * total(kept, horizon) };
};

/** Numbers keys: texts in one map, pairs in a map of maps, one number space. */
class KeyIds {
  private readonly single = new Map<string, number>();
  private readonly pairs = new Map<string, Map<string, number>>();
  size = 0;

  intern(k: ClampKey): number {
    if (typeof k === 'string') {
      let id = this.single.get(k);
      if (id === undefined) {
        id = this.size++;
        this.single.set(k, id);
      }
      return id;
    }
    let second = this.pairs.get(k[0]);
    if (second === undefined) {
      second = new Map();
      this.pairs.set(k[0], second);
    }
    let id = second.get(k[1]);
    if (id === undefined) {
      id = this.size++;
      second.set(k[1], id);
    }
    return id;
  }

  /** The number of a key, -1 when unknown. */
  get(k: ClampKey): number {
    if (typeof k === 'string') return this.single.get(k) ?? -1;
    return this.pairs.get(k[0])?.get(k[1]) ?? -1;
  }
}

/** Rows of one count type: `rows` of `table`. */
interface Part {
  readonly table: IT.IntervalTable;
  readonly rows: Uint32Array;
}

const allRows = (n: number, slot: string): Uint32Array => {
  const r = S.uint32(slot, n);
  for (let i = 0; i < n; i++) r[i] = i;
  return r;
};

/**
 * Clamps the children of one site's interval table to their parents, rule by rule. The table is
 * not mutated.
 *
 * @example
 * const { intervals, audit } = clampTable({ rules: standardRules, covered, horizon })(folded.intervals)
 * @category folding
 * @since 0.2.0
 */
export const clampTable =
  (options: ClampOptions) =>
  (t: IT.IntervalTable): TableClampResult => {
    const site = t.dict.site;
    // scratch (slots clamp.*): live during this call only
    const cts = S.uint32('clamp.cts', t.length);
    for (let i = 0; i < t.length; i++) cts[i] = t.dict.entityCountType[t.entity[i]];
    const byType = groupIndex(cts, baseCountTypes.length, undefined, 'clamp.byType');
    const parts: Part[] = [];
    let r = 0;
    for (let ct = 0; ct < baseCountTypes.length; ct++) {
      let e = r;
      while (e < byType.length && cts[byType[e]] === ct) e++;
      parts.push({ table: t, rows: byType.subarray(r, e) });
      r = e;
    }
    const audit: ClampEntry[] = [];
    const horizon = options.horizon;
    for (const rule of options.rules) {
      const parent = parts[countTypeOf(rule.parent)];
      const child = parts[countTypeOf(rule.child)];
      const covered = child.rows.length === 0 ? [] : options.covered(site, rule.parent);
      // parent keys, numbered: from the columns when the rule can, else through a row view
      const columns = rule.columns !== undefined && t.dict.strings.length < PAIR ? rule.columns : undefined;
      const ids = new KeyIds();
      const numbers = new NumberIds(parent.rows.length, 'clamp.keys');
      const pkeys = S.uint32('clamp.pkeys', parent.rows.length);
      const none = S.zeroed('clamp.none', parent.rows.length);
      if (columns !== undefined) {
        const key = columns.parentKey(tableKeys(parent.table));
        for (let j = 0; j < parent.rows.length; j++) {
          const k = key(parent.rows[j]);
          if (k < 0) {
            none[j] = 1;
            pkeys[j] = 0;
            continue;
          }
          pkeys[j] = numbers.intern(k);
        }
      } else {
        const pView = new IT.RowView(parent.table);
        for (let j = 0; j < parent.rows.length; j++) pkeys[j] = ids.intern(rule.parentKey(pView.at(parent.rows[j])));
      }
      const windows = windowsByKey(parent.table, parent.rows, pkeys, columns === undefined ? ids.size : numbers.size, none);
      const ct = child.table;
      const cView = new IT.RowView(ct);
      const childKey = columns?.childKey(tableKeys(ct));
      const out = new IT.Builder(ct.dict, child.rows.length + 16);
      // rows and node-hours per tag, in the order of clampTags
      const tagRows = new Float64Array(clampTags.length);
      const tagHours = new Float64Array(clampTags.length);
      const [NONE, , , NOT_COVERED, HOST_UNKNOWN] = clampTags.map((_, x) => x);
      const count = (tag: number, nodeHours: number): void => {
        tagRows[tag] += 1;
        tagHours[tag] += nodeHours;
      };
      for (let j = 0; j < child.rows.length; j++) {
        const i = child.rows[j];
        const s = ct.start[i];
        const e = ct.end[i];
        const nodes = quantitiesOf(ct.dict, ct.run[i]).nodes;
        let k: number;
        if (childKey !== undefined) {
          const n = childKey(i);
          k = n < 0 ? -2 : numbers.get(n);
        } else {
          const key = rule.childKey(cView.at(i));
          k = O.isNone(key) ? -2 : ids.get(key.value);
        }
        if (k === -2) {
          out.pushFrom(ct, i);
          count(HOST_UNKNOWN, nodes * spanHours(s, e, horizon));
          continue;
        }
        // the two common cases, answered without span lists (clampOne gives the same):
        // inside one covered span and one parent window; or where the parent is not covered at all
        if (k >= 0 && inOne(covered, s, e) && inWindow(windows, k, s, e)) {
          out.pushFrom(ct, i);
          count(NONE, nodes * spanHours(s, e, horizon));
          continue;
        }
        if (inNone(covered, s, e)) {
          out.pushFrom(ct, i);
          count(NOT_COVERED, nodes * spanHours(s, e, horizon));
          continue;
        }
        const tagged = clampOne([s, e], nodes, windowsOf(windows, k), covered, horizon);
        tagged.pieces.forEach((w, n) => out.pushFrom(ct, i, w[0], w[1], n === 0 ? ct.events[i] : 0));
        count(clampTags.indexOf(tagged.tag), tagged.nodeHours);
      }
      const clamped = out.build();
      parts[countTypeOf(rule.child)] = { table: clamped, rows: allRows(clamped.length, `clamp.rows.${rule.child}`) };
      for (const tag of [...clampTags].sort()) {
        const x = clampTags.indexOf(tag);
        if (tagRows[x] > 0) audit.push({ site, count_type: rule.child, action: tag, rows: tagRows[x], node_hours: tagHours[x] });
      }
    }
    const n = parts.reduce((acc, p) => acc + p.rows.length, 0);
    const b = new IT.Builder(t.dict, n + 16);
    for (const p of parts) {
      // a clamped part is a whole table of its own: copied column by column
      if (p.table !== t) b.pushAll(p.table);
      else for (let j = 0; j < p.rows.length; j++) b.pushFrom(p.table, p.rows[j]);
    }
    audit.sort((a, b) => (a.count_type < b.count_type ? -1 : a.count_type > b.count_type ? 1 : a.action < b.action ? -1 : a.action > b.action ? 1 : 0));
    return { intervals: b.build(), audit };
  };

const endOf = (i: Interval): number => (O.isSome(i.end) ? i.end.value : Infinity);

/**
 * Clamps children to parents, rule by rule.
 *
 * @example
 * const { intervals, audit } = clamp({ rules: standardRules, covered, horizon })(folded.intervals)
 * @category folding
 * @since 0.1.0
 */
export const clamp =
  (options: ClampOptions) =>
  (intervals: ReadonlyArray<Interval>): ClampResult => {
    const all: Interval[] = [];
    const acc = new Map<string, ClampEntry>();
    for (const table of IT.fromIntervals(intervals)) {
      const r = clampTable(options)(table);
      for (const i of IT.toIntervals(r.intervals)) all.push(i);
      for (const e of r.audit) acc.set(`${e.site}\u0000${e.count_type}\u0000${e.action}`, e);
    }
    all.sort((a, b) => a.start - b.start || (a.attributes.site < b.attributes.site ? -1 : a.attributes.site > b.attributes.site ? 1 : 0) || (a.countType < b.countType ? -1 : a.countType > b.countType ? 1 : 0) || (a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : 0) || endOf(a) - endOf(b));
    const audit = [...acc.keys()].sort().map((k) => acc.get(k) as ClampEntry);
    return { intervals: all, audit };
  };
