/**
 * Rules v2, section 9, on rows the real Chameleon Blazar writes: a lease started and then deleted
 * by its user, on a host registered with its capabilities; the same rows read by the whole site
 * reader (host, capabilities, allocation). `lease_destroy` soft-deletes the lease's events and that stamps the start event's
 * `updated_at` with the deletion time; the actual start is the event's `time`, audited
 * `effective_from_schedule`.
 *
 * Runs when MariaDB (CHAMELEON_TEST_MYSQL_URL) and python3-nova (which brings the libraries
 * Blazar runs on) are there: builds Blazar's schema with its own migrations
 * (`scripts/real-services/schemas.py create --only blazar`) and plays the lease through
 * `blazar.db.api` (`__tests__/fixtures/real-services/lease_deleted_after_start.py`).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as Ei from 'fp-ts/Either';
import { emptyContext } from '../adapters/Adapter';
import { readSite } from '../adapters/readSite';
import { toEvents } from '../lib/EventTable';
import { leadTimes as leadTimesAdapter } from '../adapters/leadTimes';
import { runAdapter } from '../adapters/runner';
import { connect, siteConfig, type Source } from '../adapters/Source';
import { leadTime, leadTimes, type LeaseFact } from '../lib/LeadTime';
import * as T from '../lib/Time';
import { mysqlUrl } from './fixtures/db';

const ROOT = path.resolve(__dirname, '..');
const PY = '/usr/bin/python3';

const unavailable = (): string | undefined => {
  if (mysqlUrl() === undefined) return 'CHAMELEON_TEST_MYSQL_URL is not set';
  const p = spawnSync(PY, ['-c', 'import importlib.util as u, sys; sys.exit(0 if u.find_spec("oslo_db") and u.find_spec("pymysql") and u.find_spec("nova") else 1)']);
  return p.status === 0 ? undefined : 'python3-nova is not installed (bash scripts/real-services/setup.sh installs it)';
};

const why = unavailable();
if (why !== undefined) console.info(`lead time on rows written by the real Blazar skipped: ${why}`);

const at = (s: string): T.Millis => {
  const m = T.fromIso(s);
  if (m._tag === 'None') throw new Error(`bad date ${s}`);
  return m.value;
};

(why === undefined ? describe : describe.skip)('lead time of a lease deleted after its start, written by Chameleon Blazar', () => {
  const prefix = `rsl${process.pid}`;
  const url = mysqlUrl() ?? '';
  let src: Source;
  let ids: { lease_id: string; start_event_id: string };

  beforeAll(async () => {
    const setup = spawnSync('bash', [path.join(ROOT, 'scripts/real-services/setup.sh')], { encoding: 'utf8' });
    if (setup.status !== 0) throw new Error(`setup.sh failed: ${setup.stderr}`);
    const env = { ...process.env, PYTHONPATH: setup.stdout.trim() };
    const create = spawnSync(PY, [path.join(ROOT, 'scripts/real-services/schemas.py'), 'create', '--prefix', prefix, '--url', url, '--only', 'blazar'], { encoding: 'utf8', env });
    if (create.status !== 0) throw new Error(`schemas.py create failed: ${create.stderr}${create.stdout}`);
    const u = new URL(url);
    const sa = `mysql+pymysql://${u.username || 'root'}${u.password ? `:${u.password}` : ''}@${u.hostname}:${u.port || 3306}/${prefix}_blazar?charset=utf8`;
    const play = spawnSync(PY, [path.join(ROOT, '__tests__/fixtures/real-services/lease_deleted_after_start.py'), sa], { encoding: 'utf8', env });
    if (play.status !== 0) throw new Error(`the Blazar scenario failed: ${play.stderr}`);
    ids = JSON.parse(play.stdout.trim().split('\n').pop() as string);
    const site = siteConfig('chi_uc', { databases: { nova: `${prefix}_nova`, nova_api: `${prefix}_nova_api`, blazar: `${prefix}_blazar`, chameleon_usage: `${prefix}_chameleon_usage` } });
    const c = await connect(url, site)();
    if (Ei.isLeft(c)) throw new Error(c.left.message);
    src = c.right;
  }, 600_000);

  afterAll(async () => {
    await src?.knex.destroy();
    spawnSync(PY, [path.join(ROOT, 'scripts/real-services/schemas.py'), 'drop', '--prefix', prefix, '--url', url]);
  });

  it('finds the start event DONE, soft-deleted, its updated_at overwritten by the deletion', async () => {
    const [rows] = await src.knex.raw(`select status, time, updated_at, deleted, deleted_at from ${src.site.databases.blazar}.events where id = ?`, [ids.start_event_id]);
    expect(rows).toEqual([
      { status: 'DONE', time: '2024-03-02 00:00:00', updated_at: '2024-03-03 15:30:00', deleted: ids.start_event_id, deleted_at: '2024-03-03 15:30:00' },
    ]);
  });

  it('takes the actual start from the event time, audited effective_from_schedule', async () => {
    const r = await runAdapter(leadTimesAdapter, src, emptyContext(src.site))();
    if (Ei.isLeft(r)) throw new Error(r.left.message);
    expect(r.right.report).toMatchObject({ rows_read: 1, rows_folded: 1, rows_rejected: 0 });
    const fact = r.right.outputs[0] as LeaseFact;
    expect(fact).toMatchObject({
      lease_id: ids.lease_id,
      created_at: at('2024-03-01T10:00:00Z'),
      start_status: 'DONE',
      start_updated_at: at('2024-03-03T15:30:00Z'),
      start_time: at('2024-03-02T00:00:00Z'),
      start_deleted_at: at('2024-03-03T15:30:00Z'),
      deleted_at: at('2024-03-03T15:30:00Z'),
    });
    // 14 h between booking and start, not the 53.5 h until the deletion
    expect(leadTime(fact)).toMatchObject({ actual_start: at('2024-03-02T00:00:00Z'), effective_hours: 14, requested_hours: 14, effective_from_schedule: true });
    const report = leadTimes({ start: at('2024-01-01T00:00:00Z'), end: at('2025-01-01T00:00:00Z'), groupBy: [] })([fact]);
    expect(report.audit[0]).toMatchObject({ with_effective: 1, effective_from_schedule: 1 });
  });

  it('reads the host, its capabilities and the commitment from the same rows: reservable from registration, committed from the start to the deletion', async () => {
    const r = await readSite(src)();
    if (Ei.isLeft(r)) throw new Error(r.left.message);
    const by = Object.fromEntries(r.right.reports.map((x) => [x.source.split('.').slice(1).join('.'), x]));
    expect(by.computehosts).toMatchObject({ status: 'read', rows_read: 1, rows_folded: 1, rows_rejected: 0 });
    expect(by.computehost_allocations).toMatchObject({ status: 'read', rows_read: 1, rows_folded: 1, rows_rejected: 0 });
    expect(r.right.context.hostsById.get('1')).toMatchObject({ hypervisor_hostname: 'node-a', node_type: 'compute_skylake', gpus: 2, vcpus: 48 });
    const evs = toEvents(r.right.events).map((e) => [e.countType, e._tag, T.toIso(e.time), e.attributes.node_type, e.quantities.gpus]);
    expect(evs).toEqual([
      ['reservable', 'Create', '2024-03-01T09:00:00Z', 'compute_skylake', 2],
      ['committed', 'Create', '2024-03-02T00:00:00Z', 'compute_skylake', 2],
      ['committed', 'Delete', '2024-03-03T15:30:00Z', 'compute_skylake', 2],
    ]);
    expect(r.right.leases.map((l) => [l.lease_id, l.start_time, l.start_deleted_at])).toEqual([[ids.lease_id, at('2024-03-02T00:00:00Z'), at('2024-03-03T15:30:00Z')]]);
  });
});
