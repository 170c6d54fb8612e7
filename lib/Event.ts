/**
 * Events: what adapters make of source rows. A `Create` opens an entity's interval, a `Delete`
 * closes it. The event stream is the plan's "Facts Timeline" (see `Facts.ts` for its table form).
 *
 * Same-instant rule (stated once, used everywhere): intervals are half-open `[start, end)`, so at
 * one instant **deletes come before creates**. A host deleted at `t` and re-created at `t` is
 * therefore never counted twice, and adjacent intervals do not overlap.
 *
 * `Ord` is total: time, then delete before create, then site, count type, entity id, source table,
 * source row id and finally the quantities, so sorting any permutation of the same events gives
 * the same sequence and every output is deterministic.
 *
 * @since 0.1.0
 * @module
 */
import { fromCompare, type Ord as OrdT } from 'fp-ts/Ord';
import type { Ordering } from 'fp-ts/Ordering';
import type { BaseCountType } from './CountType';
import type { Quantities } from './Quantities';
import type * as T from './Time';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Where an event came from: `database.table` and the row's primary key.
 *
 * @category model
 * @since 0.1.0
 */
export interface SourceRef {
  readonly table: string;
  readonly id: string;
}

/**
 * Group attributes of an entity. `site`, `node_type` and `hypervisor_hostname` are the group
 * columns of the output; `extra` carries the keys later stages need (reservation id, lease id,
 * Blazar host id, project id, hypervisor type, ...).
 *
 * @category model
 * @since 0.1.0
 */
export interface Attributes {
  readonly site: string;
  readonly node_type: string;
  readonly hypervisor_hostname: string;
  readonly extra: Readonly<Record<string, string>>;
}

interface EventFields {
  /** Identity of the entity within its site and count type (e.g. a hypervisor_hostname). */
  readonly entityId: string;
  readonly time: T.Millis;
  readonly source: SourceRef;
  readonly countType: BaseCountType;
  readonly quantities: Quantities;
  readonly attributes: Attributes;
}

/** Opens the entity's interval at `time`. @category model @since 0.1.0 */
export interface Create extends EventFields {
  readonly _tag: 'Create';
}

/** Closes the entity's interval at `time` (exclusive). @category model @since 0.1.0 */
export interface Delete extends EventFields {
  readonly _tag: 'Delete';
}

/** @category model @since 0.1.0 */
export type Event = Create | Delete;

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

// One object literal with every field named (no spread: adapters make two events per row, a
// million times), the tag set from the constructor, never from the fields given.
const make = (tag: Event['_tag'], f: Omit<EventFields, 'time'>, time: T.Millis): Event => ({
  entityId: f.entityId,
  time,
  source: f.source,
  countType: f.countType,
  quantities: f.quantities,
  attributes: f.attributes,
  _tag: tag,
});

/** @category constructors @since 0.1.0 */
export const create = (fields: EventFields): Event => make('Create', fields, fields.time);

/** @category constructors @since 0.1.0 */
export const del = (fields: EventFields): Event => make('Delete', fields, fields.time);

/**
 * The events of one span `[start, end)` of an entity: a create, and a delete unless the span is
 * still open (`end` null).
 *
 * @example
 * span(fields, t0, null) // [Create at t0]
 * span(fields, t0, t1) // [Create at t0, Delete at t1]
 * @category constructors
 * @since 0.1.0
 */
export const span = (fields: Omit<EventFields, 'time'>, start: T.Millis, end: T.Millis | null): readonly [Event, ...Event[]] =>
  end === null ? [make('Create', fields, start)] : [make('Create', fields, start), make('Delete', fields, end)];

/**
 * Attributes with defaults: `node_type` and `hypervisor_hostname` are `unknown` when not known.
 *
 * @category constructors
 * @since 0.1.0
 */
export const attributes = (a: { site: string } & Partial<Omit<Attributes, 'site'>>): Attributes => ({
  site: a.site,
  node_type: a.node_type ?? 'unknown',
  hypervisor_hostname: a.hypervisor_hostname ?? 'unknown',
  extra: a.extra ?? {},
});

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The key the fold groups by: site, count type and entity id.
 *
 * @since 0.1.0
 */
export const entityKey = (e: Pick<EventFields, 'entityId' | 'countType' | 'attributes'>): string =>
  `${e.attributes.site}\u0000${e.countType}\u0000${e.entityId}`;

/**
 * The key of an event's source row.
 *
 * @since 0.1.0
 */
export const sourceKey = (s: SourceRef): string => `${s.table}\u0000${s.id}`;

/**
 * `table:id`, the form used in exported tables.
 *
 * @since 0.1.0
 */
export const showSource = (s: SourceRef): string => `${s.table}:${s.id}`;

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

const tagRank = (e: Event): number => (e._tag === 'Delete' ? 0 : 1);

const cmpS = (a: string, b: string): Ordering => (a < b ? -1 : a > b ? 1 : 0);
const cmpN = (a: number, b: number): Ordering => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `Ord.compare` written out (the fold sorts every event with it): the same order as
 * `concatAll(getMonoid())` of the field orders, without a closure call per field.
 */
const compare = (x: Event, y: Event): Ordering =>
  cmpN(x.time, y.time) ||
  cmpN(tagRank(x), tagRank(y)) ||
  cmpS(x.attributes.site, y.attributes.site) ||
  cmpS(x.countType, y.countType) ||
  cmpS(x.entityId, y.entityId) ||
  cmpS(x.source.table, y.source.table) ||
  cmpS(x.source.id, y.source.id) ||
  cmpN(x.quantities.nodes, y.quantities.nodes) ||
  cmpN(x.quantities.vcpus, y.quantities.vcpus) ||
  cmpN(x.quantities.memory_mb, y.quantities.memory_mb) ||
  cmpN(x.quantities.disk_gb, y.quantities.disk_gb) ||
  cmpN(x.quantities.gpus, y.quantities.gpus) ||
  cmpN(x.quantities.devices, y.quantities.devices);

/**
 * Time, then deletes before creates, then a tie-break on every identifying field (site, count
 * type, entity id, source table, source row id, then the quantities).
 *
 * @example
 * // a delete at t sorts before a create at t
 * Ord.compare(del({ ...f, time: t }), create({ ...f, time: t })) === -1
 * @category instances
 * @since 0.1.0
 */
export const Ord: OrdT<Event> = fromCompare(compare);
