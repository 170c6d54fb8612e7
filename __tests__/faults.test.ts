/**
 * Faults and secrets against the real MariaDB (issue 9): wrong password, unknown host, unknown
 * database, SELECT revoked on one table, a connection killed mid-read, a statement over the time
 * limit; and a password given in the URL, the config or DATABASE_URL never appears in any output.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as Ei from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import { knex, type Knex } from 'knex';
import { grantsSql, PASSWORD_PLACEHOLDER } from '../cli/grants';
import { runReport } from '../cli/report';
import * as T from '../lib/Time';
import { describeMysql, mysqlUrl, openFixture, type Fixture } from './fixtures/db';
import * as rows from './fixtures/rows';
import { populate } from './fixtures/smallSite';
import { capture } from './fixtures/cli';
import { spawnCli } from './fixtures/builtCli';

const SECRET = 'Pa55-zebra-7731';


/** Every file under `dir`, recursively, as text. */
const everything = (dir: string): string =>
  fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => fs.readFileSync(path.join(d.parentPath ?? d.path, d.name), 'latin1'))
        .join('\n')
    : '';

const serverUrl = () => mysqlUrl() as string;
const withUser = (user: string, password: string) => serverUrl().replace('mysql://', `mysql://${user}:${encodeURIComponent(password)}@`).replace(/@[^@]*@/, '@');

const yaml = (fx: Fixture, db?: string) =>
  [
    'sites:',
    '  small:',
    ...(db === undefined ? [] : [`    db: ${db}`]),
    '    databases:',
    ...Object.entries(fx.src.site.databases).map(([k, v]) => `      ${k}: ${v}`),
    '',
  ].join('\n');

describeMysql('faults and secrets on MariaDB', () => {
  let fx: Fixture;
  let admin: Knex;
  let dir: string;
  const user = `cu_ro_${process.pid}`;

  beforeAll(async () => {
    fx = await openFixture('mysql');
    await populate(fx);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-faults-'));
    admin = knex({ client: 'mysql2', connection: { uri: serverUrl() } as Knex.MySqlConnectionConfig });
    // the read-only user, exactly as `grants` prints it
    const script = grantsSql({ user, host: '%', sites: [fx.src.site] });
    if (Ei.isLeft(script)) throw new Error(script.left.message);
    const stmts = script.right
      .split(PASSWORD_PLACEHOLDER)
      .join(`'${SECRET}'`)
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('--'));
    for (const s of stmts) {
      try {
        await admin.raw(s);
      } catch (e) {
        if ((e as { code?: string }).code !== 'ER_NO_SUCH_TABLE') throw e;
      }
    }
  }, 60_000);

  afterAll(async () => {
    await admin?.raw(`DROP USER IF EXISTS '${user}'@'%'`);
    await admin?.destroy();
    await fx?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const fresh = (name: string) => {
    const d = path.join(dir, name);
    fs.rmSync(d, { recursive: true, force: true });
    return d;
  };

  it('runs the full report as the read-only user from grants, with the password in the URL, and prints it nowhere', async () => {
    const config = path.join(dir, 'db-only.yaml');
    fs.writeFileSync(config, yaml(fx));
    const out = fresh('url');
    const r = await capture(['report', '--config', config, '--db', withUser(user, SECRET), '--out', out, '--start', '2024-01-01', '--end', '2024-02-01']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/small: 9\/9 sources read/);
    for (const text of [r.out, r.err, everything(out)]) expect(text).not.toContain(SECRET);
    expect(r.err).toContain(`${user}:***@`);
  });

  it('keeps the password of the config and of DATABASE_URL out of every output, failing or not', async () => {
    const withDb = path.join(dir, 'with-db.yaml');
    fs.writeFileSync(withDb, yaml(fx, withUser(user, SECRET)));
    const ok = await capture(['report', '--config', withDb, '--out', fresh('config'), '--start', '2024-01-01', '--end', '2024-02-01']);
    expect(ok.code).toBe(0);
    const bare = path.join(dir, 'bare.yaml');
    fs.writeFileSync(bare, yaml(fx));
    const env = await capture(['report', '--config', bare, '--out', fresh('env'), '--start', '2024-01-01', '--end', '2024-02-01'], { DATABASE_URL: withUser(user, SECRET) });
    expect(env.code).toBe(0);
    const badPort = withUser(user, SECRET).replace(/:(\d+)$/, ':1');
    const failing = await capture(['report', '--config', bare, '--out', fresh('fail')], { DATABASE_URL: badPort });
    expect(failing.code).toBe(3);
    const wrong = await capture(['report', '--config', bare, '--db', withUser(user, `${SECRET}x`), '--out', fresh('wrong')]);
    expect(wrong.code).toBe(3);
    expect(wrong.err).toMatch(/Access denied/);
    for (const r of [ok, env, failing, wrong]) {
      expect(r.out + r.err).not.toContain(SECRET);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
    for (const d of ['config', 'env', 'fail', 'wrong']) expect(everything(path.join(dir, d))).not.toContain(SECRET);
    expect(fs.existsSync(path.join(dir, 'fail'))).toBe(false);
  });

  it('fails fast on an unknown host and an unknown database in the URL, with exit code 3', async () => {
    const host = await capture(['report', '--db', 'mysql://root@no-such-host.invalid:3306', '--site', 'x', '--out', fresh('host')]);
    expect(host.code).toBe(3);
    expect(host.err).toMatch(/cannot connect/);
    const db = await capture(['report', '--db', `${serverUrl()}/no_such_database_here`, '--site', 'x', '--out', fresh('db')]);
    expect(db.code).toBe(3);
    expect(db.err).toMatch(/Unknown database/i);
  });

  it('goes on without a database the site config names but the server lacks, and says so', async () => {
    const config = path.join(dir, 'nodb.yaml');
    fs.writeFileSync(config, yaml(fx).replace(fx.src.site.databases.chameleon_usage, 'no_such_legacy_db'));
    const out = fresh('nodb');
    const r = await capture(['report', '--config', config, '--db', serverUrl(), '--out', out, '--start', '2024-01-01', '--end', '2024-02-01']);
    expect(r.code).toBe(0);
    const audit = JSON.parse(fs.readFileSync(path.join(out, 'data', 'audit.json'), 'utf8'));
    const legacy = audit.sources.filter((s: { source: string }) => s.source.startsWith('no_such_legacy_db.'));
    expect(legacy.map((s: { status: string }) => s.status)).toEqual(['missing_table', 'missing_table']);
  });

  it('goes on without a table whose SELECT was revoked, and the coverage report names it', async () => {
    await admin.raw(`REVOKE SELECT ON \`${fx.src.site.databases.blazar}\`.\`computehost_allocations\` FROM '${user}'@'%'`);
    try {
      const config = path.join(dir, 'revoked.yaml');
      fs.writeFileSync(config, yaml(fx));
      const out = fresh('revoked');
      const r = await capture(['report', '--config', config, '--db', withUser(user, SECRET), '--out', out, '--start', '2024-01-01', '--end', '2024-02-01']);
      expect(r.code).toBe(0);
      expect(r.err).toMatch(/computehost_allocations: no_select_grant/);
      const audit = JSON.parse(fs.readFileSync(path.join(out, 'data', 'audit.json'), 'utf8'));
      const committed = audit.coverage.find((c: { count_type: string }) => c.count_type === 'committed');
      // leases are still readable, so coverage comes from them; the source status says why there are no rows
      expect(audit.sources.find((s: { source: string }) => s.source.endsWith('.computehost_allocations')).status).toBe('no_select_grant');
      expect(committed).toBeDefined();
      const timeline = fs.readFileSync(path.join(out, 'data', 'usage_timeline.csv'), 'utf8');
      expect(timeline).not.toMatch(/,new,committed,nodes,[1-9]/);
    } finally {
      await admin.raw(`GRANT SELECT ON \`${fx.src.site.databases.blazar}\`.\`computehost_allocations\` TO '${user}'@'%'`);
    }
  });

  describe('with a large table', () => {
    let big: Fixture;
    beforeAll(async () => {
      big = await openFixture('mysql', { tables: ['nova.compute_nodes'] });
      const row = rows.computeNode({ id: 0, hypervisor_hostname: 'x', uuid: 'x' });
      const cols = Object.keys(row).filter((c) => !['id', 'hypervisor_hostname', 'uuid', 'host'].includes(c));
      const lit = (v: unknown) => (v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v)}'`);
      await big.src.knex.raw(
        `INSERT INTO ${big.tableName('nova.compute_nodes')} (id, hypervisor_hostname, uuid, host, ${cols.join(', ')}) ` +
          `SELECT seq, concat('node-', seq), concat('uuid-', seq), concat('host-', seq), ${cols.map((c) => lit(row[c])).join(', ')} FROM \`${big.src.site.databases.nova}\`.seq_1_to_300000`,
      );
    }, 120_000);
    afterAll(async () => {
      await big?.drop();
    });

    it('stops with exit code 4 and writes nothing when the connection is killed mid-read', async () => {
      const out = fresh('killed');
      const config = path.join(dir, 'big.yaml');
      fs.writeFileSync(config, yaml(big));
      let killed = false;
      const killer = (async () => {
        for (let i = 0; i < 2000 && !killed; i++) {
          const [list] = (await admin.raw(
            `SELECT id FROM information_schema.processlist WHERE info LIKE ? AND id <> CONNECTION_ID()`,
            [`%${big.src.site.databases.nova}%compute_nodes%order by%`],
          )) as unknown as [Array<{ id: number }>];
          if (list.length > 0) {
            await admin.raw(`KILL CONNECTION ${Number(list[0].id)}`);
            killed = true;
          } else await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const r = await capture(['report', '--config', config, '--db', serverUrl(), '--out', out]);
      await killer;
      expect(killed).toBe(true);
      expect(r.code).toBe(4);
      expect(r.err).toMatch(/query failed/);
      expect(fs.existsSync(out)).toBe(false);
    }, 120_000);

    it('stops with exit code 4 and writes nothing past --query-timeout, and refuses a bad limit', async () => {
      const out = fresh('timeout-cli');
      const config = path.join(dir, 'big-timeout.yaml');
      fs.writeFileSync(config, yaml(big));
      const r = await capture(['report', '--config', config, '--db', serverUrl(), '--out', out, '--query-timeout', '0.02']);
      expect(r.code).toBe(4);
      expect(r.err).toMatch(/time limit \(--query-timeout\)/);
      expect(fs.existsSync(out)).toBe(false);
      expect((await capture(['report', '--config', config, '--db', serverUrl(), '--query-timeout', 'soon'])).code).toBe(2);
    }, 120_000);

    it('stops with a query failure naming the time limit when a statement runs too long', async () => {
      const out = fresh('timeout');
      const r = await runReport({
        targets: [{ site: big.src.site, url: serverUrl() }],
        out,
        start: T.unsafeMillis(Date.UTC(2016, 0, 1)),
        end: T.unsafeMillis(Date.UTC(2026, 0, 1)),
        groupBy: [],
        valueTypes: ['nodes'],
        resample: O.none,
        facts: false,
        queryTimeoutMs: 20,
        log: () => undefined,
      })();
      expect(Ei.isLeft(r) && r.left._tag).toBe('QueryFailure');
      expect(Ei.isLeft(r) && r.left.message).toMatch(/time limit/);
      expect(fs.existsSync(out)).toBe(false);
    }, 120_000);

    // last in this block: it drops the large table
    it('ends cleanly when the table is dropped mid-read: the read finishes or fails with exit code 4, and a failure writes nothing', async () => {
      const out = fresh('dropped');
      const config = path.join(dir, 'big-drop.yaml');
      fs.writeFileSync(config, yaml(big));
      let dropped = false;
      const dropper = (async () => {
        for (let i = 0; i < 2000 && !dropped; i++) {
          const [list] = (await admin.raw(`SELECT id FROM information_schema.processlist WHERE info LIKE ? AND id <> CONNECTION_ID()`, [
            `%${big.src.site.databases.nova}%compute_nodes%order by%`,
          ])) as unknown as [Array<{ id: number }>];
          if (list.length > 0) {
            // waits for the running read's metadata lock, then drops the table under the next statements
            await admin.raw(`DROP TABLE \`${big.src.site.databases.nova}\`.\`compute_nodes\``);
            dropped = true;
          } else await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const r = await spawnCli(['report', '--config', config, '--db', serverUrl(), '--out', out, '--no-plots'], { cwd: dir, limitMs: 120_000 });
      await dropper;
      expect(dropped).toBe(true);
      expect(r.hung).toBe(false);
      expect([0, 4]).toContain(r.code);
      expect(r.err).not.toMatch(/\n\s+at |unexpected error/);
      if (r.code === 0) expect(fs.readdirSync(path.join(out, 'data'))).toEqual(expect.arrayContaining(['audit.json', 'usage_timeline.csv', 'usage_daily.csv']));
      else {
        expect(r.err).toMatch(/^chameleon-usage: query failed on /m);
        expect(fs.existsSync(out)).toBe(false);
      }
    }, 180_000);
  });
});

/**
 * The server stopped mid-read. Never the shared server (other test runs use it): a private
 * mariadbd with its own data folder and port, started for this test and killed (SIGKILL) while
 * report reads a 300 000-row table. Skipped, with one line, where mariadbd is not installed.
 */
const mariadbd = ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'].find((f) => fs.existsSync(f));
const installDb = ['/usr/bin/mariadb-install-db', '/usr/bin/mysql_install_db'].find((f) => fs.existsSync(f));

describeMysql('a private MariaDB server stopped mid-read', () => {
  let server: ChildProcess | undefined;
  let base: string;
  let url: string;
  let big: Fixture | undefined;
  const ready = mariadbd !== undefined && installDb !== undefined;

  beforeAll(async () => {
    if (!ready) return;
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-private-db-'));
    execFileSync(installDb as string, ['--no-defaults', `--datadir=${path.join(base, 'data')}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--user=root'], { stdio: 'ignore' });
    const port = await freePort();
    url = `mysql://root@127.0.0.1:${port}`;
    server = spawn(
      mariadbd as string,
      ['--no-defaults', `--datadir=${path.join(base, 'data')}`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${path.join(base, 'sock')}`, `--pid-file=${path.join(base, 'pid')}`, '--user=root', '--skip-log-bin', '--innodb-buffer-pool-size=32M'],
      { stdio: 'ignore' },
    );
    const probe = knex({ client: 'mysql2', connection: { uri: url } as Knex.MySqlConnectionConfig, pool: { min: 0, max: 1 } });
    try {
      for (let i = 0; ; i++) {
        try {
          await probe.raw('select 1');
          break;
        } catch (e) {
          if (i > 120) throw e;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    } finally {
      await probe.destroy();
    }
    const saved = process.env.CHAMELEON_TEST_MYSQL_URL;
    process.env.CHAMELEON_TEST_MYSQL_URL = url;
    try {
      big = await openFixture('mysql', { tables: ['nova.compute_nodes'] });
    } finally {
      process.env.CHAMELEON_TEST_MYSQL_URL = saved;
    }
    const row = rows.computeNode({ id: 0, hypervisor_hostname: 'x', uuid: 'x' });
    const cols = Object.keys(row).filter((c) => !['id', 'hypervisor_hostname', 'uuid', 'host'].includes(c));
    const lit = (v: unknown) => (v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v)}'`);
    await big.src.knex.raw(
      `INSERT INTO ${big.tableName('nova.compute_nodes')} (id, hypervisor_hostname, uuid, host, ${cols.join(', ')}) ` +
        `SELECT seq, concat('node-', seq), concat('uuid-', seq), concat('host-', seq), ${cols.map((c) => lit(row[c])).join(', ')} FROM \`${big.src.site.databases.nova}\`.seq_1_to_300000`,
    );
    await big.src.knex.destroy();
  }, 180_000);

  afterAll(() => {
    server?.kill('SIGKILL');
    if (base !== undefined) fs.rmSync(base, { recursive: true, force: true });
  });

  (ready ? it : it.skip)('ends with exit code 4 (or 3), one clear line and nothing written when the server dies mid-read', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-private-run-'));
    try {
      const config = path.join(work, 'sites.yaml');
      fs.writeFileSync(config, yaml(big as Fixture));
      const out = path.join(work, 'out');
      let killed = false;
      const r = await spawnCli(['report', '--config', config, '--db', url, '--out', out, '--no-plots'], {
        cwd: work,
        limitMs: 120_000,
        // the big table's read has begun: kill the server under it
        onStderr: (text) => {
          if (!killed && text.includes('reading')) {
            killed = true;
            setTimeout(() => server?.kill('SIGKILL'), 300);
          }
        },
      });
      expect(killed).toBe(true);
      expect(r.hung).toBe(false);
      expect([3, 4]).toContain(r.code);
      expect(r.err).toMatch(/^chameleon-usage: (query failed on |cannot connect: )/m);
      expect(r.err).not.toMatch(/\n\s+at |unexpected error/);
      expect(fs.existsSync(out)).toBe(false);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 180_000);
  if (!ready) it('is skipped: mariadbd or mariadb-install-db is not installed', () => undefined);
});

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
