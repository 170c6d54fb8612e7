/**
 * `reservable` devices from Blazar's device pool (CHI@Edge, Chameleon's Blazar fork only): each
 * row of `blazar.devices` is one device, reservable over `[created_at, deleted_at)` like a Blazar
 * host (reconstruction rules, section 3), counted in the value type `devices` (one device is one
 * unit; `nodes` stays hosts only, so a device adds 0 nodes, vcpus, memory, disk and GPUs).
 *
 * Device type (docs/decisions.md, issue 15 devices): the device's capability `machine_name`
 * (`device_extra_capabilities` joined to `resource_properties` with `resource_type = 'device'`,
 * or to `extra_capabilities` by `capability_id` on schemas before 2024), read like a host's
 * `node_type` (section 6: current value; a soft-deleted device keeps the values it was deleted
 * with; the most recently written row wins). `devices.device_type` is the runtime (`container`,
 * `vm`, `shell`), not the hardware, and is kept as an attribute. No `machine_name`: `unknown`.
 * The device type goes in the `node_type` attribute, so grouping by node type groups devices by
 * type.
 *
 * A device is not a Nova compute node: its events carry the hostname `unknown`, so the reservable
 * window is not clamped to Nova's `total` (audited as `host_unknown` with 0 node-hours); a site
 * without Nova (CHI@Edge) has no `total` at all (not covered, never 0). The entity id is
 * `device:<id>`, so a device can never share an entity with a Blazar host of the same id.
 *
 * Optional source (`probed`): a site whose Blazar has no `devices` table reads exactly as before
 * (no report line, no warning).
 *
 * Rules for one row: no `created_at`: rejected `no_start`; soft-deleted (`deleted` or
 * `deleted_at` set) ends at `deleted_at`, else at `updated_at` (`extra.end_from`), else rejected
 * `no_end`. The `reservable` flag is not read (as for hosts, section 3: the window is the pool
 * membership; its changes are history only the audit tables keep).
 *
 * @since 0.4.0
 */
import * as Ei from 'fp-ts/Either';
import type { ReadonlyNonEmptyArray } from 'fp-ts/ReadonlyNonEmptyArray';
import * as t from 'io-ts';
import * as E from '../lib/Event';
import * as Q from '../lib/Quantities';
import { rejection, type Rejection } from '../lib/Rejection';
import { type Adapter, type Context, idColumn } from './Adapter';
import { nullable, Str, struct, UtcDate } from './codecs';
import { auditName, columnsOf, streamRows, tableName, type Source, type TableRef } from './Source';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.4.0 */
export const devicesTable: TableRef = { db: 'blazar', table: 'devices' };
/** @category model @since 0.4.0 */
export const deviceCapsTable: TableRef = { db: 'blazar', table: 'device_extra_capabilities' };

/** The capability naming a device's type. @category model @since 0.4.0 */
export const DEVICE_TYPE_CAPABILITY = 'machine_name';

/**
 * A Blazar device with its current type.
 *
 * @category model
 * @since 0.4.0
 */
export interface DeviceInfo {
  readonly id: string;
  readonly name: string;
  /** The `machine_name` capability, else `unknown`. */
  readonly device_type: string;
}

/**
 * The columns read from a device row.
 *
 * @category model
 * @since 0.4.0
 */
export const DeviceRow = struct({
  id: Str,
  name: nullable(Str),
  device_type: nullable(Str),
  device_driver: nullable(Str),
  created_at: UtcDate,
  updated_at: UtcDate,
  deleted_at: UtcDate,
  deleted: nullable(Str),
});

/** @category model @since 0.4.0 */
export type DeviceRow = t.TypeOf<typeof DeviceRow>;

const OPTIONAL = ['name', 'device_type', 'device_driver', 'updated_at', 'deleted_at', 'deleted'] as const;

/** The select list for the device table as it is (absent optional columns read as NULL). */
const deviceColumns = async (src: Source): Promise<ReadonlyArray<string>> => {
  const cols = await columnsOf(src, devicesTable);
  return ['id', 'created_at', ...OPTIONAL.map((c) => (cols.has(c) ? c : `null as ${c}`))];
};

/** The device rows, as a query builder (a builder is a thenable: never return it from an async function). */
const selectDevices = (src: Source, cols: ReadonlyArray<string>) =>
  src.knex
    .select(cols.map((c) => (c.startsWith('null as ') ? src.knex.raw(c) : c)))
    .from(tableName(src)(devicesTable))
    .orderBy('id');

// -------------------------------------------------------------------------------------
// the dimension: device types
// -------------------------------------------------------------------------------------

const CapRow = struct({ device_id: nullable(Str), id: Str, value: nullable(Str), created_at: UtcDate, updated_at: UtcDate });
type CapRow = t.TypeOf<typeof CapRow>;

const newer = (a: CapRow, b: CapRow): boolean => {
  const ta = a.updated_at ?? a.created_at ?? -Infinity;
  const tb = b.updated_at ?? b.created_at ?? -Infinity;
  return ta !== tb ? ta > tb : a.id > b.id;
};

/**
 * The SQL of the `machine_name` capability rows (live ones, and every row of a soft-deleted
 * device), in the layout the database has; `undefined` when it has no device capabilities.
 */
const capabilitySql = async (src: Source): Promise<string | undefined> => {
  const n = tableName(src);
  const caps = await columnsOf(src, deviceCapsTable);
  const fk = caps.has('property_id') ? 'property_id' : caps.has('capability_id') ? 'capability_id' : undefined;
  if (fk === undefined) return undefined;
  const names: TableRef = { db: 'blazar', table: fk === 'property_id' ? 'resource_properties' : 'extra_capabilities' };
  const nameCol = fk === 'property_id' ? 'property_name' : 'capability_name';
  const ncols = await columnsOf(src, names);
  if (ncols.size === 0) return undefined;
  const devs = await columnsOf(src, devicesTable);
  const typed = ncols.has('resource_type') ? ` and n.resource_type = 'device'` : '';
  const nLive = ncols.has('deleted') ? ' and n.deleted is null' : '';
  const live = !caps.has('deleted') ? '' : devs.has('deleted') ? ' and (c.deleted is null or d.deleted is not null)' : ' and c.deleted is null';
  const join = devs.has('deleted') ? ` left join ${n(devicesTable)} d on d.id = c.device_id` : '';
  return (
    `select c.id as id, c.device_id as device_id, c.capability_value as value, c.created_at as created_at, c.updated_at as updated_at ` +
    `from ${n(deviceCapsTable)} c${join} join ${n(names)} n on n.id = c.${fk} where n.${nameCol} = '${DEVICE_TYPE_CAPABILITY}'${typed}${live}${nLive}`
  );
};

/**
 * Every device (live and soft-deleted) with its current type, by `devices.id`; an empty map when
 * the site has no device table (no warning: devices are an optional source).
 *
 * @example
 * const { devices } = await loadDevices(src)
 * devices.get('d1')?.device_type // 'raspberrypi4-64'
 * @since 0.4.0
 */
export const loadDevices = async (src: Source): Promise<{ readonly devices: ReadonlyMap<string, DeviceInfo>; readonly warnings: ReadonlyArray<string> }> => {
  const devices = new Map<string, DeviceInfo>();
  const warnings: string[] = [];
  if ((await columnsOf(src, devicesTable)).size === 0) return { devices, warnings };
  const types = new Map<string, CapRow>();
  const sql = await capabilitySql(src);
  if (sql === undefined) warnings.push(`${auditName(src.site)(deviceCapsTable)}: missing or unreadable; every device's type is unknown`);
  else {
    const res: unknown = await src.knex.raw(sql);
    const raw = (src.dialect === 'mysql' ? (res as [unknown[]])[0] : res) as ReadonlyArray<unknown>;
    let bad = 0;
    for (const r of raw) {
      const d = CapRow.decode(r);
      if (Ei.isLeft(d) || d.right.device_id === null) {
        bad += 1;
        continue;
      }
      const prev = types.get(d.right.device_id);
      if (prev === undefined || newer(d.right, prev)) types.set(d.right.device_id, d.right);
    }
    if (bad > 0) warnings.push(`${auditName(src.site)(deviceCapsTable)}: ${bad} capability row(s) could not be read and were ignored`);
  }
  let bad = 0;
  for (const r of (await selectDevices(src, await deviceColumns(src))) as ReadonlyArray<unknown>) {
    const d = DeviceRow.decode(r);
    if (Ei.isLeft(d)) {
      bad += 1;
      continue;
    }
    const v = (types.get(d.right.id)?.value ?? '').trim();
    devices.set(d.right.id, { id: d.right.id, name: d.right.name ?? '', device_type: v === '' ? 'unknown' : v });
  }
  if (bad > 0) warnings.push(`${auditName(src.site)(devicesTable)}: ${bad} row(s) could not be read and are not in the context`);
  return { devices, warnings };
};

// -------------------------------------------------------------------------------------
// events
// -------------------------------------------------------------------------------------

/** The entity id of a device (never equal to a Blazar host's). @since 0.4.0 */
export const deviceEntity = (id: string): string => `device:${id}`;

/**
 * A device row's events (pure).
 *
 * @example
 * toEvents(ctx)(row) // Right([create at created_at, delete at deleted_at]), countType reservable, devices 1
 * @since 0.4.0
 */
export const toEvents =
  (ctx: Context) =>
  (row: DeviceRow): Ei.Either<Rejection, ReadonlyNonEmptyArray<E.Event>> => {
    const source = { table: auditName(ctx.site)(devicesTable), id: row.id };
    const entityId = deviceEntity(row.id);
    const reject = (reason: string, detail: string) =>
      Ei.left(rejection({ site: ctx.site.site, source, reason, detail, entityId, time: row.created_at ?? undefined }));
    if (row.created_at === null) return reject('no_start', 'Blazar device row without a valid created_at (NULL or zero date)');
    const softDeleted = row.deleted !== null || row.deleted_at !== null;
    const end = softDeleted ? (row.deleted_at ?? row.updated_at) : null;
    if (softDeleted && end === null) return reject('no_end', 'soft-deleted Blazar device row with neither deleted_at nor updated_at');
    const extra: Record<string, string> = { device_id: row.id, device_name: row.name ?? '', device_runtime: row.device_type ?? '' };
    if (softDeleted && row.deleted_at === null) extra.end_from = 'updated_at';
    const fields = {
      entityId,
      source,
      countType: 'reservable' as const,
      quantities: Q.make({ devices: 1 }),
      attributes: E.attributes({ site: ctx.site.site, node_type: ctx.devicesById?.get(row.id)?.device_type ?? 'unknown', hypervisor_hostname: 'unknown', extra }),
    };
    return Ei.right(E.span(fields, row.created_at, end));
  };

// -------------------------------------------------------------------------------------
// adapter
// -------------------------------------------------------------------------------------

async function* query(src: Source): AsyncIterable<unknown> {
  yield* streamRows(src, selectDevices(src, await deviceColumns(src)));
}

/**
 * `blazar.devices` -> `reservable` (value type `devices`).
 *
 * @example
 * const result = await runAdapter(devices, src, ctx)()
 * @since 0.4.0
 */
export const devices: Adapter<DeviceRow> = {
  name: 'blazar.devices',
  table: devicesTable,
  reads: [devicesTable, deviceCapsTable],
  optional: [deviceCapsTable],
  probed: true,
  codec: DeviceRow,
  rowId: idColumn,
  query,
  toEvents,
};
