/**
 * The adapter record (house style 11): one source table, one file.
 *
 * An adapter says which table it counts (`table`), every table it reads (`reads`, for `grants`
 * and `extract`), how to decode a raw row (`codec`), how to read rows as a stream (`query`) and
 * how a decoded row becomes events (`toEvents`, pure, tested without a database).
 *
 * Conservation: every row read ends as one or more outputs, or exactly one rejection with a
 * reason. `rows_read = rows_folded + rows_rejected` per (site, source table).
 *
 * @since 0.1.0
 * @module
 */
import type * as Ei from 'fp-ts/Either';
import type { ReadonlyNonEmptyArray } from 'fp-ts/ReadonlyNonEmptyArray';
import type * as t from 'io-ts';
import type { Event } from '../lib/Event';
import type { HostStates } from '../lib/HostState';
import type { BlazarAudit } from './auditBlazar';
import type { Rejection } from '../lib/Rejection';
import type { Millis } from '../lib/Time';
import type { DeviceInfo } from './devices';
import type { SiteConfig, Source, TableRef } from './Source';

// -------------------------------------------------------------------------------------
// dimensions: small tables read whole before the streamed sources
// -------------------------------------------------------------------------------------

/**
 * A Blazar host with its current capabilities.
 *
 * @category model
 * @since 0.1.0
 */
export interface HostInfo {
  /** `computehosts.id` (a string; the Nova compute node id at registration). */
  readonly id: string;
  readonly hypervisor_hostname: string;
  readonly node_type: string;
  readonly gpus: number;
  readonly vcpus: number;
  readonly memory_mb: number;
  readonly local_gb: number;
}

/**
 * One Nova compute node row (live, soft-deleted or shadow).
 *
 * @category model
 * @since 0.1.0
 */
export interface ComputeNodeInfo {
  readonly id: string;
  readonly hypervisor_hostname: string;
  readonly hypervisor_type: string;
  readonly created_at: Millis | null;
  readonly vcpus: number;
  readonly memory_mb: number;
  readonly local_gb: number;
}

/**
 * The compute node row in force at `t` (the latest created at or before it), else the earliest.
 * `rows` are sorted by `created_at`, NULL first (as `Context.computeNodes` keeps them).
 *
 * @since 0.1.0
 */
export const computeNodeAt = (rows: ReadonlyArray<ComputeNodeInfo> | undefined, t: Millis): ComputeNodeInfo | undefined => {
  if (rows === undefined || rows.length === 0) return undefined;
  let found: ComputeNodeInfo | undefined;
  for (const r of rows) if (r.created_at !== null && r.created_at <= t) found = r;
  return found ?? rows[0];
};

/**
 * What `toEvents` may look up. Built by `loadContext` from the small dimension tables.
 *
 * @category model
 * @since 0.1.0
 */
export interface Context {
  readonly site: SiteConfig;
  /** Blazar hosts by `computehosts.id` (live and soft-deleted). */
  readonly hostsById: ReadonlyMap<string, HostInfo>;
  /** Blazar hosts by `hypervisor_hostname` (the latest row when several share a hostname). */
  readonly hostsByHostname: ReadonlyMap<string, HostInfo>;
  /** Nova compute node rows by `hypervisor_hostname`, sorted by `created_at` (NULL first). */
  readonly computeNodes: ReadonlyMap<string, ReadonlyArray<ComputeNodeInfo>>;
  /**
   * nova-compute services (`compute_nodes.host`) whose every node is Ironic: an instance whose
   * node was cleared (shelve offload) but whose last compute event names one of them was bare
   * metal, though which node it held is lost.
   */
  readonly bareMetalServices?: ReadonlySet<string>;
  /** The hypervisor_hostnames of each nova-compute service (`compute_nodes.host`), sorted. */
  readonly nodesByService?: ReadonlyMap<string, ReadonlyArray<string>>;
  /**
   * The host state history of `openstack_audit.audit_blazar_computehosts` by hypervisor_hostname
   * (section 15), when the site has that table with rows: the reservable and committed spans are
   * then also split into their usable and unusable parts.
   */
  readonly hostStates?: HostStates;
  /**
   * Blazar leases and reservations hard-deleted from their source tables but kept by
   * `openstack_audit` (section 15): they fill what a source allocation row lacks.
   */
  readonly blazarAudit?: BlazarAudit;
  /**
   * Blazar devices (CHI@Edge) by `devices.id`, live and soft-deleted, with their type; absent or
   * empty where the site has no device table.
   *
   * @since 0.4.0
   */
  readonly devicesById?: ReadonlyMap<string, DeviceInfo>;
}

/**
 * A context with nothing known (for tests and for sites whose dimension tables are missing).
 *
 * @category constructors
 * @since 0.1.0
 */
export const emptyContext = (site: SiteConfig): Context => ({
  site,
  hostsById: new Map(),
  hostsByHostname: new Map(),
  computeNodes: new Map(),
});

// -------------------------------------------------------------------------------------
// the record
// -------------------------------------------------------------------------------------

export type { LegacyRecord } from '../lib/Legacy';

/**
 * @category model
 * @since 0.1.0
 */
export interface Adapter<A, B = Event> {
  /** `logical_db.table` of the primary table, e.g. `nova.compute_nodes`. */
  readonly name: string;
  /** The table whose rows the audit counts. */
  readonly table: TableRef;
  /** Every table the query reads, including `table`. Tables in `optional` may be absent. */
  readonly reads: ReadonlyArray<TableRef>;
  /** Read when present (e.g. shadow tables, request_specs); their absence is reported, not fatal. */
  readonly optional?: ReadonlyArray<TableRef>;
  /**
   * An optional source (e.g. Blazar devices): when its primary `table` is missing the site is
   * read as if the adapter did not exist (no report line); present, it is read and audited like
   * any other. @since 0.4.0
   */
  readonly probed?: boolean;
  /** Decodes one raw row. */
  readonly codec: t.Decoder<unknown, A>;
  /** The raw row's id, for rejections of rows that do not decode. */
  readonly rowId: (raw: unknown) => string;
  /** Streams raw rows (never the whole table in memory). */
  readonly query: (src: Source) => AsyncIterable<unknown>;
  /** Pure: a decoded row becomes outputs or one rejection. */
  readonly toEvents: (ctx: Context) => (row: A) => Ei.Either<Rejection, ReadonlyNonEmptyArray<B>>;
}

/**
 * The row id of a raw row with an `id` column.
 *
 * @since 0.1.0
 */
export const idColumn = (raw: unknown): string => {
  const id = (raw as { id?: unknown } | null)?.id;
  return id === undefined || id === null ? '?' : String(id);
};
