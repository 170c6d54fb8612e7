/**
 * `openstack_audit.audit_nova_instances` (reconstruction rules, section 15): Nova instances
 * hard-deleted from `nova.instances` and not in `nova.shadow_instances` (archived, then purged
 * from the shadow table, or deleted by hand) are counted from their audit rows.
 *
 * An audit-only instance becomes the instance row Nova would have kept, from its last snapshot
 * (a DELETE row's `data` is the last state): launched_at, terminated_at, deleted_at (else the
 * DELETE row's time, when the row was removed without a soft delete), node, sizes, project, final
 * power state. It then goes through the instances adapter's own `toEvents`, so the same rules hold
 * (never launched is rejected, periods end at terminated_at or deleted_at, nodes from the
 * compute node). What the audit cannot give: its action events (their tables are purged with it:
 * one period, no power history) and its request spec (purged too: counted as on-demand,
 * `reservation_from = request_specs_missing`, as an archived instance whose spec is gone). Its
 * events carry `extra.from = 'audit'`.
 *
 * @since 0.4.0
 * @module
 */
import * as Ei from 'fp-ts/Either';
import * as t from 'io-ts';
import * as E from '../lib/Event';
import { rejection, type Rejection } from '../lib/Rejection';
import type * as T from '../lib/Time';
import type { Context } from './Adapter';
import { auditTable, decodeData, entitiesOf, readEntityAudit, type AuditOnly, type AuditRow, type Zone } from './auditDecode';
import { Int, nullable, Str, UtcDate } from './codecs';
import { toEvents as instanceEvents, type InstanceRow } from './instances';
import type { Source } from './Source';

/** @category model @since 0.4.0 */
export const novaInstancesAuditTable = auditTable('nova_instances');

const opt = <C extends t.Mixed>(c: C) => t.union([c, t.undefined]);

/**
 * The keys read from an instance snapshot (facts 3.1: `audit_nova_instances` captures them all).
 *
 * @category model
 * @since 0.4.0
 */
export const InstanceSnapshot = t.type({
  uuid: Str,
  created_at: opt(UtcDate),
  launched_at: opt(UtcDate),
  terminated_at: opt(UtcDate),
  deleted_at: opt(UtcDate),
  node: opt(nullable(Str)),
  vcpus: opt(nullable(Int)),
  memory_mb: opt(nullable(Int)),
  root_gb: opt(nullable(Int)),
  project_id: opt(nullable(Str)),
  power_state: opt(nullable(Int)),
});

type Snapshot = t.TypeOf<typeof InstanceSnapshot>;

/** The latest non-null value of a key over an entity's snapshots (a later row may omit it). */
const latest = <K extends keyof Snapshot>(list: ReadonlyArray<{ readonly snap: Snapshot }>, k: K): NonNullable<Snapshot[K]> | null => {
  for (let i = list.length - 1; i >= 0; i--) {
    const v = list[i].snap[k];
    if (v !== undefined && v !== null) return v as NonNullable<Snapshot[K]>;
  }
  return null;
};

/**
 * The events of the instances known only from `audit_nova_instances` (pure): ids in neither
 * `instances` nor `shadow_instances` (`known`). Each entity's rows become one instance row (see
 * the module) run through the instances adapter's rules; an instance still without an end (no
 * terminated_at, no deleted_at, no DELETE row) is rejected `no_end`: it is gone from Nova, but
 * when it ended is not known.
 *
 * @category folding
 * @since 0.4.0
 */
export const auditOnlyInstances = (
  ctx: Context,
  o: { readonly table: string; readonly rows: ReadonlyArray<AuditRow>; readonly known: ReadonlySet<string> },
): AuditOnly => {
  const site = ctx.site.site;
  const decode = decodeData(InstanceSnapshot, { site, table: o.table });
  const toEvents = instanceEvents(novaInstancesAuditTable)(ctx);
  const grouped = entitiesOf(o.rows, o.known, decode);
  const rejections: Rejection[] = [...grouped.rejections];
  const events: E.Event[] = [];
  let entities = 0;
  for (const { id, list } of grouped.entities) {
    const first = list[0];
    const last = list[list.length - 1];
    const deleted = latest(list, 'deleted_at') ?? (last.row.kind === 'DELETE' ? last.row.time : null);
    const terminated = latest(list, 'terminated_at');
    const at = { table: o.table, id: String(last.row.auditId) };
    if (deleted === null && terminated === null) {
      rejections.push(rejection({ site, source: at, reason: 'no_end', detail: `instance ${id} is gone from nova.instances but its audit rows show no end (terminated_at, deleted_at or DELETE)`, entityId: last.snap.uuid, time: last.row.time }));
      continue;
    }
    const row: InstanceRow = {
      id: Number(id),
      uuid: last.snap.uuid,
      created_at: latest(list, 'created_at') ?? first.row.time,
      launched_at: latest(list, 'launched_at'),
      terminated_at: terminated,
      deleted_at: deleted as T.Millis | null,
      node: latest(list, 'node'),
      vcpus: latest(list, 'vcpus'),
      memory_mb: latest(list, 'memory_mb'),
      root_gb: latest(list, 'root_gb'),
      project_id: latest(list, 'project_id'),
      power_state: latest(list, 'power_state'),
      spec: null,
      request_specs: 'missing',
      actions: [],
    };
    const r = toEvents(row);
    if (Ei.isLeft(r)) {
      rejections.push({ ...r.left, source: at });
      continue;
    }
    entities += 1;
    for (const e of r.right) {
      const fields = { ...e, attributes: { ...e.attributes, extra: { ...e.attributes.extra, from: 'audit' } } };
      events.push(e._tag === 'Create' ? E.create(fields) : E.del(fields));
    }
  }
  return { events, rejections, entities };
};

/**
 * Reads `audit_nova_instances` and makes the events of the instances only it knows, with the
 * table's report entry (rows of ids the source has are folded: the source wins).
 *
 * @since 0.4.0
 */
export const readInstancesAudit = (src: Source, ctx: Context, zone: Zone): ReturnType<typeof readEntityAudit> =>
  readEntityAudit(src, {
    ref: novaInstancesAuditTable,
    sources: [
      { db: 'nova', table: 'instances' },
      { db: 'nova', table: 'shadow_instances' },
    ],
    zone,
    what: 'instance(s)',
    fold: (o) => auditOnlyInstances(ctx, o),
  });
