/**
 * Rejections: source rows or events that did not become counted intervals, each with a reason.
 *
 * Nothing is dropped silently: every row an adapter reads ends as events or as a rejection, and
 * every event the fold reads ends in an interval or a rejection (conservation).
 *
 * @since 0.1.0
 * @module
 */
import * as O from 'fp-ts/Option';
import type { SourceRef } from './Event';
import type { Millis } from './Time';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Reasons the fold gives:
 * - `delete_without_open`: a delete while the entity has no open interval (it was opened before);
 * - `before_first_create`: a delete before the entity's first create;
 * - `create_while_open`: a second create while the interval is open (in `reject` overlap mode);
 * - `negative_duration`: a row's delete earlier than its own create (both events rejected);
 * - `empty`: a row's delete at the same instant as its own create (both events rejected).
 *
 * @category model
 * @since 0.1.0
 */
export const foldReasons = [
  'delete_without_open',
  'before_first_create',
  'create_while_open',
  'negative_duration',
  'empty',
] as const;

/** @category model @since 0.1.0 */
export type FoldReason = (typeof foldReasons)[number];

/**
 * A rejected row or event. `reason` is a short snake_case code (fold reasons above, or adapter
 * reasons such as `decode_error`, `never_launched`, `lease_error`); `detail` is for humans.
 *
 * @category model
 * @since 0.1.0
 */
export interface Rejection {
  readonly _tag: 'Rejection';
  readonly site: string;
  readonly source: SourceRef;
  readonly reason: string;
  readonly detail: string;
  /** The entity the row or event belonged to, when known. */
  readonly entityId: O.Option<string>;
  /** The instant of the rejected event, when there was one. */
  readonly time: O.Option<Millis>;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * @example
 * rejection({ site: 'chi_uc', source: { table: 'nova.instances', id: '7' }, reason: 'never_launched' })
 * @category constructors
 * @since 0.1.0
 */
export const rejection = (r: {
  site: string;
  source: SourceRef;
  reason: string;
  detail?: string;
  entityId?: string;
  time?: Millis;
}): Rejection => ({
  _tag: 'Rejection',
  site: r.site,
  source: r.source,
  reason: r.reason,
  detail: r.detail ?? r.reason,
  entityId: O.fromNullable(r.entityId),
  time: O.fromNullable(r.time),
});

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Rows per reason, keys in sorted order (deterministic JSON).
 *
 * @since 0.1.0
 */
export const countByReason = (rs: ReadonlyArray<Rejection>): Readonly<Record<string, number>> => {
  const m = new Map<string, number>();
  for (const r of rs) m.set(r.reason, (m.get(r.reason) ?? 0) + 1);
  const out: Record<string, number> = {};
  for (const k of [...m.keys()].sort()) out[k] = m.get(k) ?? 0;
  return out;
};
