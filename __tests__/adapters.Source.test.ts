import * as Ei from 'fp-ts/Either';
import { connect, knexConfig, redact, siteConfig, streamRows, tableName } from '../adapters/Source';
import { describeBoth, openFixture } from './fixtures/db';
import * as rows from './fixtures/rows';

describe('Source', () => {
  it('redacts the password of a database URL', () => {
    expect(redact('mysql://reader:s3cr%40t@db.example.org:3306/nova')).toBe('mysql://reader:***@db.example.org:3306/nova');
    expect(redact('sqlite:snap.sqlite')).toBe('sqlite:snap.sqlite');
  });

  it('names tables per dialect', () => {
    const site = siteConfig('chi_uc', { databases: { nova: 'nova_cell1', nova_api: 'nova_api', blazar: 'blazar', chameleon_usage: 'chameleon_usage' } });
    expect(tableName({ dialect: 'mysql', site })({ db: 'nova', table: 'instances' })).toBe('nova_cell1.instances');
    expect(tableName({ dialect: 'sqlite', site })({ db: 'nova', table: 'instances' })).toBe('nova__instances');
  });

  it('refuses a URL it cannot use, without echoing the password', async () => {
    const bad = await knexConfig('postgres://u:hunter2@h/db')();
    expect(Ei.isLeft(bad) && bad.left.message).toMatch(/unsupported database URL scheme/);
    const junk = await knexConfig('mysql//u:hunter2@')();
    expect(Ei.isLeft(junk) && junk.left.message).not.toMatch(/hunter2/);
  });

  it('fails to connect to a closed port with a ConnectionFailure that hides the password', async () => {
    const r = await connect('mysql://root:hunter2@127.0.0.1:1', siteConfig('x'))();
    expect(Ei.isLeft(r) && r.left._tag).toBe('ConnectionFailure');
    expect(Ei.isLeft(r) && r.left.message).not.toMatch(/hunter2/);
  });
});

describeBoth('streamRows', (dialect) => {
  it('yields every row in order and frees the connection when the consumer stops early', async () => {
    const fx = await openFixture(dialect, { tables: ['nova.compute_nodes'] });
    try {
      await fx.insert(
        'nova.compute_nodes',
        Array.from({ length: 30 }, (_, i) => rows.computeNode({ id: i + 1, hypervisor_hostname: `n${i}` })),
      );
      const q = () => fx.src.knex.select('id').from(tableName(fx.src)({ db: 'nova', table: 'compute_nodes' })).orderBy('id');
      const ids: number[] = [];
      for await (const r of streamRows(fx.src, q())) ids.push(Number((r as { id: unknown }).id));
      expect(ids).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      let seen = 0;
      for await (const _ of streamRows(fx.src, q())) if (++seen === 3) break;
      // the connection is back in the pool: another query runs
      expect((await q()).length).toBe(30);
    } finally {
      await fx.drop();
    }
  });

  it('announces its statement as a knex query event, as knex does for its own', async () => {
    const fx = await openFixture(dialect, { tables: ['nova.compute_nodes'] });
    try {
      const seen: string[] = [];
      fx.src.knex.on('query', (x: { sql: string }) => seen.push(x.sql));
      const q = fx.src.knex.select('id').from(tableName(fx.src)({ db: 'nova', table: 'compute_nodes' })).where('id', '>', 5);
      for await (const _ of streamRows(fx.src, q)) void _;
      expect(seen).toEqual([q.toSQL().toNative().sql]);
    } finally {
      await fx.drop();
    }
  });
});
