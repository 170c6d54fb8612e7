/**
 * Issue 15 on real writes: the audit tables and triggers of chi-in-a-box's `audit_tables` role
 * (openstack-audit.md sections 2.1, 4.1, 4.3; rendered by `__tests__/real-services/audit.py`) are
 * installed on the schemas the real Nova and Chameleon Blazar migrations build, scenario
 * `s19_audit_tables` changes rows through the services' own APIs (Blazar's `host_update`,
 * `host_destroy`, leases; Nova's `Service.save`) and by hand (purges), and MariaDB's triggers write
 * the audit rows. This test checks those rows with SQL only (no code of the project reads them):
 * the v3 DDL, the backfill (state at the install, `'backfill'`, times), one trigger row per change
 * of a watched column and none for the others, the purges' DELETE rows with the last state, the
 * times following the scenario's clock (`SET timestamp` in the services' sessions), and the role's
 * disable step dropping the triggers but keeping the rows.
 *
 * The comparison of `report` with the scenario's truth (the usable split, total_unusable, hard
 * deletes) is in `__tests__/real-services/scenarios.test.ts`, which plays every scenario, s19
 * included.
 *
 * Runs when MariaDB (CHAMELEON_TEST_MYSQL_URL) and python3-nova are there.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { knex, type Knex } from 'knex';
import { mysqlUrl } from './fixtures/db';

const ROOT = path.resolve(__dirname, '..');
const PY = '/usr/bin/python3';

const unavailable = (): string | undefined => {
  if (mysqlUrl() === undefined) return 'CHAMELEON_TEST_MYSQL_URL is not set';
  const p = spawnSync(PY, ['-c', 'import importlib.util as u, sys; sys.exit(0 if u.find_spec("oslo_db") and u.find_spec("pymysql") and u.find_spec("nova") else 1)']);
  return p.status === 0 ? undefined : 'python3-nova is not installed (bash scripts/real-services/setup.sh installs it)';
};

const why = unavailable();
if (why !== undefined) console.info(`audit tables on real writes skipped: ${why}`);

type Row = { audit_id: number; id: string; audit_event_type: string; t: string; audit_changed_by: string; c: string; data: string };

(why === undefined ? describe : describe.skip)('audit tables written by MariaDB triggers on the real services', () => {
  const prefix = `rsa${process.pid}`;
  const url = mysqlUrl() ?? '';
  let k: Knex;
  let truth: { rows_read: Record<string, number> };

  const rows = async (table: string): Promise<Row[]> => {
    const [r] = (await k.raw(
      `SELECT audit_id, CAST(id AS CHAR) id, audit_event_type, DATE_FORMAT(audit_event_time, '%Y-%m-%d %H:%i:%s') t, audit_changed_by, DATE_FORMAT(audit_changed_at, '%Y-%m-%d %H:%i:%s') c, CAST(data AS CHAR) data FROM \`${prefix}_openstack_audit\`.\`audit_${table}\` ORDER BY audit_id`,
    )) as [Row[]];
    return r;
  };
  /** (type, who, event time, changed at, picked data fields) per row; who is 'backfill' or 'trigger'. */
  const shape = (rs: Row[], fields: ReadonlyArray<string>) =>
    rs.map((r) => {
      const d = JSON.parse(r.data) as Record<string, unknown>;
      return [r.audit_event_type, r.audit_changed_by === 'backfill' ? 'backfill' : 'trigger', r.t, r.c, ...fields.map((f) => d[f])];
    });

  beforeAll(async () => {
    const setup = spawnSync('bash', [path.join(ROOT, 'scripts/real-services/setup.sh')], { encoding: 'utf8' });
    if (setup.status !== 0) throw new Error(`setup.sh failed: ${setup.stderr}`);
    const blazar = setup.stdout.trim();
    const create = spawnSync(PY, [path.join(ROOT, 'scripts/real-services/schemas.py'), 'create', '--prefix', prefix, '--url', url], { encoding: 'utf8' });
    if (create.status !== 0) throw new Error(`schemas.py create failed: ${create.stderr}${create.stdout}`);
    const sa = url.replace(/^mysql:/, 'mysql+pymysql:').replace(/\/+$/, '');
    const play = spawnSync(PY, [path.join(ROOT, '__tests__/real-services/driver.py'), 'play', 's19_audit_tables', '--prefix', prefix, '--url', sa, '--blazar', blazar], { encoding: 'utf8' });
    if (play.status !== 0) throw new Error(`s19_audit_tables failed: ${play.stderr}`);
    truth = JSON.parse(play.stdout.trim().split('\n').pop() as string);
    const u = new URL(url);
    k = knex({ client: 'mysql2', connection: { host: u.hostname, port: Number(u.port || 3306), user: u.username || 'root', password: u.password }, pool: { min: 0, max: 1 } });
  }, 600_000);

  afterAll(async () => {
    if (k !== undefined) {
      for (const db of ['nova', 'nova_api', 'blazar', 'openstack_audit']) await k.raw(`DROP DATABASE IF EXISTS \`${prefix}_${db}\``);
      await k.destroy();
    }
  });

  it('creates the generic v3 tables (columns, types, defaults, indexes)', async () => {
    const [r] = (await k.raw(`SHOW CREATE TABLE \`${prefix}_openstack_audit\`.audit_blazar_computehosts`)) as [Array<Record<string, string>>];
    const ddl = r[0]['Create Table'];
    for (const part of [
      '`audit_id` int(11) NOT NULL AUTO_INCREMENT',
      '`id` varchar(36) DEFAULT NULL',
      "`audit_event_type` enum('INSERT','UPDATE','DELETE') DEFAULT NULL",
      '`audit_event_time` datetime DEFAULT current_timestamp()',
      '`audit_changed_by` varchar(255) DEFAULT NULL',
      '`audit_changed_at` datetime DEFAULT current_timestamp()',
      '`data` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL CHECK (json_valid(`data`))',
      'PRIMARY KEY (`audit_id`)',
      'KEY `idx_id_event_time` (`id`,`audit_event_time`)',
      'KEY `idx_id_event_type` (`id`,`audit_event_type`)',
      'KEY `idx_changed_at` (`audit_changed_at`)',
    ])
      expect(ddl).toContain(part);
    const [n] = (await k.raw(`SHOW CREATE TABLE \`${prefix}_openstack_audit\`.audit_nova_services`)) as [Array<Record<string, string>>];
    expect(n[0]['Create Table']).toContain('`id` int(11) DEFAULT NULL');
  });

  it('holds the rows the scenario declares (checked against the databases by the driver too)', async () => {
    for (const t of ['blazar_computehosts', 'nova_services', 'blazar_leases', 'blazar_reservations', 'blazar_computehost_allocations'])
      expect((await rows(t)).length).toBe(truth.rows_read[`openstack_audit.audit_${t}`]);
  });

  it('blazar hosts: the backfill state at the install, a row per reservable/disabled change at the clock, the purge with the last state', async () => {
    const rs = await rows('blazar_computehosts');
    const byName = (name: string) => rs.filter((r) => (JSON.parse(r.data) as { hypervisor_hostname: string }).hypervisor_hostname === name);
    const F = ['reservable', 'disabled', 'deleted_at'];
    expect(shape(byName('bm-1'), F)).toEqual([
      ['INSERT', 'backfill', '2026-04-01 00:00:00', '2026-04-03 00:00:00', 1, 0, null],
      ['UPDATE', 'trigger', '2026-04-05 00:00:00', '2026-04-05 00:00:00', 0, 0, null],
      ['UPDATE', 'trigger', '2026-04-06 00:00:00', '2026-04-06 00:00:00', 1, 0, null],
    ]);
    // disabled before the install: only the backfill's state tells (as if disabled since created_at)
    expect(shape(byName('bm-2'), F)).toEqual([
      ['INSERT', 'backfill', '2026-04-01 00:00:00', '2026-04-03 00:00:00', 1, 1, null],
      ['UPDATE', 'trigger', '2026-04-04 00:00:00', '2026-04-04 00:00:00', 1, 0, null],
    ]);
    // host_destroy is a soft delete of unwatched columns: no row; the purge writes the last state
    expect(shape(byName('bm-3'), F)).toEqual([
      ['INSERT', 'backfill', '2026-04-01 00:00:00', '2026-04-03 00:00:00', 1, 0, null],
      ['DELETE', 'trigger', '2026-04-08 00:00:00', '2026-04-08 00:00:00', 1, 0, '2026-04-07 00:00:00'],
    ]);
    const [gone] = (await k.raw(`SELECT COUNT(*) n FROM \`${prefix}_blazar\`.computehosts WHERE hypervisor_hostname = 'bm-3'`)) as [Array<{ n: number }>];
    expect(gone[0].n).toBe(0);
    // data as JSON_OBJECT writes it: the facts' keys, in order
    expect(Object.keys(JSON.parse(rs[0].data) as object)).toEqual(['id', 'hypervisor_hostname', 'vcpus', 'memory_mb', 'local_gb', 'status', 'reservable', 'disabled', 'created_at', 'deleted_at']);
    // trigger rows name the writing session's user
    for (const r of rs) expect(r.audit_changed_by).toMatch(/^(backfill|root@.+)$/);
  });

  it('nova services: disabled (backfilled), enabled, forced down and back, each at the clock', async () => {
    expect(shape(await rows('nova_services'), ['disabled', 'disabled_reason', 'forced_down'])).toEqual([
      ['INSERT', 'backfill', '2026-04-01 00:00:00', '2026-04-03 00:00:00', 1, 'disk replacement', 0],
      ['UPDATE', 'trigger', '2026-04-03 12:00:00', '2026-04-03 12:00:00', 0, null, 0],
      ['UPDATE', 'trigger', '2026-04-08 00:00:00', '2026-04-08 00:00:00', 0, null, 1],
      ['UPDATE', 'trigger', '2026-04-09 00:00:00', '2026-04-09 00:00:00', 0, null, 0],
    ]);
  });

  it('leases, reservations, allocations: status changes write nothing, soft deletes and the purge do', async () => {
    expect(shape(await rows('blazar_leases'), ['name', 'deleted'])).toEqual([
      ['INSERT', 'backfill', '2026-04-02 06:00:00', '2026-04-03 00:00:00', 'maintenance-bm-2', null],
      ['INSERT', 'trigger', '2026-04-03 01:00:00', '2026-04-03 01:00:00', 'maintenance-bm-3', null],
      ['INSERT', 'trigger', '2026-04-04 00:00:00', '2026-04-04 00:00:00', 'experiment', null],
      ['DELETE', 'trigger', '2026-04-05 00:30:00', '2026-04-05 00:30:00', 'maintenance-bm-3', null],
    ]);
    expect(shape(await rows('blazar_reservations'), ['status']).map((r) => r.slice(0, 5))).toEqual([
      ['INSERT', 'backfill', '2026-04-02 06:00:00', '2026-04-03 00:00:00', 'pending'],
      ['INSERT', 'trigger', '2026-04-03 01:00:00', '2026-04-03 01:00:00', 'pending'],
      ['INSERT', 'trigger', '2026-04-04 00:00:00', '2026-04-04 00:00:00', 'pending'],
      ['DELETE', 'trigger', '2026-04-05 00:30:00', '2026-04-05 00:30:00', 'deleted'],
    ]);
    expect(shape(await rows('blazar_computehost_allocations'), ['deleted_at'])).toEqual([
      ['INSERT', 'backfill', '2026-04-02 06:00:00', '2026-04-03 00:00:00', null],
      ['INSERT', 'trigger', '2026-04-03 01:00:00', '2026-04-03 01:00:00', null],
      ['UPDATE', 'trigger', '2026-04-03 06:00:05', '2026-04-03 06:00:05', '2026-04-03 06:00:05'],
      ['UPDATE', 'trigger', '2026-04-03 18:00:05', '2026-04-03 18:00:05', '2026-04-03 18:00:05'],
      ['INSERT', 'trigger', '2026-04-04 00:00:00', '2026-04-04 00:00:00', null],
      ['DELETE', 'trigger', '2026-04-05 00:30:00', '2026-04-05 00:30:00', '2026-04-03 06:00:05'],
      ['UPDATE', 'trigger', '2026-04-05 12:00:05', '2026-04-05 12:00:05', '2026-04-05 12:00:05'],
    ]);
  });

  it('the disable step drops the triggers and keeps the audit rows', async () => {
    const [t] = (await k.raw(`SELECT COUNT(*) n FROM information_schema.triggers WHERE trigger_schema IN ('${prefix}_blazar', '${prefix}_nova')`)) as [Array<{ n: number }>];
    expect(t[0].n).toBe(0);
    expect((await rows('blazar_computehosts')).length).toBeGreaterThan(0);
  });
});
