/**
 * The adapter registry, frozen (as knex's dialect registry).
 *
 * Adding a source is one file: write `adapters/<source>.ts` exporting an `Adapter` record, add it
 * to `eventAdapters` (or `legacyAdapters`, `leaseAdapters`) below, and test its `toEvents` without a database and
 * its query on the fixtures (see docs/adapters.md).
 *
 * @since 0.1.0
 */
import type { Adapter } from './Adapter';
import { allocations } from './allocations';
import { CAPS, EXTRA, PROPS } from './capabilities';
import { auditTables } from './auditTables';
import { computehosts } from './computehosts';
import { computeNodes, shadowComputeNodes } from './computeNodes';
import { deviceAllocations } from './deviceAllocations';
import { devices } from './devices';
import { actionTables } from './instanceActions';
import { instances, requestSpecsTable, shadowInstances } from './instances';
import { leadTimes } from './leadTimes';
import { legacyCounts, legacyUsage } from './legacy';
import type { TableRef } from './Source';
import type { Event } from '../lib/Event';
import type { LegacyRecord } from './Adapter';
import type { LeaseFact } from '../lib/LeadTime';

/**
 * Adapters whose rows become events, in the order a site is read.
 *
 * @since 0.1.0
 */
export const eventAdapters: ReadonlyArray<Adapter<unknown, Event>> = Object.freeze([
  computeNodes,
  shadowComputeNodes,
  computehosts,
  devices,
  allocations,
  deviceAllocations,
  instances,
  shadowInstances,
] as ReadonlyArray<Adapter<unknown, Event>>);

/**
 * Adapters of the legacy collector (`chameleon_usage`).
 *
 * @since 0.1.0
 */
export const legacyAdapters: ReadonlyArray<Adapter<unknown, LegacyRecord>> = Object.freeze([legacyUsage, legacyCounts] as ReadonlyArray<
  Adapter<unknown, LegacyRecord>
>);

/**
 * Adapters whose rows become lease facts (the lead-time report).
 *
 * @since 0.1.0
 */
export const leaseAdapters: ReadonlyArray<Adapter<unknown, LeaseFact>> = Object.freeze([leadTimes] as ReadonlyArray<Adapter<unknown, LeaseFact>>);

/**
 * Every table the tool may read, once each, sorted: the adapters' tables, the dimension tables
 * of the context (capabilities in all three layouts), the action tables and the optional
 * `openstack_audit` tables (section 15). `grants` and
 * `extract` use this list.
 *
 * @since 0.1.0
 */
export const tablesRead: ReadonlyArray<TableRef> = (() => {
  const all: TableRef[] = [CAPS, PROPS, EXTRA, requestSpecsTable, ...Object.values(actionTables), ...auditTables];
  for (const a of [...eventAdapters, ...legacyAdapters, ...leaseAdapters]) all.push(a.table, ...a.reads, ...(a.optional ?? []));
  const seen = new Map<string, TableRef>();
  for (const r of all) seen.set(`${r.db}.${r.table}`, r);
  return Object.freeze([...seen.keys()].sort().map((k) => seen.get(k) as TableRef));
})();
