/**
 * Chameleon's `openstack_audit` tables in the testbed (issue 15, openstack-audit.md): from an
 * install date (`AUDIT_INSTALL`, 2025-06-01 00:00:00 UTC) every site has trigger-written audit
 * tables in the generic v3 layout (facts section 2.1), with the backfill the role runs at install
 * (section 4.3) and the trigger rows of every later change of a watched column (section 4.1).
 *
 * What the simulation owns (`simulateAudit`, its own random stream, so the rest of the world is
 * exactly as without it):
 * - bare-metal sites: Blazar hosts disabled (`disabled = 1`) or made non-reservable
 *   (`reservable = 0`), or both, for maintenance windows before and after the install (one window
 *   per site straddles it); the KVM site's Blazar hosts stay usable;
 * - the KVM site: hypervisors whose Nova service is disabled or forced down for windows;
 * - hard deletes after the install: one retired (soft-deleted) Blazar host per bare-metal site
 *   physically deleted, and two ended operator leases per site purged with their reservations,
 *   allocations and events. They are gone from the source tables and live on only in the audit
 *   tables.
 *
 * The audit rows (`auditTables`) are derived from the final source rows (captured as `rows.ts`
 * emits them) and the world: per audited row its state at the backfill (INSERT at `created_at`,
 * DELETE at `deleted_at` when soft-deleted, `audit_changed_by = 'backfill'`, `audit_changed_at` =
 * the install), then INSERT / UPDATE / DELETE at each later change (`USER()` as the services'
 * users, both times equal). Before the install a window leaves no trace but the backfill's state.
 *
 * Tables: `audit_blazar_computehosts` (every site, columns and watch list of section 3.1),
 * `audit_nova_services` (KVM only), and, with column and watch lists of our choosing (the facts
 * do not know them, section 3.3), `audit_blazar_leases` (watch `start_date, end_date, deleted`),
 * `audit_blazar_reservations` and `audit_blazar_computehost_allocations` (watch `deleted`).
 *
 * Invariants: deterministic (same plan, same rows); every table's earliest `audit_changed_at` is
 * the install; `audit_id` increases with (changed_at, then the order written); a site whose plan
 * ends before the install, or a site that is neither bare metal nor KVM, has no audit tables.
 *
 * @since 0.4.0
 */
import type { Plan, SitePlan } from './plan';
import { utc } from './plan';
import type { Random } from './random';
import { columnsOf, fmt, type Emit } from './rows';
import type { TableKey } from './ddl';
import type { Host, Lease } from './world';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

const sec = (t: number): number => Math.round(t / SEC) * SEC;

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** When the audit role first ran on every testbed site (backfill, then triggers). @since 0.4.0 */
export const AUDIT_INSTALL = utc('2025-06-01');

/** A Blazar host's state over `[start, end)` (`end = null`: still so at the snapshot). @category model @since 0.4.0 */
export interface HostWindow {
  readonly host: number;
  readonly start: number;
  readonly end: number | null;
  readonly reservable: 0 | 1;
  readonly disabled: 0 | 1;
}

/** A Nova service held out of service over `[start, end)`. @category model @since 0.4.0 */
export interface ServiceWindow {
  readonly host: number;
  readonly start: number;
  readonly end: number | null;
  readonly disabled: 0 | 1;
  readonly forcedDown: 0 | 1;
}

/** An Ironic node in maintenance (or flagged retired before its deletion) over `[start, end)`. @category model @since 0.4.0 */
export interface NodeWindow {
  readonly host: number;
  readonly start: number;
  readonly end: number | null;
  readonly maintenance: 0 | 1;
  readonly retired: 0 | 1;
}

/** What the simulation decided for the audit tables of one site. @category model @since 0.4.0 */
export interface AuditWorld {
  readonly install: number;
  /** Per host, sorted, non-overlapping; outside them a host is reservable and enabled. */
  readonly windows: ReadonlyArray<HostWindow>;
  /** KVM: Nova services disabled or forced down. */
  readonly serviceWindows: ReadonlyArray<ServiceWindow>;
  /** Bare metal: Ironic nodes in maintenance or retired. */
  readonly nodeWindows: ReadonlyArray<NodeWindow>;
  /** Hosts whose `blazar.computehosts` row is physically deleted at `at`. */
  readonly purgedHosts: ReadonlyArray<{ readonly host: number; readonly at: number }>;
  /** Leases purged (lease, reservations, allocations, events) at `at`. */
  readonly purgedLeases: ReadonlyArray<{ readonly lease: string; readonly at: number }>;
}

// -------------------------------------------------------------------------------------
// simulating
// -------------------------------------------------------------------------------------

// a host goes out of service about every three months, for a few days (median 3 days, at most
// a month): about 4 % of the hosts are out of service at any time, enough for the usable split
// to show in a site's stack (docs/testbed.md)
const WINDOW_GAP = YEAR / 4;
const WINDOW_MEDIAN = 3 * DAY;
const WINDOW_MAX = 30 * DAY;

const windowsOver = <W>(rng: Random, from: number, to: number, snap: number, make: (s: number, e: number | null) => W): W[] => {
  const out: W[] = [];
  for (let t = from + rng.exp(WINDOW_GAP); t < to; ) {
    const s = sec(t);
    const dur = Math.min(WINDOW_MAX, Math.max(2 * HOUR, rng.logNormal(WINDOW_MEDIAN, 1)));
    let e: number | null = sec(s + dur);
    if (e >= to) e = to >= snap ? null : to - HOUR;
    if (e !== null && e <= s) break;
    out.push(make(s, e));
    if (e === null) break;
    t = e + HOUR + rng.exp(WINDOW_GAP);
  }
  return out;
};

/**
 * Decides the audit world of a site: state windows, hard deletes; `undefined` when the plan ends
 * before the install.
 *
 * @since 0.4.0
 */
export const simulateAudit = (plan: Plan, site: SitePlan, hosts: ReadonlyArray<Host>, leases: ReadonlyArray<Lease>, rng: Random): AuditWorld | undefined => {
  const install = AUDIT_INSTALL;
  if (plan.end <= install || plan.start >= install) return undefined;
  // only the host sites: a site of another kind (devices) would need its own tables and purges
  if (site.kind !== 'baremetal' && site.kind !== 'kvm') return undefined;
  const snap = plan.end;
  const windows: HostWindow[] = [];
  const serviceWindows: ServiceWindow[] = [];
  const nodeWindows: NodeWindow[] = [];
  // the window straddling the install: disabled 2 days before, enabled again a day after
  const straddle = { start: install - 2 * DAY + 5 * HOUR, end: install + DAY + 7 * HOUR };
  if (site.kind === 'baremetal') {
    const chosen = hosts.find((h) => h.reservableFrom !== null && h.reservableFrom < straddle.start - DAY && (h.reservableTo === null || h.reservableTo > straddle.end + DAY));
    for (const h of hosts) {
      if (h.reservableFrom === null) continue;
      const to = Math.min(h.reservableTo ?? snap, snap);
      let ws = windowsOver(rng, Math.max(h.reservableFrom + HOUR, plan.start), to, snap, (s, e): HostWindow => {
        const [reservable, disabled] = rng.weighted<readonly [0 | 1, 0 | 1]>([
          [[1, 1], 0.5],
          [[0, 0], 0.35],
          [[0, 1], 0.15],
        ]);
        return { host: h.index, start: s, end: e, reservable, disabled };
      });
      if (h === chosen) {
        ws = ws.filter((w) => (w.end ?? Infinity) < straddle.start - HOUR || w.start > straddle.end + HOUR);
        ws.push({ host: h.index, start: straddle.start, end: straddle.end, reservable: 1, disabled: 1 });
        ws.sort((a, b) => a.start - b.start);
      }
      windows.push(...ws);
    }
    // Ironic: maintenance windows of every node (own stream), one straddling the install, and a
    // node retiring after the install flagged `retired` for its last three days (then deleted)
    const irng = rng.fork('ironic');
    const chosenNode = hosts.find((h) => h.added < straddle.start - DAY && (h.retired === null || h.retired > straddle.end + 4 * DAY));
    for (const h of hosts) {
      const to = Math.min(h.retired ?? snap, snap);
      let ws = windowsOver(irng, Math.max(h.added + HOUR, plan.start), to, snap, (s, e): NodeWindow => ({ host: h.index, start: s, end: e, maintenance: 1, retired: 0 }));
      if (h === chosenNode) {
        ws = ws.filter((w) => (w.end ?? Infinity) < straddle.start - HOUR || w.start > straddle.end + HOUR);
        ws.push({ host: h.index, start: straddle.start + 2 * HOUR, end: straddle.end + 3 * HOUR, maintenance: 1, retired: 0 });
      }
      if (h.retired !== null && h.retired > install + 3 * DAY && h.retired < snap) {
        const from = h.retired - 3 * DAY;
        ws = ws.filter((w) => (w.end ?? Infinity) < from - HOUR);
        ws.push({ host: h.index, start: from, end: h.retired, maintenance: 0, retired: 1 });
      }
      ws.sort((a, b) => a.start - b.start);
      nodeWindows.push(...ws);
    }
  } else {
    const chosen = hosts.find((h) => h.added < straddle.start - DAY && (h.retired === null || h.retired > straddle.end + DAY));
    for (const h of hosts) {
      const to = Math.min(h.retired ?? snap, snap);
      let ws = windowsOver(rng, Math.max(h.added + HOUR, plan.start), to, snap, (s, e): ServiceWindow => {
        const forced = rng.chance(0.2);
        return { host: h.index, start: s, end: e, disabled: forced ? 0 : 1, forcedDown: forced ? 1 : 0 };
      });
      if (h === chosen) {
        ws = ws.filter((w) => (w.end ?? Infinity) < straddle.start - HOUR || w.start > straddle.end + HOUR);
        ws.push({ host: h.index, start: straddle.start, end: straddle.end, disabled: 1, forcedDown: 0 });
        ws.sort((a, b) => a.start - b.start);
      }
      serviceWindows.push(...ws);
    }
  }
  // hard deletes after the install
  const purgedHosts: Array<{ host: number; at: number }> = [];
  if (site.kind === 'baremetal') {
    const gone = hosts.find((h) => h.reservableFrom !== null && h.reservableTo !== null && h.reservableTo > plan.cuts.blazarLost && h.reservableTo < install - DAY);
    if (gone !== undefined) purgedHosts.push({ host: gone.index, at: sec(install + 30 * DAY + rng.next() * 10 * HOUR) });
  }
  const candidates = leases.filter((l) => {
    const end = Math.min(l.endDate, l.deletedAt ?? Infinity);
    // operator leases: a purged user lease's lead time would need its events, which no table keeps
    return l.operator && !l.error && l.createdAt > install + DAY && end > Math.max(l.startDate, l.createdAt) && end < snap - 10 * DAY;
  });
  const purgedLeases: Array<{ lease: string; at: number }> = [];
  for (let k = 0; k < 2 && candidates.length > 0; k++) {
    const l = candidates.splice(Math.floor(rng.next() * candidates.length), 1)[0];
    const end = Math.max(l.endDate, l.deletedAt ?? 0, l.extendedAt ?? 0);
    purgedLeases.push({ lease: l.id, at: sec(end + 3 * DAY + rng.next() * DAY) });
  }
  return { install, windows, serviceWindows, nodeWindows, purgedHosts, purgedLeases };
};

/**
 * A host's Blazar state at `t` (reservable 1 and enabled outside its windows).
 *
 * @since 0.4.0
 */
export const hostStateAt = (ws: ReadonlyArray<HostWindow>, t: number): { readonly reservable: 0 | 1; readonly disabled: 0 | 1 } => {
  for (const w of ws) if (w.start <= t && (w.end === null || t < w.end)) return w;
  return { reservable: 1, disabled: 0 };
};

// -------------------------------------------------------------------------------------
// audit tables
// -------------------------------------------------------------------------------------

/** One audit row: `[audit_id, id, audit_event_type, audit_event_time, audit_changed_by, audit_changed_at, data]`. */
export type AuditRow = readonly [number, string | number, 'INSERT' | 'UPDATE' | 'DELETE', string, string, string, string];

/** An audit table of one site. @category model @since 0.4.0 */
export interface AuditTable {
  /** `audit_<name>` in `openstack_audit`. */
  readonly name: string;
  readonly idType: 'VARCHAR(36)' | 'INT(11)';
  readonly rows: ReadonlyArray<AuditRow>;
}

/** The columns of every generic-layout audit table, in order. @since 0.4.0 */
export const auditColumns = ['audit_id', 'id', 'audit_event_type', 'audit_event_time', 'audit_changed_by', 'audit_changed_at', 'data'] as const;

/**
 * The DDL of a generic v3 audit table (facts section 2.1: types, defaults and the three indexes).
 * MySQL in database `db`; SQLite as `openstack_audit__audit_<name>` with the same columns.
 *
 * @since 0.4.0
 */
export const auditDdl = (dialect: 'mysql' | 'sqlite', t: Pick<AuditTable, 'name' | 'idType'>, db = 'openstack_audit'): string[] => {
  if (dialect === 'mysql') {
    const name = `\`${db}\`.\`audit_${t.name}\``;
    return [
      `CREATE TABLE IF NOT EXISTS ${name} (
    audit_id INT AUTO_INCREMENT PRIMARY KEY,
    id ${t.idType},
    audit_event_type ENUM('INSERT', 'UPDATE', 'DELETE'),
    audit_event_time DATETIME DEFAULT CURRENT_TIMESTAMP,
    audit_changed_by VARCHAR(255),
    audit_changed_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    data JSON,
    INDEX idx_id_event_time (id, audit_event_time),
    INDEX idx_id_event_type (id, audit_event_type),
    INDEX idx_changed_at (audit_changed_at)
)`,
    ];
  }
  const name = `openstack_audit__audit_${t.name}`;
  return [
    `CREATE TABLE "${name}" ("audit_id" INTEGER PRIMARY KEY AUTOINCREMENT, "id" ${t.idType === 'INT(11)' ? 'INTEGER' : 'VARCHAR(36)'}, "audit_event_type" TEXT CHECK ("audit_event_type" IN ('INSERT', 'UPDATE', 'DELETE')), "audit_event_time" DATETIME DEFAULT CURRENT_TIMESTAMP, "audit_changed_by" VARCHAR(255), "audit_changed_at" DATETIME DEFAULT CURRENT_TIMESTAMP, "data" TEXT)`,
    `CREATE INDEX "idx_${name}_id_event_time" ON "${name}" ("id", "audit_event_time")`,
    `CREATE INDEX "idx_${name}_id_event_type" ON "${name}" ("id", "audit_event_type")`,
    `CREATE INDEX "idx_${name}_changed_at" ON "${name}" ("audit_changed_at")`,
  ];
};

/** `JSON_OBJECT(...)` as MariaDB prints it: `{"k": v, "k2": v2}`. */
export const jsonObject = (keys: ReadonlyArray<string>, values: ReadonlyArray<unknown>): string =>
  `{${keys.map((k, i) => `${JSON.stringify(k)}: ${JSON.stringify(values[i] ?? null)}`).join(', ')}}`;

const parse = (s: unknown): number | null => (typeof s === 'string' && !s.startsWith('0000') ? Date.parse(`${s.replace(' ', 'T')}Z`) : null);

/** The audited source tables: key, audit name, data columns. */
const COMPUTEHOST_COLS = ['id', 'hypervisor_hostname', 'vcpus', 'memory_mb', 'local_gb', 'status', 'reservable', 'disabled', 'created_at', 'deleted_at'];
const IRONIC_COLS = ['created_at', 'updated_at', 'id', 'uuid', 'instance_uuid', 'power_state', 'target_power_state', 'provision_state', 'target_provision_state', 'last_error', 'driver', 'reservation', 'maintenance', 'provision_updated_at', 'instance_info', 'maintenance_reason', 'name', 'resource_class', 'owner', 'lessee', 'retired', 'retired_reason', 'fault'];
const SERVICE_COLS = ['created_at', 'updated_at', 'deleted_at', 'id', 'host', 'binary', 'topic', 'report_count', 'disabled', 'disabled_reason', 'last_seen_up', 'forced_down', 'version', 'uuid'];

/** Captured source rows of the tables the audit follows, and the purge filter. */
export interface Captured {
  readonly hosts: Map<string, unknown[]>;
  readonly leases: Map<string, unknown[]>;
  readonly reservations: Map<string, unknown[]>;
  readonly allocations: Map<string, unknown[]>;
}

/**
 * Wraps a writer's `emit`: Blazar host rows get their state at the snapshot (`reservable`,
 * `disabled`), purged rows are dropped, and the rows the audit follows are kept for
 * `auditTables`.
 *
 * @since 0.4.0
 */
export const auditCapture = (a: AuditWorld, hosts: ReadonlyArray<Host>, layout: Parameters<typeof columnsOf>[1], snapshot: number, emit: Emit) => {
  const cap: Captured = { hosts: new Map(), leases: new Map(), reservations: new Map(), allocations: new Map() };
  const idx = (key: TableKey, col: string) => columnsOf(key, layout).indexOf(col);
  const H = { id: idx('blazar.computehosts', 'id'), name: idx('blazar.computehosts', 'hypervisor_hostname'), r: idx('blazar.computehosts', 'reservable'), d: idx('blazar.computehosts', 'disabled') };
  const byName = new Map(hosts.map((h) => [h.hostname, h.index]));
  const windowsOf = new Map<number, HostWindow[]>();
  for (const w of a.windows) {
    const list = windowsOf.get(w.host) ?? [];
    list.push(w);
    windowsOf.set(w.host, list);
  }
  const purgedHostIdx = new Set(a.purgedHosts.map((p) => p.host));
  const purgedLease = new Set(a.purgedLeases.map((p) => p.lease));
  const purgedRes = new Set<string>();
  const leaseOf = idx('blazar.reservations', 'lease_id');
  const wrapped: Emit = (key, values) => {
    switch (key) {
      case 'blazar.computehosts': {
        const v = [...values];
        const h = byName.get(String(v[H.name])) as number;
        const s = hostStateAt(windowsOf.get(h) ?? [], snapshot - 1);
        v[H.r] = s.reservable;
        v[H.d] = s.disabled;
        cap.hosts.set(String(v[H.id]), v);
        if (!purgedHostIdx.has(h)) emit(key, v);
        return;
      }
      case 'blazar.leases':
        cap.leases.set(String(values[idx(key, 'id')]), [...values]);
        if (!purgedLease.has(String(values[idx(key, 'id')]))) emit(key, values);
        return;
      case 'blazar.reservations':
        cap.reservations.set(String(values[idx(key, 'id')]), [...values]);
        if (purgedLease.has(String(values[leaseOf]))) purgedRes.add(String(values[idx(key, 'id')]));
        else emit(key, values);
        return;
      case 'blazar.computehost_allocations':
        cap.allocations.set(String(values[idx(key, 'id')]), [...values]);
        if (!purgedRes.has(String(values[idx(key, 'reservation_id')]))) emit(key, values);
        return;
      case 'blazar.computehost_reservations':
      case 'blazar.instance_reservations':
        if (!purgedRes.has(String(values[idx(key, 'reservation_id')]))) emit(key, values);
        return;
      case 'blazar.events':
        if (!purgedLease.has(String(values[idx(key, 'lease_id')]))) emit(key, values);
        return;
      default:
        emit(key, values);
    }
  };
  return { emit: wrapped, captured: cap };
};

/** One audited change before numbering. */
interface Change {
  readonly id: string | number;
  readonly type: 'INSERT' | 'UPDATE' | 'DELETE';
  readonly eventTime: number;
  readonly by: string;
  readonly changedAt: number;
  readonly data: string;
  /** Order among changes at one instant (source order). */
  readonly seq: number;
}

const numbered = (changes: Change[]): AuditRow[] => {
  changes.sort((x, y) => x.changedAt - y.changedAt || x.seq - y.seq);
  return changes.map((c, i) => [i + 1, c.id, c.type, fmt(c.eventTime), c.by, fmt(c.changedAt), c.data] as const);
};

/**
 * The audit tables of a site, from the captured final rows and the world.
 *
 * @since 0.4.0
 */
export const auditTables = (
  a: AuditWorld,
  o: { readonly hosts: ReadonlyArray<Host>; readonly leases: ReadonlyArray<Lease>; readonly kind: SitePlan['kind']; readonly layout: Parameters<typeof columnsOf>[1]; readonly snapshot: number; readonly captured: Captured },
): ReadonlyArray<AuditTable> => {
  const T0 = a.install;
  const snap = o.snapshot;
  const out: AuditTable[] = [];
  let seq = 0;
  const col = (key: TableKey) => {
    const cols = columnsOf(key, o.layout);
    return (row: ReadonlyArray<unknown>, c: string) => row[cols.indexOf(c)];
  };

  // ---- blazar.computehosts (every site)
  {
    const get = col('blazar.computehosts');
    const byName = new Map(o.hosts.map((h) => [h.hostname, h.index]));
    const windowsOf = new Map<number, HostWindow[]>();
    for (const w of a.windows) windowsOf.set(w.host, [...(windowsOf.get(w.host) ?? []), w]);
    const purgedAt = new Map(a.purgedHosts.map((p) => [p.host, p.at]));
    const changes: Change[] = [];
    for (const [id, row] of o.captured.hosts) {
      const h = byName.get(String(get(row, 'hypervisor_hostname'))) as number;
      const ws = windowsOf.get(h) ?? [];
      const created = parse(get(row, 'created_at')) as number;
      const deleted = parse(get(row, 'deleted_at'));
      const dataAt = (t: number) => {
        const s = hostStateAt(ws, t);
        const vals = COMPUTEHOST_COLS.map((c) => (c === 'reservable' ? s.reservable : c === 'disabled' ? s.disabled : c === 'deleted_at' ? (deleted !== null && deleted <= t ? get(row, c) : null) : get(row, c)));
        return jsonObject(COMPUTEHOST_COLS, vals);
      };
      if (created <= T0) {
        changes.push({ id, type: 'INSERT', eventTime: created, by: 'backfill', changedAt: T0, data: dataAt(T0), seq: seq++ });
        if (deleted !== null && deleted <= T0) changes.push({ id, type: 'DELETE', eventTime: deleted, by: 'backfill', changedAt: T0, data: dataAt(T0), seq: seq++ });
      } else if (created < snap) changes.push({ id, type: 'INSERT', eventTime: created, by: 'blazar@%', changedAt: created, data: dataAt(created), seq: seq++ });
      for (const w of ws) {
        for (const t of [w.start, w.end]) {
          if (t === null || t <= T0 || t <= created || t >= snap) continue;
          changes.push({ id, type: 'UPDATE', eventTime: t, by: 'blazar@%', changedAt: t, data: dataAt(t), seq: seq++ });
        }
      }
      const p = purgedAt.get(h);
      if (p !== undefined && p > T0 && p < snap) changes.push({ id, type: 'DELETE', eventTime: p, by: 'root@localhost', changedAt: p, data: dataAt(p), seq: seq++ });
    }
    out.push({ name: 'blazar_computehosts', idType: 'VARCHAR(36)', rows: numbered(changes) });
  }

  // ---- blazar leases, reservations, allocations
  {
    const leaseById = new Map(o.leases.map((l) => [l.id, l]));
    const purgedAt = new Map(a.purgedLeases.map((p) => [p.lease, p.at]));
    const L = col('blazar.leases');
    const R = col('blazar.reservations');
    const A = col('blazar.computehost_allocations');
    const lc = columnsOf('blazar.leases', o.layout);
    const rc = columnsOf('blazar.reservations', o.layout);
    const ac = columnsOf('blazar.computehost_allocations', o.layout);
    const leaseChanges: Change[] = [];
    const resChanges: Change[] = [];
    const allocChanges: Change[] = [];
    const history = (
      out2: Change[],
      id: string,
      cols: ReadonlyArray<string>,
      row: ReadonlyArray<unknown>,
      created: number,
      updates: ReadonlyArray<number>,
      purge: number | undefined,
      at: (t: number) => ReadonlyArray<unknown>,
    ) => {
      const deleted = parse(row[cols.indexOf('deleted_at')]);
      const data = (t: number) => jsonObject(cols, at(t));
      if (created <= T0) {
        out2.push({ id, type: 'INSERT', eventTime: created, by: 'backfill', changedAt: T0, data: data(T0), seq: seq++ });
        if (deleted !== null && deleted <= T0) out2.push({ id, type: 'DELETE', eventTime: deleted, by: 'backfill', changedAt: T0, data: data(T0), seq: seq++ });
      } else if (created < snap) out2.push({ id, type: 'INSERT', eventTime: created, by: 'blazar@%', changedAt: created, data: data(created), seq: seq++ });
      for (const t of [...new Set(updates)].sort((x, y) => x - y)) {
        if (t <= T0 || t <= created || t >= snap) continue;
        out2.push({ id, type: 'UPDATE', eventTime: t, by: 'blazar@%', changedAt: t, data: data(t), seq: seq++ });
      }
      if (purge !== undefined && purge > T0 && purge < snap) out2.push({ id, type: 'DELETE', eventTime: purge, by: 'root@localhost', changedAt: purge, data: data(purge), seq: seq++ });
    };
    const softAt = (cols: ReadonlyArray<string>, row: ReadonlyArray<unknown>, t: number, deleted: number | null): unknown[] =>
      cols.map((c, i) => ((c === 'deleted' || c === 'deleted_at') && (deleted === null || deleted > t) ? null : row[i]));
    const resOf = new Map<string, string>();
    for (const [rid, row] of o.captured.reservations) resOf.set(rid, String(R(row, 'lease_id')));
    // rows of leases the world does not know (none today) are not audited
    for (const [id, row] of o.captured.leases) {
      const l = leaseById.get(id);
      if (l === undefined) continue;
      const deleted = parse(L(row, 'deleted_at'));
      const commitStart = Math.max(l.startDate, l.createdAt);
      const updates = [l.extendedAt, deleted].filter((t): t is number => t !== null);
      history(leaseChanges, id, lc, row, l.createdAt, updates, purgedAt.get(id), (t) => {
        if (t >= snap || (purgedAt.get(id) ?? Infinity) <= t) return row;
        const v = softAt(lc, row, t, deleted);
        const ended = Math.min(l.endDate, l.deletedAt ?? Infinity) <= t;
        v[lc.indexOf('end_date')] = l.extendedAt !== null && l.extendedAt <= t ? fmt(l.endDate) : fmt(l.requestedEnd);
        v[lc.indexOf('status')] = deleted !== null && deleted <= t ? 'DELETING' : l.error && commitStart <= t ? 'ERROR' : ended ? row[lc.indexOf('status')] : t === l.createdAt ? 'CREATING' : commitStart <= t ? 'ACTIVE' : 'PENDING';
        const stamps = [l.extendedAt, deleted].filter((x): x is number => x !== null && x <= t);
        v[lc.indexOf('updated_at')] = ended ? row[lc.indexOf('updated_at')] : stamps.length === 0 ? null : fmt(Math.max(...stamps));
        return v;
      });
    }
    for (const [id, row] of o.captured.reservations) {
      const lid = String(R(row, 'lease_id'));
      const l = leaseById.get(lid);
      if (l === undefined) continue;
      const deleted = parse(R(row, 'deleted_at'));
      history(resChanges, id, rc, row, l.createdAt, deleted === null ? [] : [deleted], purgedAt.get(lid), (t) => {
        if (t >= snap || (purgedAt.get(lid) ?? Infinity) <= t) return row;
        const v = softAt(rc, row, t, deleted);
        const ended = Math.min(l.endDate, l.deletedAt ?? Infinity) <= t;
        if (!ended) {
          v[rc.indexOf('status')] = l.error ? 'pending' : Math.max(l.startDate, l.createdAt) <= t ? 'active' : 'pending';
          v[rc.indexOf('updated_at')] = null;
        }
        return v;
      });
    }
    for (const [id, row] of o.captured.allocations) {
      const lid = resOf.get(String(A(row, 'reservation_id'))) ?? '';
      const l = leaseById.get(lid);
      if (l === undefined) continue;
      const deleted = parse(A(row, 'deleted_at'));
      history(allocChanges, id, ac, row, l.createdAt, deleted === null ? [] : [deleted], purgedAt.get(lid), (t) => {
        if (t >= snap || (purgedAt.get(lid) ?? Infinity) <= t) return row;
        const v = softAt(ac, row, t, deleted);
        if (deleted === null || deleted > t) v[ac.indexOf('updated_at')] = null;
        return v;
      });
    }
    out.push({ name: 'blazar_leases', idType: 'VARCHAR(36)', rows: numbered(leaseChanges) });
    out.push({ name: 'blazar_reservations', idType: 'VARCHAR(36)', rows: numbered(resChanges) });
    out.push({ name: 'blazar_computehost_allocations', idType: 'VARCHAR(36)', rows: numbered(allocChanges) });
  }

  // ---- nova.services (KVM): one nova-compute service per hypervisor, ids in order of arrival
  if (o.kind === 'kvm') {
    const order = [...o.hosts].sort((x, y) => x.added - y.added || x.index - y.index);
    const changes: Change[] = [];
    const windowsOf = new Map<number, ServiceWindow[]>();
    for (const w of a.serviceWindows) windowsOf.set(w.host, [...(windowsOf.get(w.host) ?? []), w]);
    order.forEach((h, k) => {
      const id = k + 1;
      const ws = windowsOf.get(h.index) ?? [];
      const deleted = h.retired !== null && h.retired < snap ? h.retired : null;
      const data = (t: number) => {
        const w = ws.find((x) => x.start <= t && (x.end === null || t < x.end));
        const isDeleted = deleted !== null && deleted <= t;
        return jsonObject(SERVICE_COLS, [
          fmt(h.added),
          fmt(Math.min(t, snap - 17 * SEC)),
          isDeleted ? fmt(deleted) : null,
          id,
          h.hostname,
          'nova-compute',
          'compute',
          Math.max(0, Math.floor((Math.min(t, deleted ?? t) - h.added) / (10 * SEC))),
          w?.disabled ?? 0,
          w === undefined || w.disabled === 0 ? null : 'maintenance',
          fmt(Math.min(t, deleted ?? t)),
          w?.forcedDown ?? 0,
          61,
          `${h.hostname.slice(0, 8)}-0000-4000-8000-${String(id).padStart(12, '0')}`,
        ]);
      };
      if (h.added <= T0) {
        changes.push({ id, type: 'INSERT', eventTime: h.added, by: 'backfill', changedAt: T0, data: data(T0), seq: seq++ });
        if (deleted !== null && deleted <= T0) changes.push({ id, type: 'DELETE', eventTime: deleted, by: 'backfill', changedAt: T0, data: data(T0), seq: seq++ });
      } else if (h.added < snap) changes.push({ id, type: 'INSERT', eventTime: h.added, by: 'nova@%', changedAt: h.added, data: data(h.added), seq: seq++ });
      for (const w of ws) {
        for (const t of [w.start, w.end]) {
          if (t === null || t <= T0 || t <= h.added || t >= snap) continue;
          changes.push({ id, type: 'UPDATE', eventTime: t, by: 'nova@%', changedAt: t, data: data(t), seq: seq++ });
        }
      }
    });
    out.push({ name: 'nova_services', idType: 'INT(11)', rows: numbered(changes) });
  }

  // ---- ironic.nodes (bare metal): no deleted_at, so no DELETE backfill; a node is deleted
  // physically at its retirement (nodes gone before the install left no trace)
  if (o.kind === 'baremetal') {
    const order = [...o.hosts].sort((x, y) => x.added - y.added || x.index - y.index);
    const changes: Change[] = [];
    const windowsOf = new Map<number, NodeWindow[]>();
    for (const w of a.nodeWindows) windowsOf.set(w.host, [...(windowsOf.get(w.host) ?? []), w]);
    order.forEach((h, k) => {
      const id = k + 1;
      if (h.retired !== null && h.retired <= T0) return;
      const ws = windowsOf.get(h.index) ?? [];
      const data = (t: number) => {
        const w = ws.find((x) => x.start <= t && (x.end === null || t < x.end));
        return jsonObject(IRONIC_COLS, [
          fmt(h.added),
          t === h.added ? null : fmt(Math.min(t, snap - 17 * SEC)),
          id,
          h.hostname,
          null,
          'power on',
          null,
          w?.retired === 1 ? 'available' : 'active',
          null,
          null,
          'ipmi',
          null,
          w?.maintenance ?? 0,
          fmt(h.added + HOUR),
          '{}',
          w?.maintenance === 1 ? 'hardware check' : null,
          `${h.nodeType}-${String(h.index).padStart(4, '0')}`,
          'baremetal',
          null,
          null,
          w?.retired ?? 0,
          w?.retired === 1 ? 'decommissioned' : null,
          null,
        ]);
      };
      if (h.added <= T0) changes.push({ id, type: 'INSERT', eventTime: h.added, by: 'backfill', changedAt: T0, data: data(T0), seq: seq++ });
      else if (h.added < snap) changes.push({ id, type: 'INSERT', eventTime: h.added, by: 'ironic@%', changedAt: h.added, data: data(h.added), seq: seq++ });
      for (const w of ws) {
        for (const t of [w.start, w.end]) {
          if (t === null || t <= T0 || t <= h.added || t >= snap || t === h.retired) continue;
          changes.push({ id, type: 'UPDATE', eventTime: t, by: 'ironic@%', changedAt: t, data: data(t), seq: seq++ });
        }
      }
      if (h.retired !== null && h.retired > T0 && h.retired < snap) changes.push({ id, type: 'DELETE', eventTime: h.retired, by: 'ironic@%', changedAt: h.retired, data: data(h.retired - SEC), seq: seq++ });
    });
    out.push({ name: 'ironic_nodes', idType: 'INT(11)', rows: numbered(changes) });
  }
  return out;
};
