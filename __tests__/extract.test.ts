import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import * as E from 'fp-ts/Either';
import { readSite, type SiteRead } from '../adapters/readSite';
import { toEvents } from '../lib/EventTable';
import { tablesRead } from '../adapters/registry';
import { connect, logicalDbs, siteConfig, type Source } from '../adapters/Source';
import { createTableSql, extract, snapshotName, sqliteType, type ExtractReport } from '../cli/extract';
import { describeMysql, mysqlUrl, openFixture, type Fixture } from './fixtures/db';
import { tableKeys } from './fixtures/ddl';
import * as rows from './fixtures/rows';
import { populate } from './fixtures/smallSite';

const tmpDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'chameleon-extract-'));

const run = async (src: Source, out: string, batchSize?: number): Promise<ExtractReport> => {
  const r = await extract({ src, out, batchSize })();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

const read = async (src: Source): Promise<SiteRead> => {
  const r = await readSite(src)();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

/** A value with the fixture's real database names replaced by the logical ones (`x_nova.t` -> `nova.t`). */
const logical = (fx: Fixture, value: unknown): unknown => {
  let s = JSON.stringify(value);
  const real = logicalDbs.map((db) => [fx.src.site.databases[db], db] as const).sort((a, b) => b[0].length - a[0].length);
  for (const [from, to] of real) s = s.split(`${from}.`).join(`${to}.`);
  return JSON.parse(s);
};

describe('the snapshot table layout', () => {
  it('maps MySQL types to SQLite types that keep values exact', () => {
    expect(['tinyint', 'int', 'bigint'].map(sqliteType)).toEqual(['INTEGER', 'INTEGER', 'INTEGER']);
    expect(['float', 'double'].map(sqliteType)).toEqual(['REAL', 'REAL']);
    expect(['decimal', 'varchar', 'mediumtext', 'json', 'enum', 'datetime', 'date', 'timestamp'].map(sqliteType)).toEqual(Array(8).fill('TEXT'));
    expect(['blob', 'varbinary', 'geometry'].map(sqliteType)).toEqual(['BLOB', 'BLOB', 'BLOB']);
  });

  it('keeps NOT NULL and the primary key and folds case where MySQL does', () => {
    const sql = createTableSql(
      'blazar__leases',
      [
        { name: 'id', dataType: 'varchar', nullable: false, collation: 'utf8mb4_general_ci' },
        { name: 'na"me', dataType: 'varchar', nullable: true, collation: 'utf8mb4_bin' },
        { name: 'n', dataType: 'int', nullable: true, collation: null },
      ],
      ['id'],
    );
    expect(sql).toBe('CREATE TABLE "blazar__leases" ("id" TEXT NOT NULL COLLATE NOCASE, "na""me" TEXT, "n" INTEGER, PRIMARY KEY ("id"))');
  });

  it('names snapshot tables as SQLite sources expect', () => {
    expect(snapshotName({ db: 'nova_api', table: 'request_specs' })).toBe('nova_api__request_specs');
  });

  it('refuses a SQLite source', async () => {
    const fx = await openFixture('sqlite', { tables: ['nova.compute_nodes'] });
    try {
      const r = await extract({ src: fx.src, out: path.join(tmpDir(), 's.sqlite') })();
      expect(E.isLeft(r) && r.left._tag).toBe('ConfigFailure');
    } finally {
      await fx.drop();
    }
  });
});

describeMysql('extract from MariaDB', () => {
  it('gives a snapshot that readSite reads exactly as it reads MySQL', async () => {
    const fx = await openFixture('mysql');
    const dir = tmpDir();
    const out = path.join(dir, 'sub', 'snapshot.sqlite');
    try {
      await populate(fx);
      // Values that only survive an exact copy: a zero date, a DATETIME with seconds, a big BIGINT.
      await fx.insert('nova.compute_nodes', [
        rows.computeNode({ id: 10, hypervisor_hostname: 'node-z', hypervisor_type: 'ironic', created_at: '0000-00-00 00:00:00' }),
        rows.computeNode({ id: 11, hypervisor_hostname: 'node-s', hypervisor_type: 'ironic', created_at: '2024-01-03 04:05:06', deleted_at: '2024-01-09 07:08:09' }),
      ]);
      // instances.compute_id (BIGINT) is Nova 2023.2's; the fixture has Zed's real schema, so add it
      await fx.src.knex.raw(`alter table \`${fx.src.site.databases.nova}\`.instances add column compute_id bigint null`);
      await fx.insert('nova.instances', [
        rows.instance({ uuid: rows.uuid(), node: 'node-s', created_at: '2024-01-04 00:00:00', launched_at: '2024-01-04 00:00:01', compute_id: '9007199254740993' }),
      ]);
      // More rows than one batch, so batching is exercised.
      await fx.insert(
        'blazar.computehost_allocations',
        Array.from({ length: 25 }, () => rows.allocation({ compute_host_id: '1', reservation_id: rows.uuid() })),
      );

      const report = await run(fx.src, out, 7);
      expect(report.tables.map((t) => t.table)).toEqual(tablesRead.map((r) => `${r.db}.${r.table}`));
      const byTable = Object.fromEntries(report.tables.map((t) => [t.table, t]));
      expect(byTable['nova.compute_nodes']).toMatchObject({ status: 'copied', rows: 5, target: 'nova__compute_nodes' });
      expect(byTable['blazar.computehost_allocations']).toMatchObject({ status: 'copied', rows: 28 });
      expect(byTable['nova.shadow_instances']).toMatchObject({ status: 'copied', rows: 0 });
      // The fixture has the resource_properties layout: the other layout's table is absent.
      expect(byTable['blazar.extra_capabilities']).toMatchObject({ status: 'missing', rows: 0 });
      expect(fs.readdirSync(path.dirname(out))).toEqual(['snapshot.sqlite']);

      const snap = await connect(`sqlite:${out}`, siteConfig(fx.src.site.site, { operatorProjects: fx.src.site.operatorProjects }))();
      if (E.isLeft(snap)) throw new Error(snap.left.message);
      try {
        const [mine, theirs] = [await read(snap.right), await read(fx.src)];
        expect(theirs.events.length).toBeGreaterThan(0);
        expect(theirs.rejections.length).toBeGreaterThan(0);
        expect(toEvents(mine.events)).toEqual(logical(fx, toEvents(theirs.events)));
        expect(mine.legacy).toEqual(logical(fx, theirs.legacy));
        expect(mine.rejections.map((r) => r.reason)).toEqual(theirs.rejections.map((r) => r.reason));
        expect(JSON.parse(JSON.stringify(mine.rejections))).toEqual(logical(fx, theirs.rejections));
        expect(JSON.parse(JSON.stringify(mine.reports))).toEqual(logical(fx, theirs.reports));
        expect(mine.warnings).toEqual(logical(fx, theirs.warnings));
      } finally {
        await snap.right.knex.destroy();
      }

      // Exact values: the zero date and the BIGINT beyond 2^53 are stored as MySQL gave them.
      const db = new Database(out, { readonly: true });
      try {
        expect(db.prepare('select created_at from nova__compute_nodes where id = 10').pluck().get()).toBe('0000-00-00 00:00:00');
        const big = db.prepare("select compute_id from nova__instances where node = 'node-s'").safeIntegers(true).pluck().get();
        expect(String(big)).toBe('9007199254740993');
        const tables = db.prepare("select name from sqlite_master where type = 'table' order by name").pluck().all();
        expect(tables).toEqual(report.tables.filter((t) => t.status === 'copied').map((t) => t.target).sort());
      } finally {
        db.close();
      }
    } finally {
      await fx.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('reports tables without a SELECT grant as denied and copies the others', async () => {
    const fx = await openFixture('mysql', { tables: tableKeys.filter((k) => k !== 'blazar.extra_capabilities') });
    const user = `cu_extract_${process.pid}`;
    const dir = tmpDir();
    try {
      await populate(fx);
      await fx.src.knex.raw(`CREATE USER '${user}'@'%' IDENTIFIED BY 'pw-2'`);
      await fx.src.knex.raw(`GRANT SELECT ON ${fx.tableName('nova.compute_nodes')} TO '${user}'@'%'`);
      const u = new URL(mysqlUrl() as string);
      const limited = await connect(`mysql://${user}:pw-2@${u.hostname}:${u.port || '3306'}`, fx.src.site)();
      if (E.isLeft(limited)) throw new Error(limited.left.message);
      try {
        const report = await run(limited.right, path.join(dir, 's.sqlite'));
        const status = Object.fromEntries(report.tables.map((t) => [t.table, t.status]));
        expect(status['nova.compute_nodes']).toBe('copied');
        expect(status['blazar.leases']).toBe('denied');
        expect(report.tables.filter((t) => t.status === 'copied')).toHaveLength(1);
      } finally {
        await limited.right.knex.destroy();
      }
    } finally {
      await fx.src.knex.raw(`DROP USER IF EXISTS '${user}'@'%'`);
      await fx.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('leaves the previous snapshot untouched and no temporary file when a table fails mid-run', async () => {
    const fx = await openFixture('mysql', { tables: tableKeys.filter((k) => k !== 'nova.compute_nodes' && k !== 'blazar.extra_capabilities') });
    const dir = tmpDir();
    const out = path.join(dir, 'snapshot.sqlite');
    try {
      await fx.insert('blazar.leases', [rows.lease({})]);
      const nova = fx.src.site.databases.nova;
      // A view over a dropped table: selecting from it fails with an error that is neither
      // "missing" nor "denied", after the blazar tables were already copied.
      await fx.src.knex.raw(`CREATE TABLE \`${nova}\`.gone (id int)`);
      await fx.src.knex.raw(`CREATE VIEW \`${nova}\`.compute_nodes AS SELECT id FROM \`${nova}\`.gone`);
      await fx.src.knex.raw(`DROP TABLE \`${nova}\`.gone`);
      fs.writeFileSync(out, 'previous snapshot');
      const r = await extract({ src: fx.src, out })();
      expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'QueryFailure', source: `${nova}.compute_nodes` });
      expect(fs.readFileSync(out, 'utf8')).toBe('previous snapshot');
      expect(fs.readdirSync(dir)).toEqual(['snapshot.sqlite']);
    } finally {
      await fx.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
