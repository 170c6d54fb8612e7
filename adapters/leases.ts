/**
 * Blazar leases as the allocation adapter and the lead-time report see them: one flat record per
 * lease with its `start_lease` event, in whichever schema the database has.
 *
 * Schema drift handled here (openstack-schemas.md, section 3 and pitfall 10):
 * - the owner column is `project_id`, or `tenant_id` before 2017 (`2bcfe76b0474`), or absent;
 * - `deleted_at` exists on Chameleon Blazar only (soft deletes); upstream hard-deletes, so there
 *   a lease's end is its planned `end_date`.
 *
 * The `start_lease` event of a lease is one row even when the lease has several: the most recently
 * updated one wins (NULL `updated_at` last, then the larger id); `adapters/leaseIndex.ts` picks it.
 *
 * Lease rules (reconstruction rules, sections 1, 4 and 9):
 * - commitment window `[max(start_date, created_at), min(end_date, deleted_at))`;
 * - a lease whose `start_lease` event is `ERROR` commits nothing (`lease_error`);
 * - a lease deleted at or before its window start commits nothing (`deleted_before_start`);
 * - operator lease: project in `SiteConfig.operatorProjects`, or name `availability_window_*`;
 * - actual start: `updated_at` of the `start_lease` event when its status is `DONE`.
 *
 * @since 0.1.0
 */
import * as Ei from 'fp-ts/Either';
import * as t from 'io-ts';
import type { Millis } from '../lib/Time';
import { nullable, Str, struct, UtcDate } from './codecs';
import { columnsOf, type SiteConfig, type Source, type TableRef } from './Source';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export const leasesTable: TableRef = { db: 'blazar', table: 'leases' };
/** @category model @since 0.1.0 */
export const eventsTable: TableRef = { db: 'blazar', table: 'events' };

/**
 * The lease columns, as `adapters/leaseIndex.ts` joins them (every name prefixed `lease_`). A
 * missing lease (left join with no match) has `lease_id = null`.
 *
 * @category model
 * @since 0.1.0
 */
export const LeaseColumns = struct({
  lease_id: nullable(Str),
  lease_name: nullable(Str),
  lease_project_id: nullable(Str),
  lease_created_at: UtcDate,
  lease_start_date: UtcDate,
  lease_end_date: UtcDate,
  lease_deleted_at: UtcDate,
  /** Status of the lease's `start_lease` event (`UNDONE`, `IN_PROGRESS`, `DONE`, `ERROR`), if any. */
  lease_start_status: nullable(Str),
  lease_start_updated_at: UtcDate,
  /** The start event's `time`: when Blazar scheduled it to run. */
  lease_start_time: UtcDate,
  /** The start event's soft delete (Chameleon Blazar; NULL upstream and while live). */
  lease_start_deleted: nullable(Str),
  lease_start_deleted_at: UtcDate,
});

/** @category model @since 0.1.0 */
export type LeaseColumns = t.TypeOf<typeof LeaseColumns>;

/**
 * A lease that exists (its row was found).
 *
 * @category model
 * @since 0.1.0
 */
export type Lease = LeaseColumns & { readonly lease_id: string };

/**
 * Which optional columns the leases table has.
 *
 * @category model
 * @since 0.1.0
 */
export interface LeaseShape {
  /** `project_id`, `tenant_id` (before 2017), or none. */
  readonly projectColumn: 'project_id' | 'tenant_id' | null;
  /** Chameleon soft deletes. */
  readonly hasDeletedAt: boolean;
  /** The events table has Chameleon's soft delete (`deleted`, `deleted_at`). */
  readonly eventsSoftDelete: boolean;
}

/**
 * Why a lease commits nothing.
 *
 * @category model
 * @since 0.1.0
 */
export type NoCommitment = 'lease_error' | 'deleted_before_start' | 'lease_start_missing';

/** A commitment window `[start, end)`; `end = null` is open. @category model @since 0.1.0 */
export interface Window {
  readonly start: Millis;
  readonly end: Millis | null;
}

// -------------------------------------------------------------------------------------
// SQL (effects at the edge)
// -------------------------------------------------------------------------------------

/**
 * Probes the leases table for `project_id`/`tenant_id` and `deleted_at`, the events table for
 * `deleted` and `deleted_at`.
 *
 * @since 0.1.0
 */
export const leaseShape = async (src: Source): Promise<LeaseShape> => {
  const cols = await columnsOf(src, leasesTable);
  const ev = await columnsOf(src, eventsTable);
  return {
    projectColumn: cols.has('project_id') ? 'project_id' : cols.has('tenant_id') ? 'tenant_id' : null,
    hasDeletedAt: cols.has('deleted_at'),
    eventsSoftDelete: ev.has('deleted') && ev.has('deleted_at'),
  };
};

// -------------------------------------------------------------------------------------
// refinements
// -------------------------------------------------------------------------------------

/**
 * Whether the lease row was found.
 *
 * @category refinements
 * @since 0.1.0
 */
export const isFound = (l: LeaseColumns): l is Lease => l.lease_id !== null;

/**
 * An operator lease: its project is listed in the site config, or it is a Doni availability
 * window (`availability_window_<uuid>`). It counts as `ops`, not `committed`.
 *
 * @example
 * isOperator(siteConfig('chi_uc'))({ ...lease, lease_name: 'availability_window_42' }) === true
 * @category refinements
 * @since 0.1.0
 */
export const isOperator =
  (site: Pick<SiteConfig, 'operatorProjects'>) =>
  (l: Pick<LeaseColumns, 'lease_name' | 'lease_project_id'>): boolean =>
    (l.lease_project_id !== null && site.operatorProjects.includes(l.lease_project_id)) ||
    (l.lease_name !== null && l.lease_name.startsWith('availability_window_'));

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The commitment window, or why there is none. The window is not checked for `end < start`
 * beyond the deletion case: a planned `end_date` before `start_date` is left to the fold
 * (`negative_duration`).
 *
 * @example
 * // created 10:00 for a start at 09:00, deleted at 12:00 before its planned 18:00 end
 * commitment(lease) // right({ start: 10:00, end: 12:00 })
 * @since 0.1.0
 */
export const commitment = (l: LeaseColumns): Ei.Either<NoCommitment, Window> => {
  if (l.lease_start_status === 'ERROR') return Ei.left('lease_error');
  const planned = l.lease_start_date;
  if (planned === null) return Ei.left('lease_start_missing');
  const start = l.lease_created_at !== null && l.lease_created_at > planned ? l.lease_created_at : planned;
  if (l.lease_deleted_at !== null && l.lease_deleted_at <= start) return Ei.left('deleted_before_start');
  const ends = [l.lease_end_date, l.lease_deleted_at].filter((x): x is Millis => x !== null);
  return Ei.right({ start, end: ends.length === 0 ? null : (Math.min(...ends) as Millis) });
};
