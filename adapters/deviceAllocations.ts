/**
 * `committed` and `ops` devices from Blazar device allocations (CHI@Edge; reconstruction rules,
 * sections 1 and 4 applied to devices): one entity per distinct `(reservation_id, device_id)`,
 * id `<reservation_id>/device:<device_id>`, value type `devices` (one device is one unit; 0
 * nodes).
 *
 * As for host allocations (`allocations.ts`), the join with the reservation, the lease and its
 * `start_lease` event is done in maps (`adapters/leaseIndex.ts`) and the rows are ordered by
 * `(reservation_id, device_id, id)`;
 * repeated rows of one `(reservation, device)` (a lease update that re-allocated the same device
 * leaves the soft-deleted row and the new one) are one allocation: the group's last row folds,
 * every other row is rejected `merged_duplicate`. `device_reservations` (the request: count range
 * and properties) is granted and copied but not needed for the counts.
 *
 * Window `[max(lease.start_date, lease.created_at), min(lease.end_date, lease.deleted_at))`;
 * `device_allocations.deleted_at` is ignored, like the hosts'. The commitment is clamped to the
 * device's reservable window later, in the core (the standard rule: `extra.blazar_host_id` names
 * the reservable entity `device:<id>`).
 *
 * Rejections: `reservation_missing`, `lease_missing`, `resource_type_<type>` (a device allocation
 * whose reservation is not of type `device`), `lease_error`, `deleted_before_start`,
 * `lease_start_missing`, `merged_duplicate`. Kept with a note: an allocation whose device row
 * does not exist (`extra.host_unknown = '1'`, `extra.device_unknown = '1'`, type `unknown`),
 * counted in the site total and audited by the clamp as `host_unknown`.
 *
 * Optional source (`probed`): a site without `device_allocations` reads exactly as before.
 *
 * @since 0.4.0
 */
import * as Ei from 'fp-ts/Either';
import type { ReadonlyNonEmptyArray } from 'fp-ts/ReadonlyNonEmptyArray';
import * as t from 'io-ts';
import type { BaseCountType } from '../lib/CountType';
import * as E from '../lib/Event';
import * as Q from '../lib/Quantities';
import { rejection, type Rejection } from '../lib/Rejection';
import type { Millis } from '../lib/Time';
import { idColumn, type Adapter, type Context } from './Adapter';
import { annotateGroups, reservationsTable } from './allocations';
import { Int, nullable, Str, struct } from './codecs';
import { deviceEntity } from './devices';
import { commitment, eventsTable, isOperator, LeaseColumns, leasesTable } from './leases';
import { compareKeys, leaseIndex, leaseRecordOf, withLeaseColumns } from './leaseIndex';
import { auditName, forEachRow, tableName, type Source, type TableRef } from './Source';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.4.0 */
export const deviceAllocationsTable: TableRef = { db: 'blazar', table: 'device_allocations' };
/** @category model @since 0.4.0 */
export const deviceReservationsTable: TableRef = { db: 'blazar', table: 'device_reservations' };

/** The reservation type whose allocations commit devices. @category model @since 0.4.0 */
export const DEVICE_RESOURCE_TYPE = 'device';

/**
 * One device allocation row joined with its reservation, lease and start event, plus its place
 * in its `(reservation_id, device_id)` group.
 *
 * @category model
 * @since 0.4.0
 */
export const DeviceAllocationRow = struct({
  id: Str,
  reservation_id: nullable(Str),
  device_id: nullable(Str),
  r_id: nullable(Str),
  resource_type: nullable(Str),
  group_position: Int,
  group_size: nullable(Int),
  ...LeaseColumns.props,
});

/** @category model @since 0.4.0 */
export type DeviceAllocationRow = t.TypeOf<typeof DeviceAllocationRow>;

// -------------------------------------------------------------------------------------
// query
// -------------------------------------------------------------------------------------

/**
 * Every device allocation row joined with its reservation, lease and start event (the lease side
 * from `adapters/leaseIndex.ts`), ordered by the binary value of `(reservation_id, device_id, id)`
 * so that each group is consecutive; one joined row per allocation row.
 *
 * @since 0.5.0
 */
export const joinedDeviceAllocations = async (src: Source): Promise<ReadonlyArray<Record<string, unknown>>> => {
  const ix = await leaseIndex(src);
  const rows: Array<Record<string, unknown>> = [];
  const sql = `select a.id as id, a.reservation_id as reservation_id, a.device_id as device_id from ${tableName(src)(deviceAllocationsTable)} a`;
  await forEachRow(src, src.knex.raw(sql), (raw) => void rows.push(raw as Record<string, unknown>));
  rows.sort((a, b) => compareKeys(a.reservation_id, b.reservation_id) || compareKeys(a.device_id, b.device_id) || compareKeys(a.id, b.id));
  for (const row of rows) {
    const r = row.reservation_id === null || row.reservation_id === undefined ? undefined : ix.reservations?.get(String(row.reservation_id));
    row.r_id = r?.id ?? null;
    row.resource_type = r?.resource_type ?? null;
    withLeaseColumns(row, leaseRecordOf(ix, r));
  }
  return rows;
};

const deviceGroup = (row: Record<string, unknown>): string => `${String(row.reservation_id)}\u0000${String(row.device_id)}`;

async function* query(src: Source): AsyncIterable<unknown> {
  yield* annotateGroups(await joinedDeviceAllocations(src), deviceGroup);
}

// -------------------------------------------------------------------------------------
// toEvents
// -------------------------------------------------------------------------------------

const reasonOfType = (rt: string | null): string =>
  rt === null || rt.trim() === '' ? 'resource_type_none' : `resource_type_${rt.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '')}`;

/**
 * Pure: a device allocation row becomes the entity's create and delete (last row of a committing
 * group), or one rejection.
 *
 * @example
 * toEvents(ctx)(row) // Right([create, delete]) of committed, devices 1, node_type 'raspberrypi4-64'
 * @since 0.4.0
 */
export const toEvents = (ctx: Context) => {
  const table = auditName(ctx.site)(deviceAllocationsTable);
  const site = ctx.site.site;
  const operator = isOperator(ctx.site);
  return (row: DeviceAllocationRow): Ei.Either<Rejection, ReadonlyNonEmptyArray<E.Event>> => {
    const entityId = `${row.reservation_id ?? ''}/${deviceEntity(row.device_id ?? '')}`;
    const reject = (reason: string, detail: string, time?: Millis) =>
      Ei.left(rejection({ site, source: { table, id: row.id }, reason, detail, entityId, time }));
    if (row.r_id === null) return reject('reservation_missing', `reservation ${row.reservation_id ?? 'NULL'} does not exist`);
    if (row.lease_id === null) return reject('lease_missing', `the lease of reservation ${row.r_id} does not exist`);
    if (row.resource_type !== DEVICE_RESOURCE_TYPE) {
      return reject(reasonOfType(row.resource_type), `reservation ${row.r_id} has resource_type ${row.resource_type ?? 'NULL'}: not a device reservation`);
    }
    const window = commitment(row);
    if (Ei.isLeft(window)) {
      const why = {
        lease_error: `the start_lease event of lease ${row.lease_id} ended in ERROR`,
        deleted_before_start: `lease ${row.lease_id} was deleted before its start`,
        lease_start_missing: `lease ${row.lease_id} has no valid start_date`,
      }[window.left];
      return reject(window.left, why);
    }
    if (row.group_size === null) {
      return reject('merged_duplicate', `row ${row.group_position} of device allocation ${entityId}, merged into the group's last row`);
    }
    const device = row.device_id === null ? undefined : ctx.devicesById?.get(row.device_id);
    const countType: BaseCountType = operator(row) ? 'ops' : 'committed';
    const extra: Record<string, string> = {
      reservation_id: row.r_id,
      lease_id: row.lease_id,
      blazar_host_id: deviceEntity(row.device_id ?? ''),
      device_id: row.device_id ?? '',
      project_id: row.lease_project_id ?? '',
      resource_type: DEVICE_RESOURCE_TYPE,
    };
    if (device === undefined) {
      extra.host_unknown = '1';
      extra.device_unknown = '1';
    }
    const attributes = { site, node_type: device?.device_type ?? 'unknown', hypervisor_hostname: 'unknown', extra };
    const fields = { entityId, countType, quantities: Q.make({ devices: 1 }), attributes, source: { table, id: row.id } };
    return Ei.right(E.span(fields, window.right.start, window.right.end));
  };
};

// -------------------------------------------------------------------------------------
// the adapter
// -------------------------------------------------------------------------------------

/**
 * `blazar.device_allocations` -> `committed` / `ops` (value type `devices`).
 *
 * @example
 * const result = await runAdapter(deviceAllocations, src, ctx)()
 * @since 0.4.0
 */
export const deviceAllocations: Adapter<DeviceAllocationRow> = {
  name: 'blazar.device_allocations',
  table: deviceAllocationsTable,
  reads: [deviceAllocationsTable, reservationsTable, leasesTable, eventsTable, deviceReservationsTable],
  optional: [deviceReservationsTable],
  probed: true,
  codec: DeviceAllocationRow,
  rowId: idColumn,
  query,
  toEvents,
};
