/**
 * From the true world to what the services stored: the rows of every source table, with the
 * quirks of the real databases put in on purpose.
 *
 * Quirks (each is read by the adapters the way the reconstruction rules say):
 * - Nova compute node rows of hosts older than the December 2017 recreation are lost: their
 *   rows were recreated with new ids (and uuids) just before 2018 and the old ones purged;
 * - 2018 orphan-sweep churn before Rocky: a row soft-deleted and recreated with a new id at the
 *   same instant (touching windows, merged); most of these old rows archived to
 *   `shadow_compute_nodes`;
 * - Blazar host rows were re-created just before 2020 (same ids, i.e. the Nova id at the first
 *   registration, which no longer exists in Nova; new `created_at`);
 * - Ironic rows created after Stein report 0 vcpus/memory/disk (Nova and Blazar);
 * - soft deletes everywhere (Nova `deleted = id`, Chameleon Blazar `deleted = <id>`); a lease's
 *   deletion stamps its events' `updated_at` with the deletion time, as Chameleon Blazar does;
 * - a few zero dates: retired compute nodes with `deleted_at = 0000-00-00 00:00:00` (the end is
 *   their `updated_at`), deleted instances with a zero `deleted_at`, `start_lease` events with a
 *   zero `updated_at`;
 * - instances whose end is only in their `compute_terminate_instance` event (row never updated);
 * - NULL `node`: failed builds (host and node nil'd out) and instances deleted while
 *   shelved-offloaded (API local delete: no terminate event, the host is the last compute event's);
 * - instances deleted before 2017 archived (with their actions and events) to `shadow_*`; the
 *   2017 archive predates Nova deleting `request_specs` on archive, so the links survive;
 * - `node_type` in the site's capability layout; 2016 leases use the `"="` filter of the old docs.
 *
 * Invariants: rows are emitted per table in id order; ids and uuids depend only on the world and
 * the seed; every row has exactly the columns of `COLUMNS` (the rest take their DDL defaults).
 *
 * @since 0.1.0
 */
import type { CapabilityLayout, TableKey } from './ddl';
import type { Plan } from './plan';
import { random, type Random } from './random';
import { periods, type Host, type Instance, type InstanceStep, type Lease, type SiteWorld } from './world';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Receives one row: values in the order of `columnsOf(key)`. @category model @since 0.1.0 */
export type Emit = (key: TableKey, values: ReadonlyArray<unknown>) => void;

const NOVA_STAMPS = ['created_at', 'updated_at', 'deleted_at', 'deleted'];
const BLAZAR_SOFT = ['deleted', 'deleted_at'];

const NODE_COLS = [...NOVA_STAMPS, 'id', 'service_id', 'host', 'uuid', 'vcpus', 'memory_mb', 'local_gb', 'vcpus_used', 'memory_mb_used', 'local_gb_used', 'hypervisor_type', 'hypervisor_version', 'cpu_info', 'hypervisor_hostname', 'cpu_allocation_ratio', 'ram_allocation_ratio', 'disk_allocation_ratio', 'mapped'];
/** Nova's `power_state` and `vm_state` of a running instance after its last successful power action (1 running). */
const lastPower = (steps: ReadonlyArray<InstanceStep>): { readonly state: number; readonly vm: string } => {
  let last: { readonly state: number; readonly vm: string } = { state: 1, vm: 'active' };
  for (const s of steps) {
    if (s.kind === 'shelve' || s.kind === 'unshelve') last = { state: 1, vm: 'active' };
    else if (s.kind === 'power' && s.ok) {
      if (s.on) last = { state: 1, vm: 'active' };
      else last = s.action === 'stop' ? { state: 4, vm: 'stopped' } : s.action === 'suspend' ? { state: 7, vm: 'suspended' } : { state: 3, vm: 'paused' };
    }
  }
  return last;
};

const INSTANCE_COLS = [...NOVA_STAMPS, 'id', 'user_id', 'project_id', 'image_ref', 'power_state', 'vm_state', 'task_state', 'memory_mb', 'vcpus', 'root_gb', 'ephemeral_gb', 'hostname', 'host', 'node', 'reservation_id', 'launched_at', 'terminated_at', 'display_name', 'availability_zone', 'instance_type_id', 'uuid', 'launched_on', 'cleaned', 'hidden'];
const ACTION_COLS = [...NOVA_STAMPS, 'id', 'action', 'instance_uuid', 'request_id', 'user_id', 'project_id', 'start_time', 'finish_time', 'message'];
const EVENT_COLS = [...NOVA_STAMPS, 'id', 'event', 'action_id', 'start_time', 'finish_time', 'result', 'host'];

/**
 * The columns the generator writes, per table (capability tables depend on the layout).
 *
 * @since 0.1.0
 */
export const columnsOf = (key: TableKey, layout: CapabilityLayout): ReadonlyArray<string> => {
  switch (key) {
    case 'nova.compute_nodes':
    case 'nova.shadow_compute_nodes':
      return NODE_COLS;
    case 'nova.instances':
    case 'nova.shadow_instances':
      return INSTANCE_COLS;
    case 'nova.instance_actions':
    case 'nova.shadow_instance_actions':
      return ACTION_COLS;
    case 'nova.instance_actions_events':
    case 'nova.shadow_instance_actions_events':
      return EVENT_COLS;
    case 'nova.instance_extra':
      return [...NOVA_STAMPS, 'id', 'instance_uuid', 'flavor'];
    case 'nova_api.request_specs':
      return ['created_at', 'updated_at', 'id', 'instance_uuid', 'spec'];
    case 'blazar.leases':
      return ['created_at', 'updated_at', 'id', 'name', 'user_id', 'project_id', 'start_date', 'end_date', 'trust_id', 'status', 'degraded', ...BLAZAR_SOFT];
    case 'blazar.reservations':
      return ['created_at', 'updated_at', 'id', 'lease_id', 'resource_id', 'resource_type', 'status', 'missing_resources', 'resources_changed', ...BLAZAR_SOFT];
    case 'blazar.events':
      return ['created_at', 'updated_at', 'id', 'lease_id', 'event_type', 'time', 'status', ...BLAZAR_SOFT];
    case 'blazar.computehosts':
      return ['created_at', 'updated_at', 'id', 'vcpus', 'cpu_info', 'hypervisor_type', 'hypervisor_version', 'hypervisor_hostname', 'service_name', 'memory_mb', 'local_gb', 'status', 'availability_zone', 'trust_id', 'reservable', 'disabled', ...BLAZAR_SOFT];
    case 'blazar.computehost_allocations':
      return ['created_at', 'updated_at', 'id', 'compute_host_id', 'reservation_id', ...BLAZAR_SOFT];
    case 'blazar.computehost_reservations':
      return ['created_at', 'updated_at', 'id', 'reservation_id', 'aggregate_id', 'resource_properties', 'count_range', 'hypervisor_properties', 'before_end', 'on_start', ...BLAZAR_SOFT];
    case 'blazar.instance_reservations':
      return ['created_at', 'updated_at', 'id', 'reservation_id', 'vcpus', 'memory_mb', 'disk_gb', 'amount', 'affinity', 'resource_properties', 'flavor_id', 'aggregate_id', ...BLAZAR_SOFT];
    case 'blazar.computehost_extra_capabilities':
      return [
        'created_at',
        'updated_at',
        'id',
        'computehost_id',
        layout === 'resource_properties' ? 'property_id' : layout === 'extra_capabilities' ? 'capability_id' : 'capability_name',
        'capability_value',
        ...BLAZAR_SOFT,
      ];
    case 'blazar.resource_properties':
      return ['created_at', 'updated_at', 'id', 'resource_type', 'property_name', 'private', 'is_unique', ...BLAZAR_SOFT];
    case 'blazar.extra_capabilities':
      return ['created_at', 'updated_at', 'id', 'resource_type', 'capability_name', 'private', ...BLAZAR_SOFT];
    case 'blazar.devices':
      return ['created_at', 'updated_at', 'id', 'name', 'device_type', 'device_driver', 'reservable', ...BLAZAR_SOFT];
    case 'blazar.device_allocations':
      return ['created_at', 'updated_at', 'id', 'device_id', 'reservation_id', ...BLAZAR_SOFT];
    case 'blazar.device_reservations':
      return ['created_at', 'updated_at', 'id', 'reservation_id', 'count_range', 'resource_properties', 'before_end', ...BLAZAR_SOFT];
    case 'blazar.device_extra_capabilities':
      return ['created_at', 'updated_at', 'id', 'device_id', 'property_id', 'capability_value', ...BLAZAR_SOFT];
    case 'chameleon_usage.node_count_cache':
      return ['date', 'node_type', 'cnt'];
    case 'chameleon_usage.node_usage_report_cache':
      return ['date', 'node_type', 'maint_hours', 'reserved_hours', 'used_hours', 'idle_hours', 'total_hours'];
  }
};

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** Naive-UTC DATETIME text, as the services store it. @since 0.1.0 */
export const fmt = (t: number): string => new Date(t).toISOString().slice(0, 19).replace('T', ' ');

/** The zero date some rows carry (non-strict sql_mode, hand edits). */
export const ZERO_DATE = '0000-00-00 00:00:00';

const fmtOrNull = (t: number | null): string | null => (t === null ? null : fmt(t));

const SEC = 1000;
const MIN = 60 * SEC;

// -------------------------------------------------------------------------------------
// Nova compute nodes and Blazar hosts
// -------------------------------------------------------------------------------------

interface NodeRow {
  id: number;
  created: number;
  deleted: number | null;
  uuid: string;
  zeroDeletedAt: boolean;
  shadow: boolean;
}

/** Per host: its Nova rows and the Blazar id (the Nova id at the first registration). */
interface HostRows {
  readonly rows: NodeRow[];
  blazarId: string;
}

const nodeRows = (plan: Plan, w: SiteWorld, rng: Random): HostRows[] => {
  const cuts = plan.cuts;
  // creation records, sorted by time, get autoincrement ids in order
  type Rec = { t: number; host: number; row: NodeRow };
  const recs: Rec[] = [];
  const out: HostRows[] = w.hosts.map(() => ({ rows: [], blazarId: '' }));
  const originalIds = new Map<number, Rec>();
  for (const h of w.hosts) {
    if (h.added < cuts.novaRecreated) {
      // the original row: its id lives on as the Blazar host id, the row itself is purged
      const rec: Rec = { t: h.added, host: h.index, row: { id: 0, created: h.added, deleted: cuts.novaRecreated, uuid: rng.uuid(), zeroDeletedAt: false, shadow: false } };
      recs.push(rec);
      originalIds.set(h.index, rec);
      const again = cuts.novaRecreated + Math.floor(rng.next() * 6 * 60) * MIN;
      recs.push({ t: again, host: h.index, row: { id: 0, created: again, deleted: null, uuid: rng.uuid(), zeroDeletedAt: false, shadow: false } });
    } else recs.push({ t: h.added, host: h.index, row: { id: 0, created: h.added, deleted: null, uuid: rng.uuid(), zeroDeletedAt: false, shadow: false } });
  }
  // churn before Rocky: soft-delete and recreate at the same instant
  for (const h of w.hosts) {
    const from = Math.max(h.added, cuts.novaLost);
    if (from >= cuts.rocky || !rng.chance(0.15)) continue;
    const t = Math.floor((from + rng.next() * (cuts.rocky - from)) / SEC) * SEC;
    recs.push({ t, host: h.index, row: { id: 0, created: t, deleted: null, uuid: rng.uuid(), zeroDeletedAt: false, shadow: false } });
  }
  recs.sort((a, b) => a.t - b.t || a.host - b.host);
  let id = 0;
  for (const r of recs) {
    id += 1;
    r.row.id = id;
  }
  for (const r of recs) {
    const orig = originalIds.get(r.host);
    if (orig === r) continue; // purged
    out[r.host].rows.push(r.row);
  }
  for (const h of w.hosts) {
    const rows = out[h.index].rows;
    rows.sort((a, b) => a.created - b.created);
    for (let i = 0; i + 1 < rows.length; i++) {
      rows[i].deleted = rows[i + 1].created;
      rows[i].shadow = rng.chance(0.7);
    }
    const last = rows[rows.length - 1];
    if (h.retired !== null && h.retired < plan.end) {
      last.deleted = h.retired;
      last.zeroDeletedAt = rng.chance(0.1);
    }
    const orig = originalIds.get(h.index);
    // Blazar copies the Nova id once, at registration
    if (h.reservableFrom !== null) {
      const atReg = orig !== undefined && h.reservableFrom < plan.cuts.novaRecreated ? orig.row : (rows.find((r) => r.created <= (h.reservableFrom as number) && (r.deleted === null || r.deleted > (h.reservableFrom as number))) ?? rows[0]);
      out[h.index].blazarId = String(atReg.id);
    }
  }
  return out;
};

// -------------------------------------------------------------------------------------
// the rows
// -------------------------------------------------------------------------------------

/** Row counts per table. @category model @since 0.1.0 */
export type RowStats = Partial<Record<TableKey, number>>;

const reservationSpec = (uuid: string, i: Instance, projectId: string, userId: string, hint: string | null, flavorId: number): string =>
  JSON.stringify({
    'nova_object.name': 'RequestSpec',
    'nova_object.namespace': 'nova',
    'nova_object.version': '1.12',
    'nova_object.data': {
      instance_uuid: uuid,
      project_id: projectId,
      user_id: userId,
      num_instances: 1,
      availability_zone: null,
      scheduler_hints: hint === null ? {} : { reservation: [hint] },
      flavor: {
        'nova_object.name': 'Flavor',
        'nova_object.namespace': 'nova',
        'nova_object.version': '1.2',
        'nova_object.data': {
          id: flavorId,
          name: i.flavor.name,
          flavorid: i.flavor.name.startsWith('reservation:') ? i.flavor.name.slice(12) : String(flavorId),
          vcpus: i.flavor.vcpus,
          memory_mb: i.flavor.memoryMb,
          root_gb: i.flavor.rootGb,
          ephemeral_gb: 0,
          extra_specs: {},
        },
      },
      is_bfv: false,
    },
  });

/**
 * Derives and emits the rows of one site (every table but the legacy caches).
 *
 * @since 0.1.0
 */
export const deriveRows = (plan: Plan, w: SiteWorld, emit: Emit): RowStats => {
  const rng = random(plan.seed, `${w.plan.site}/rows`);
  const stats: RowStats = {};
  const put = (key: TableKey, values: ReadonlyArray<unknown>) => {
    stats[key] = (stats[key] ?? 0) + 1;
    emit(key, values);
  };
  const layout = w.plan.capabilityLayout;
  const bare = w.plan.kind === 'baremetal';
  const snapshot = plan.end;
  const cuts = plan.cuts;
  const hostRows = nodeRows(plan, w, rng.fork('nodes'));

  // ---- nova.compute_nodes (+ shadow)
  const nodes: Array<{ key: TableKey; row: NodeRow; host: Host }> = [];
  for (const h of w.hosts) for (const r of hostRows[h.index].rows) nodes.push({ key: r.shadow ? 'nova.shadow_compute_nodes' : 'nova.compute_nodes', row: r, host: h });
  nodes.sort((a, b) => a.row.id - b.row.id);
  for (const { key, row, host } of nodes) {
    const zeroed = bare && row.created >= cuts.stein;
    const uuid = bare && row.created >= cuts.rocky ? host.hostname : row.uuid;
    const updated = row.deleted ?? snapshot - rng.int(1, 59) * SEC;
    put(key, [
      fmt(row.created),
      fmt(updated),
      row.deleted === null ? null : row.zeroDeletedAt ? ZERO_DATE : fmt(row.deleted),
      row.deleted === null ? 0 : row.id,
      row.id,
      1 + (host.index % 3),
      host.service,
      uuid,
      zeroed ? 0 : host.vcpus,
      zeroed ? 0 : host.memoryMb,
      zeroed ? 0 : host.localGb,
      0,
      0,
      0,
      bare ? 'ironic' : 'QEMU',
      bare ? 1 : 4002000,
      bare ? '' : '{"arch": "x86_64", "model": "Haswell-noTSX"}',
      host.hostname,
      bare ? 0 : 16.0,
      bare ? 0 : 1.5,
      bare ? 0 : 1.0,
      1,
    ]);
  }

  // ---- blazar.computehosts and capabilities
  const blazarHosts = w.hosts.filter((h) => h.reservableFrom !== null);
  const nameRows = new Map<string, string>();
  const capName = (n: string, t: number): string => {
    const known = nameRows.get(n);
    if (known !== undefined) return known;
    const id = rng.uuid();
    nameRows.set(n, id);
    if (layout === 'resource_properties') put('blazar.resource_properties', [fmt(t), null, id, 'physical:host', n, 0, 0, null, null]);
    else if (layout === 'extra_capabilities') put('blazar.extra_capabilities', [fmt(t), null, id, 'physical:host', n, 0, null, null]);
    return id;
  };
  for (const h of blazarHosts) {
    const id = hostRows[h.index].blazarId;
    const from = h.reservableFrom as number;
    const created = from < cuts.blazarRecreated ? cuts.blazarRecreated + rng.int(0, 300) * MIN : from;
    const zeroed = bare && created >= cuts.stein;
    const gone = h.reservableTo !== null && h.reservableTo < snapshot ? h.reservableTo : null;
    put('blazar.computehosts', [
      fmt(created),
      gone === null ? null : fmt(gone),
      id,
      zeroed ? 0 : h.vcpus,
      bare ? '' : '{"arch": "x86_64"}',
      bare ? 'ironic' : 'QEMU',
      bare ? 1 : 4002000,
      h.hostname,
      h.service,
      zeroed ? 0 : h.memoryMb,
      zeroed ? 0 : h.localGb,
      null,
      'nova',
      rng.hex(32),
      1,
      0,
      gone === null ? null : id,
      gone === null ? null : fmt(gone),
    ]);
    const caps: Array<readonly [string, string]> = [['node_type', h.nodeType]];
    if (h.gpus > 0) caps.push(['gpu.gpu_count', String(h.gpus)]);
    for (const [n, v] of caps) {
      const ref = layout === 'capability_name' ? n : capName(n, created);
      put('blazar.computehost_extra_capabilities', [fmt(created), null, rng.uuid(), id, ref, v, null, null]);
    }
  }

  // ---- blazar leases, reservations, events, allocations
  let aggregate = 0;
  for (const l of w.leases) leaseRows(l, { put, rng, snapshot, hostRows, bare, nextAggregate: () => ++aggregate });

  // ---- nova instances, actions, events, request_specs
  instanceRows(plan, w, { put, rng: rng.fork('instances'), snapshot, bare });
  return stats;
};

interface LeaseCtx {
  readonly put: (key: TableKey, values: ReadonlyArray<unknown>) => void;
  readonly rng: Random;
  readonly snapshot: number;
  readonly hostRows: ReadonlyArray<HostRows>;
  readonly bare: boolean;
  readonly nextAggregate: () => number;
}

const leaseRows = (l: Lease, c: LeaseCtx): void => {
  const { put, rng, snapshot } = c;
  const commitStart = Math.max(l.startDate, l.createdAt);
  const deleted = l.deletedAt;
  const ended = Math.min(l.endDate, deleted ?? Infinity);
  const startDone = !l.error && (deleted === null || deleted > commitStart) ? commitStart + rng.int(1, 15) * SEC : null;
  const started = startDone !== null && startDone < snapshot;
  const endDone = started && ended + 5 * SEC < snapshot ? ended + rng.int(1, 12) * SEC : null;
  const status = deleted !== null ? 'DELETING' : l.error ? 'ERROR' : endDone !== null ? 'TERMINATED' : started ? 'ACTIVE' : 'PENDING';
  const updated = deleted ?? endDone ?? l.extendedAt ?? (started ? startDone : null);
  const del = deleted === null ? [null, null] : [l.id, fmt(deleted)];
  put('blazar.leases', [fmt(l.createdAt), fmtOrNull(updated), l.id, l.name, l.userId, l.projectId, fmt(l.startDate), fmt(l.endDate), rng.hex(32), status, 0, ...del]);
  for (const r of l.reservations) {
    const resourceId = rng.uuid();
    const rstatus = l.error ? 'error' : endDone !== null || (deleted !== null && deleted <= ended) ? 'deleted' : started ? 'active' : 'pending';
    put('blazar.reservations', [fmt(l.createdAt), fmtOrNull(updated), r.id, l.id, resourceId, r.resourceType, rstatus, 0, 0, ...(deleted === null ? [null, null] : [r.id, fmt(deleted)])]);
    if (r.resourceType === 'physical:host') {
      const op = l.createdAt < Date.UTC(2017, 0, 1) ? '=' : '==';
      put('blazar.computehost_reservations', [
        fmt(l.createdAt),
        null,
        resourceId,
        r.id,
        c.nextAggregate(),
        JSON.stringify([op, '$node_type', r.nodeType]),
        `${r.hosts.length}-${r.hosts.length}`,
        '',
        'default',
        'default',
        ...(deleted === null ? [null, null] : [resourceId, fmt(deleted)]),
      ]);
    } else {
      const slot = r.slot ?? { vcpus: 1, memoryMb: 2048, diskGb: 20 };
      const props = r.resourceType === 'flavor:instance' ? JSON.stringify({ id: 'flavor-src', vcpus: slot.vcpus, ram: slot.memoryMb, disk: slot.diskGb }) : '';
      put('blazar.instance_reservations', [
        fmt(l.createdAt),
        null,
        resourceId,
        r.id,
        slot.vcpus,
        slot.memoryMb,
        slot.diskGb,
        r.hosts.length,
        0,
        props,
        r.id,
        c.nextAggregate(),
        ...(deleted === null ? [null, null] : [resourceId, fmt(deleted)]),
      ]);
    }
    // allocations: one row per host (or slot); soft-deleted at the end, again at lease deletion
    for (const h of r.hosts) {
      const aid = rng.uuid();
      const gone = deleted ?? endDone;
      put('blazar.computehost_allocations', [fmt(l.createdAt), fmtOrNull(gone), aid, c.hostRows[h].blazarId, r.id, gone === null ? null : aid, fmtOrNull(gone)]);
    }
  }
  // events: start_lease, before_end_lease, end_lease. Deleting a lease soft-deletes its events
  // and that stamps their updated_at with the deletion (Chameleon Blazar's lease_destroy)
  const soft = (id: string) => (deleted === null ? [null, null] : [id, fmt(deleted)]);
  const stamped = (updatedAt: string | null): string | null => (deleted === null ? updatedAt : fmt(deleted));
  const startId = rng.uuid();
  const startStatus = l.error && commitStart < snapshot ? 'ERROR' : started ? 'DONE' : 'UNDONE';
  const startUpdated = l.error && commitStart < snapshot ? fmt(commitStart + 3 * SEC) : started ? (rng.chance(0.002) ? ZERO_DATE : fmt(startDone as number)) : null;
  put('blazar.events', [fmt(l.createdAt), stamped(startUpdated), startId, l.id, 'start_lease', fmt(l.startDate), startStatus, ...soft(startId)]);
  const beforeEnd = Math.max(l.startDate, l.endDate - 60 * MIN);
  const beforeId = rng.uuid();
  const beforeDone = started && beforeEnd < ended && beforeEnd + 5 * SEC < snapshot;
  put('blazar.events', [fmt(l.createdAt), stamped(beforeDone ? fmt(beforeEnd + 4 * SEC) : null), beforeId, l.id, 'before_end_lease', fmt(beforeEnd), beforeDone ? 'DONE' : 'UNDONE', ...soft(beforeId)]);
  const endId = rng.uuid();
  put('blazar.events', [fmt(l.createdAt), stamped(fmtOrNull(endDone)), endId, l.id, 'end_lease', fmt(l.endDate), endDone !== null ? 'DONE' : 'UNDONE', ...soft(endId)]);
};

interface InstanceCtx {
  readonly put: (key: TableKey, values: ReadonlyArray<unknown>) => void;
  readonly rng: Random;
  readonly snapshot: number;
  readonly bare: boolean;
}

const IMAGES = ['CC-Ubuntu16.04', 'CC-CentOS7', 'CC-Ubuntu18.04', 'CC-Ubuntu20.04', 'CC-Ubuntu22.04'];

const instanceRows = (plan: Plan, w: SiteWorld, c: InstanceCtx): void => {
  const { put, rng, bare } = c;
  const images = IMAGES.map(() => rng.uuid());
  const powerRng = rng.fork('power');
  let actionId = 0;
  let eventId = 0;
  let specId = 0;
  const nova = (t: number, id: number, deletedAt: number | null) => [fmt(t), deletedAt === null ? null : fmt(deletedAt), deletedAt === null ? null : fmt(deletedAt), deletedAt === null ? 0 : id];
  let id = 0;
  for (const i of w.instances) {
    id += 1;
    const host = w.hosts[i.host];
    const del = i.steps.find((s) => s.kind === 'delete');
    const lastShelve = [...i.steps].reverse().find((s) => s.kind === 'shelve' || s.kind === 'unshelve');
    const offloadedAtEnd = lastShelve !== undefined && lastShelve.kind === 'shelve';
    const localDelete = del !== undefined && offloadedAtEnd;
    const shadow = del !== undefined && del.t < plan.cuts.archiveBefore && i.launched;
    const eventHost = bare ? host.service : host.hostname;
    const failed = !i.launched;
    const nilled = failed && rng.chance(0.7);
    const quirk = rng.next();
    const endOnlyInEvents = del !== undefined && !localDelete && !failed && !shadow && quirk < 0.004;
    const zeroDeletedAt = del !== undefined && !endOnlyInEvents && !shadow && quirk > 0.998;
    const terminated = del === undefined || endOnlyInEvents ? null : del.t + rng.int(1, 20) * SEC;
    const nodeNull = nilled || (offloadedAtEnd && !endOnlyInEvents);
    let lastSpawn = i.launchedAt;
    for (const s of i.steps) if (s.kind === 'unshelve') lastSpawn = s.t + 40 * SEC;
    const vmState = failed ? 'error' : terminated !== null ? 'deleted' : offloadedAtEnd ? 'shelved_offloaded' : 'active';
    // the power state at the snapshot of an instance still running: its last successful power
    // action since its last (un)shelve or creation, if any
    const finalPower = lastPower(i.steps);
    const uuid = i.uuid;
    const flavorId = bare ? 10 : 1 + Math.max(0, ['m1.tiny', 'm1.small', 'm1.medium', 'm1.large', 'm1.xlarge', 'm1.xxlarge'].indexOf(i.flavor.name));
    put(shadow ? 'nova.shadow_instances' : 'nova.instances', [
      fmt(i.createdAt),
      fmtOrNull(terminated ?? lastSpawn),
      terminated === null ? null : zeroDeletedAt ? ZERO_DATE : fmt(terminated),
      terminated === null ? 0 : id,
      id,
      i.userId,
      i.projectId,
      images[Math.min(images.length - 1, Math.max(0, new Date(i.createdAt).getUTCFullYear() - 2016) >> 1)],
      vmState === 'active' ? finalPower.state : vmState === 'deleted' ? 0 : 4,
      vmState === 'active' ? finalPower.vm : vmState,
      null,
      i.flavor.memoryMb,
      i.flavor.vcpus,
      i.flavor.rootGb,
      0,
      `instance-${rng.hex(6)}`,
      nodeNull ? null : bare ? host.service : host.hostname,
      nodeNull ? null : host.hostname,
      `r-${rng.hex(8)}`,
      fmtOrNull(failed ? null : lastSpawn),
      fmtOrNull(terminated),
      `instance-${rng.hex(6)}`,
      'nova',
      flavorId,
      uuid,
      nodeNull ? null : eventHost,
      0,
      0,
    ]);
    put('nova_api.request_specs', [
      fmt(i.createdAt),
      null,
      ++specId,
      uuid,
      reservationSpec(uuid, i, i.projectId, i.userId, i.reservationId !== null && !i.flavor.name.startsWith('reservation:') ? i.reservationId : null, flavorId),
    ]);
    const actionDeleted = shadow ? (terminated as number) : null;
    const action = (name: string, t: number, evs: ReadonlyArray<readonly [string, number, number, string, string?]>, message: string | null = null) => {
      actionId += 1;
      put(shadow ? 'nova.shadow_instance_actions' : 'nova.instance_actions', [...nova(t, actionId, actionDeleted), actionId, name, uuid, `req-${rng.uuid()}`, i.userId, i.projectId, fmt(t), null, message]);
      for (const [ev, start, finish, result, evHost] of evs) {
        eventId += 1;
        put(shadow ? 'nova.shadow_instance_actions_events' : 'nova.instance_actions_events', [...nova(start, eventId, actionDeleted), eventId, ev, actionId, fmt(start), fmt(finish), result, evHost ?? eventHost]);
      }
    };
    // power actions draw their request ids from their own stream: the other rows stay as without them
    const powerAction = (name: string, t: number, evs: ReadonlyArray<readonly [string, number, number, string]>) => {
      actionId += 1;
      put(shadow ? 'nova.shadow_instance_actions' : 'nova.instance_actions', [...nova(t, actionId, actionDeleted), actionId, name, uuid, `req-${powerRng.uuid()}`, i.userId, i.projectId, fmt(t), null, null]);
      for (const [ev, start, finish, result] of evs) {
        eventId += 1;
        put(shadow ? 'nova.shadow_instance_actions_events' : 'nova.instance_actions_events', [...nova(start, eventId, actionDeleted), eventId, ev, actionId, fmt(start), fmt(finish), result, eventHost]);
      }
    };
    const buildStart = i.createdAt + rng.int(2, 9) * SEC;
    const buildEnd = failed ? buildStart + rng.int(60, 900) * SEC : (i.launchedAt as number);
    // from Rocky on, the conductor records its scheduling as an event of the create action too
    // (its host is a controller, not the node: the adapters read compute_* events only)
    const conductor: ReadonlyArray<readonly [string, number, number, string, string]> =
      i.createdAt >= plan.cuts.rocky ? [['conductor_schedule_and_build_instances', i.createdAt + SEC, buildStart, 'Success', `${w.plan.site.replace(/_/g, '-')}-controller`]] : [];
    action('create', i.createdAt, [...conductor, ['compute__do_build_and_run_instance', buildStart, Math.max(buildStart, buildEnd), failed ? 'Error' : 'Success']], failed ? 'Error' : null);
    for (const s of i.steps) {
      if (s.kind === 'shelve') {
        action('shelve', s.t, [
          ['compute_shelve_instance', s.t, s.t + 20 * SEC, 'Success'],
          ['compute_shelve_offload_instance', s.t + 25 * SEC, s.t + 60 * SEC, 'Success'],
        ]);
      } else if (s.kind === 'unshelve') {
        action('unshelve', s.t, [['compute_unshelve_instance', s.t, s.t + 40 * SEC, 'Success']]);
      } else if (s.kind === 'power') {
        powerAction(s.action, s.t, [[s.event, s.t, s.t + 8 * SEC, s.ok ? 'Success' : 'Error']]);
      } else if (localDelete || nilled) {
        action('delete', s.t, []);
      } else {
        action('delete', s.t, [['compute_terminate_instance', s.t, s.t + 5 * SEC, 'Success']]);
      }
    }
    // sanity: the derived rows must give the world's periods (the adapters' rule, simplified)
    if (i.launched && periods(i).length === 0) throw new Error(`instance ${uuid} launched without a period`);
  }
};
