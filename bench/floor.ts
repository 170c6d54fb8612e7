/**
 * The floor of our input: how long better-sqlite3 takes only to step the rows and columns that
 * `report` reads from a SQLite snapshot, as raw arrays (no row objects, no decoding, no folding,
 * no output), one thread. Whatever `report` does costs at least this; docs/peer-comparison.md
 * compares it with the reference pipeline's whole run.
 *
 * `tsc -p bench/tsconfig.json && node dist-bench/bench/floor.js SNAPSHOT.sqlite [...] [--runs N]`
 * prints per snapshot the best of N runs (default 3): the total and each query.
 */
import Database from 'better-sqlite3';

/** The reads of `report`, by the columns it selects (adapters/*.ts). */
const QUERIES: ReadonlyArray<readonly [string, string]> = [
  [
    'instances + request_specs',
    'select i.id, i.uuid, i.created_at, i.launched_at, i.terminated_at, i.deleted_at, i.node, i.vcpus, i.memory_mb, i.root_gb, i.project_id, i.power_state, rs.spec from nova__instances i left join nova_api__request_specs rs on rs.instance_uuid = i.uuid',
  ],
  ['shadow_instances', 'select id, uuid, created_at, launched_at, terminated_at, deleted_at, node, vcpus, memory_mb, root_gb, project_id, power_state from nova__shadow_instances'],
  ['instance_actions', 'select id, instance_uuid from nova__instance_actions'],
  ['instance_actions_events', "select action_id, id, event, result, start_time, host from nova__instance_actions_events where substr(event, 1, 8) = 'compute_'"],
  ['shadow_instance_actions', 'select id, instance_uuid from nova__shadow_instance_actions'],
  ['shadow_instance_actions_events', "select action_id, id, event, result, start_time, host from nova__shadow_instance_actions_events where substr(event, 1, 8) = 'compute_'"],
  ['compute_nodes', 'select * from nova__compute_nodes'],
  ['leases', 'select id, name, project_id, created_at, start_date, end_date, deleted_at, updated_at from blazar__leases'],
  ['start_lease events', "select id, lease_id, status, updated_at, time, deleted, deleted_at from blazar__events where event_type = 'start_lease'"],
  ['reservations', 'select id, lease_id, resource_type, resource_id from blazar__reservations'],
  ['computehost_allocations', 'select id, reservation_id, compute_host_id from blazar__computehost_allocations'],
  ['audit of leases', 'select audit_id, id, audit_event_type, audit_changed_at, data from openstack_audit__audit_blazar_leases where rowid in (select a.rowid from openstack_audit__audit_blazar_leases a where not exists (select 1 from blazar__leases s where s.id = a.id))'],
  ['audit of reservations', 'select audit_id, id, audit_event_type, audit_changed_at, data from openstack_audit__audit_blazar_reservations where rowid in (select a.rowid from openstack_audit__audit_blazar_reservations a where not exists (select 1 from blazar__reservations s where s.id = a.id))'],
  [
    'audit of allocations',
    'select audit_id, id, audit_event_type, audit_changed_at, data from openstack_audit__audit_blazar_computehost_allocations where rowid in (select a.rowid from openstack_audit__audit_blazar_computehost_allocations a where not exists (select 1 from blazar__computehost_allocations s where s.id = a.id))',
  ],
  ['legacy caches', 'select * from chameleon_usage__node_usage_report_cache union all select date, node_type, cnt, null, null, null, null from chameleon_usage__node_count_cache'],
];

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt < 0 ? 3 : Number(args[runsAt + 1]);
const files = args.filter((_, i) => runsAt < 0 || (i !== runsAt && i !== runsAt + 1));
if (files.length === 0 || !(runs >= 1)) {
  process.stderr.write('usage: node dist-bench/bench/floor.js SNAPSHOT.sqlite [...] [--runs N]\n');
  process.exit(2);
}

for (const file of files) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  let best: { total: number; rows: number; per: string[] } | undefined;
  for (let r = 0; r < runs; r++) {
    const per: string[] = [];
    let total = 0;
    let rows = 0;
    for (const [name, sql] of QUERIES) {
      let st: Database.Statement;
      try {
        st = db.prepare(sql);
      } catch {
        per.push(`${name} absent`);
        continue;
      }
      st.raw(true);
      const t0 = process.hrtime.bigint();
      let n = 0;
      for (const _ of st.iterate()) n++;
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      total += s;
      rows += n;
      per.push(`${name} ${s.toFixed(2)} s (${n} rows)`);
    }
    if (best === undefined || total < best.total) best = { total, rows, per };
  }
  db.close();
  if (best !== undefined) process.stdout.write(`${file}: ${best.total.toFixed(2)} s for ${best.rows} rows (best of ${runs})\n  ${best.per.join('\n  ')}\n`);
}
