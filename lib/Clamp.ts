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
 * @since 0.1.0
 */
import * as O from 'fp-ts/Option';
import type { BaseCountType } from './CountType';
import { intersect as intersectAll, subtract, type Span } from './Coverage';
import type { Interval } from './Interval';
import * as T from './Time';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export const clampTags = ['none', 'clipped', 'orphan', 'parent_not_covered', 'host_unknown'] as const;

/** @category model @since 0.1.0 */
export type ClampTag = (typeof clampTags)[number];

/**
 * One parent/child relation.
 *
 * @category model
 * @since 0.1.0
 */
export interface ClampRule {
  readonly child: BaseCountType;
  readonly parent: BaseCountType;
  /** The key to match the parent on; `none` keeps the child whole as `host_unknown`. */
  readonly childKey: (i: Interval) => O.Option<string>;
  readonly parentKey: (i: Interval) => string;
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
const reservationOnHost = (i: Interval): O.Option<string> => {
  const r = i.attributes.extra.reservation_id;
  return r === undefined || hostUnknown(i) || i.attributes.hypervisor_hostname === 'unknown'
    ? O.none
    : O.some(`${r}\u0000${i.attributes.hypervisor_hostname}`);
};

/**
 * The rules of the reconstruction contract, in order:
 * reservable within total (by hypervisor_hostname); committed and ops within reservable (by Blazar
 * host id); occupied_reserved within committed (by reservation id and hypervisor_hostname).
 *
 * @category constructors
 * @since 0.1.0
 */
export const standardRules: ReadonlyArray<ClampRule> = [
  { child: 'reservable', parent: 'total', childKey: knownHost, parentKey: (i) => i.attributes.hypervisor_hostname },
  ...(['committed', 'ops'] as const).map(
    (child): ClampRule => ({
      child,
      parent: 'reservable',
      childKey: (i) => (hostUnknown(i) ? O.none : extra('blazar_host_id')(i)),
      parentKey: (i) => i.entityId,
    }),
  ),
  {
    child: 'occupied_reserved',
    parent: 'committed',
    childKey: reservationOnHost,
    parentKey: (i) => `${i.attributes.extra.reservation_id ?? ''}\u0000${i.attributes.hypervisor_hostname}`,
  },
];

// -------------------------------------------------------------------------------------
// folding
// -------------------------------------------------------------------------------------

type Window = readonly [number, number];

const endOf = (i: Interval): number => (O.isSome(i.end) ? i.end.value : Infinity);

/** Union of windows per key, sorted and disjoint (touching windows joined). */
const windowsByKey = (parents: ReadonlyArray<Interval>, key: (i: Interval) => string): Map<string, Window[]> => {
  const raw = new Map<string, Window[]>();
  for (const p of parents) {
    const k = key(p);
    const list = raw.get(k);
    const w: Window = [p.start, endOf(p)];
    if (list === undefined) raw.set(k, [w]);
    else list.push(w);
  }
  const out = new Map<string, Window[]>();
  for (const [k, list] of raw) {
    list.sort((a, b) => a[0] - b[0]);
    const merged: Window[] = [];
    for (const w of list) {
      const last = merged[merged.length - 1];
      if (last !== undefined && w[0] <= last[1]) merged[merged.length - 1] = [last[0], Math.max(last[1], w[1])];
      else merged.push(w);
    }
    out.set(k, merged);
  }
  return out;
};

const hoursOf = (w: Window, horizon: number): number => Math.max(0, (Math.min(w[1], horizon) - w[0]) / T.HOUR);

const piece = (i: Interval, w: Window, first: boolean): Interval => ({
  ...i,
  start: T.unsafeMillis(w[0]),
  end: w[1] === Infinity ? O.none : O.some(T.unsafeMillis(w[1])),
  events: first ? i.events : 0,
});

interface Tagged {
  readonly tag: ClampTag;
  readonly pieces: ReadonlyArray<Interval>;
  readonly nodeHours: number;
}

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

/** Whether `w` lies inside one of the sorted, disjoint spans. */
const inOne = (spans: ReadonlyArray<readonly [number, number]>, w: Window): boolean => {
  let lo = 0;
  let hi = spans.length;
  // the last span starting at or before w[0]
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid][0] <= w[0]) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && spans[lo - 1][1] >= w[1];
};

const clampOne = (i: Interval, key: O.Option<string>, windows: Map<string, Window[]>, covered: ReadonlyArray<Span>, horizon: number): Tagged => {
  const nodes = i.quantities.nodes;
  const whole: Window = [i.start, endOf(i)];
  if (O.isNone(key)) return { tag: 'host_unknown', pieces: [i], nodeHours: nodes * hoursOf(whole, horizon) };
  // the common case without allocation: inside one covered span and inside one parent window
  // (the general path below gives the same: checked = kept = [whole], nothing unchecked)
  const ws = windows.get(key.value);
  if (ws !== undefined && inOne(covered, whole) && inOne(ws, whole)) {
    return { tag: 'none', pieces: [i], nodeHours: nodes * hoursOf(whole, horizon) };
  }
  const checked = intersectAll<Window>([whole], covered);
  let unchecked: ReadonlyArray<Window> = [whole];
  for (const c of checked) unchecked = subtract(unchecked, c);
  const kept = intersectAll<Window>(checked, ws ?? []);
  const pieces = joined([...unchecked, ...kept]).map((w, n) => piece(i, w, n === 0));
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
    const byType = new Map<BaseCountType, Interval[]>();
    for (const i of intervals) {
      const list = byType.get(i.countType);
      if (list === undefined) byType.set(i.countType, [i]);
      else list.push(i);
    }
    const acc = new Map<string, { site: string; count_type: BaseCountType; action: ClampTag; rows: number; node_hours: number }>();
    for (const rule of options.rules) {
      const children = byType.get(rule.child) ?? [];
      const parents = byType.get(rule.parent) ?? [];
      const bySite = new Map<string, Interval[]>();
      for (const p of parents) {
        const list = bySite.get(p.attributes.site);
        if (list === undefined) bySite.set(p.attributes.site, [p]);
        else list.push(p);
      }
      const windows = new Map<string, Map<string, Window[]>>();
      for (const [site, ps] of bySite) windows.set(site, windowsByKey(ps, rule.parentKey));
      const out: Interval[] = [];
      // per site, once per rule: the parent's coverage, the parent's windows and the audit entries
      const perSite = new Map<string, { covered: ReadonlyArray<Span>; windows: Map<string, Window[]>; entries: Map<ClampTag, { rows: number; node_hours: number }> }>();
      for (const i of children) {
        const site = i.attributes.site;
        let ps = perSite.get(site);
        if (ps === undefined) {
          ps = { covered: options.covered(site, rule.parent), windows: windows.get(site) ?? new Map(), entries: new Map() };
          perSite.set(site, ps);
        }
        const t = clampOne(i, rule.childKey(i), ps.windows, ps.covered, options.horizon);
        for (const p of t.pieces) out.push(p);
        let e = ps.entries.get(t.tag);
        if (e === undefined) {
          const k = `${site}\u0000${rule.child}\u0000${t.tag}`;
          e = acc.get(k) ?? { site, count_type: rule.child, action: t.tag, rows: 0, node_hours: 0 };
          acc.set(k, e as { site: string; count_type: BaseCountType; action: ClampTag; rows: number; node_hours: number });
          ps.entries.set(t.tag, e);
        }
        e.rows += 1;
        e.node_hours += t.nodeHours;
      }
      byType.set(rule.child, out);
    }
    const all: Interval[] = [];
    for (const list of byType.values()) for (const i of list) all.push(i);
    all.sort((a, b) => a.start - b.start || (a.attributes.site < b.attributes.site ? -1 : a.attributes.site > b.attributes.site ? 1 : 0) || (a.countType < b.countType ? -1 : a.countType > b.countType ? 1 : 0) || (a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : 0) || endOf(a) - endOf(b));
    const audit = [...acc.keys()].sort().map((k) => acc.get(k) as ClampEntry);
    return { intervals: all, audit };
  };
