/**
 * Nova compute nodes -> `total` events: the pure row rules, then the same rows through real
 * tables on SQLite and MySQL.
 */
import * as Ei from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import { sort } from 'fp-ts/ReadonlyArray';
import { knex } from 'knex';
import { emptyContext, type Context, type HostInfo } from '../adapters/Adapter';
import { computeNodes, shadowComputeNodes, toEvents, type ComputeNodeRow } from '../adapters/computeNodes';
import { runAdapter } from '../adapters/runner';
import { siteConfig, type Source } from '../adapters/Source';
import * as E from '../lib/Event';
import * as T from '../lib/Time';
import { describeBoth, describeMysql, mysqlConfig, mysqlUrl, openFixture, type Dialect, type Fixture } from './fixtures/db';
import * as R from './fixtures/rows';

jest.setTimeout(60_000);

const ms = (s: string): T.Millis => O.getOrElseW(() => NaN)(T.fromIso(s)) as T.Millis;
const site = siteConfig('chi_tacc', { databases: { nova: 'nova_cell1', nova_api: 'nova_api', blazar: 'blazar', chameleon_usage: 'chameleon_usage' } });
const host = (over: Partial<HostInfo> = {}): HostInfo => ({
  id: '1',
  hypervisor_hostname: 'n1',
  node_type: 'gpu_p100',
  gpus: 2,
  vcpus: 48,
  memory_mb: 1,
  local_gb: 1,
  ...over,
});
const ctxWith = (hosts: ReadonlyArray<HostInfo>): Context => ({
  ...emptyContext(site),
  hostsById: new Map(hosts.map((h) => [h.id, h])),
  hostsByHostname: new Map(hosts.map((h) => [h.hypervisor_hostname, h])),
});
const row = (over: Partial<ComputeNodeRow> = {}): ComputeNodeRow => ({
  id: 7,
  hypervisor_hostname: 'n1',
  hypervisor_type: 'ironic',
  vcpus: 48,
  memory_mb: 196608,
  local_gb: 240,
  created_at: ms('2024-01-01 00:00:00'),
  updated_at: null,
  deleted_at: null,
  deleted: 0,
  ...over,
});
const events = (r: ComputeNodeRow, ctx: Context = ctxWith([])) => toEvents({ db: 'nova', table: 'compute_nodes' })(ctx)(r);
const reason = (r: ComputeNodeRow): string => Ei.fold((x: { reason: string }) => x.reason, () => 'events')(events(r));

describe('computeNodes toEvents', () => {
  it('opens a live row at created_at with no delete, one node of the row capacity', () => {
    const out = events(row());
    expect(Ei.isRight(out)).toBe(true);
    if (Ei.isLeft(out)) return;
    expect(out.right).toHaveLength(1);
    const [c] = out.right;
    expect(c._tag).toBe('Create');
    expect(c.time).toBe(ms('2024-01-01 00:00:00'));
    expect(c.countType).toBe('total');
    expect(c.entityId).toBe('n1');
    expect(c.quantities).toEqual({ nodes: 1, vcpus: 48, memory_mb: 196608, disk_gb: 240, gpus: 0, devices: 0 });
    expect(c.source).toEqual({ table: 'nova_cell1.compute_nodes', id: '7' });
    expect(c.attributes).toEqual({ site: 'chi_tacc', node_type: 'unknown', hypervisor_hostname: 'n1', extra: { compute_node_id: '7', hypervisor_type: 'ironic' } });
  });

  it('takes node_type and gpus from the Blazar host with the same hostname', () => {
    const out = events(row(), ctxWith([host()]));
    if (Ei.isLeft(out)) throw new Error('rejected');
    expect(out.right[0].attributes.node_type).toBe('gpu_p100');
    expect(out.right[0].quantities.gpus).toBe(2);
  });

  it('keeps the zeros an Ironic node reports since Stein', () => {
    const out = events(row({ vcpus: 0, memory_mb: 0, local_gb: 0 }));
    if (Ei.isLeft(out)) throw new Error('rejected');
    expect(out.right[0].quantities).toEqual({ nodes: 1, vcpus: 0, memory_mb: 0, disk_gb: 0, gpus: 0, devices: 0 });
  });

  it('ends a soft-deleted row at its deleted_at', () => {
    const out = events(row({ deleted: 7, deleted_at: ms('2024-02-01 00:00:00'), updated_at: ms('2024-01-15 00:00:00') }));
    if (Ei.isLeft(out)) throw new Error('rejected');
    expect(out.right.map((e) => [e._tag, e.time])).toEqual([
      ['Create', ms('2024-01-01 00:00:00')],
      ['Delete', ms('2024-02-01 00:00:00')],
    ]);
    expect(out.right[1].attributes.extra.end_from).toBeUndefined();
  });

  it('ends a row with deleted_at set but deleted = 0 at that deleted_at', () => {
    const out = events(row({ deleted: 0, deleted_at: ms('2024-02-01 00:00:00') }));
    if (Ei.isLeft(out)) throw new Error('rejected');
    expect(out.right.map((e) => e._tag)).toEqual(['Create', 'Delete']);
  });

  it('ends a deleted row without deleted_at at its updated_at, and says so', () => {
    const out = events(row({ deleted: 7, updated_at: ms('2024-01-20 10:00:00') }));
    if (Ei.isLeft(out)) throw new Error('rejected');
    expect(out.right[1]).toMatchObject({ _tag: 'Delete', time: ms('2024-01-20 10:00:00') });
    expect(out.right[1].attributes.extra.end_from).toBe('updated_at');
  });

  it('rejects a deleted row with neither deleted_at nor updated_at as no_end', () => {
    expect(reason(row({ deleted: 7 }))).toBe('no_end');
  });

  it('rejects a row without hypervisor_hostname as no_hostname', () => {
    expect(reason(row({ hypervisor_hostname: null }))).toBe('no_hostname');
    expect(reason(row({ hypervisor_hostname: '  ' }))).toBe('no_hostname');
  });

  it('rejects a row without created_at as no_start', () => {
    expect(reason(row({ created_at: null }))).toBe('no_start');
  });
});

// -------------------------------------------------------------------------------------
// through real tables
// -------------------------------------------------------------------------------------

const sorted = sort(E.Ord);
const ctx = emptyContext(siteConfig('test_site'));

const withFixture = async <A>(dialect: Dialect, tables: Parameters<typeof openFixture>[1], f: (fx: Fixture) => Promise<A>): Promise<A> => {
  const fx = await openFixture(dialect, tables);
  try {
    return await f(fx);
  } finally {
    await fx.drop();
  }
};

const run = async (src: Source, adapter = computeNodes, c: Context = ctx) => {
  const r = await runAdapter(adapter, src, c)();
  if (Ei.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

/** Two rows of one node (recreated with a new id), a deleted node, a zero-date row. */
const history = [
  R.computeNode({ id: 1, host: 'c1', hypervisor_hostname: 'n1', created_at: '2020-01-01 00:00:00', deleted_at: '2020-06-01 00:00:00' }),
  R.computeNode({ id: 2, host: 'c1', hypervisor_hostname: 'n1', created_at: '2020-06-02 00:00:00' }),
  R.computeNode({ id: 3, host: 'c1', hypervisor_hostname: 'n2', created_at: '2021-01-01 00:00:00', deleted_at: '2021-03-01 12:30:00' }),
  R.computeNode({ id: 4, host: 'c1', hypervisor_hostname: 'n3', created_at: '0000-00-00 00:00:00' }),
];

describeBoth('computeNodes adapter', (dialect) => {
  it('reads both rows of a node recreated under a new id, as windows of one hostname', async () => {
    const result = await withFixture(dialect, { tables: ['nova.compute_nodes'] }, async (fx) => {
      await fx.insert('nova.compute_nodes', history);
      return run(fx.src);
    });
    const n1 = result.outputs.filter((e) => e.entityId === 'n1').map((e) => [e._tag, e.source.id, T.toIso(e.time)]);
    expect(n1).toEqual([
      ['Create', '1', '2020-01-01T00:00:00Z'],
      ['Delete', '1', '2020-06-01T00:00:00Z'],
      ['Create', '2', '2020-06-02T00:00:00Z'],
    ]);
  });

  it('keeps a soft-deleted row with its deleted_at as the end', async () => {
    const result = await withFixture(dialect, { tables: ['nova.compute_nodes'] }, async (fx) => {
      await fx.insert('nova.compute_nodes', history);
      return run(fx.src);
    });
    const n2 = result.outputs.filter((e) => e.entityId === 'n2');
    expect(n2.map((e) => [e._tag, T.toIso(e.time)])).toEqual([
      ['Create', '2021-01-01T00:00:00Z'],
      ['Delete', '2021-03-01T12:30:00Z'],
    ]);
  });

  it('decodes a zero created_at to NULL and rejects the row as no_start', async () => {
    const result = await withFixture(dialect, { tables: ['nova.compute_nodes'] }, async (fx) => {
      await fx.insert('nova.compute_nodes', history);
      return run(fx.src);
    });
    expect(result.rejections.map((r) => [r.reason, r.source.id])).toEqual([['no_start', '4']]);
    expect(result.report).toMatchObject({ status: 'read', rows_read: 4, rows_folded: 3, rows_rejected: 1 });
  });

  it('reads archived rows from shadow_compute_nodes', async () => {
    const result = await withFixture(dialect, { tables: ['nova.shadow_compute_nodes'] }, async (fx) => {
      await fx.insert('nova.shadow_compute_nodes', [R.computeNode({ id: 9, hypervisor_hostname: 'old', created_at: '2018-01-01 00:00:00', deleted_at: '2018-02-01 00:00:00' })]);
      return run(fx.src, shadowComputeNodes);
    });
    expect(result.outputs.map((e) => [e._tag, e.entityId, e.source.table])).toEqual([
      ['Create', 'old', 'nova.shadow_compute_nodes'],
      ['Delete', 'old', 'nova.shadow_compute_nodes'],
    ]);
  });

  it('reports a missing shadow table as missing_table', async () => {
    const result = await withFixture(dialect, { tables: ['nova.compute_nodes'] }, async (fx) => run(fx.src, shadowComputeNodes));
    expect(result.report.status).toBe('missing_table');
    expect(result.report.detail).toContain('shadow_compute_nodes');
  });
});

describe('computeNodes adapter on SQLite, which is type-loose', () => {
  it('rejects a row whose vcpus is not a number as decode_error naming the column, and the other rows flow', async () => {
    const result = await withFixture('sqlite', { tables: ['nova.compute_nodes'] }, async (fx) => {
      await fx.insert('nova.compute_nodes', [R.computeNode({ id: 1, hypervisor_hostname: 'n1', vcpus: 'abc' }), R.computeNode({ id: 2, hypervisor_hostname: 'n2' })]);
      return run(fx.src);
    });
    expect(result.rejections).toHaveLength(1);
    expect(result.rejections[0]).toMatchObject({ reason: 'decode_error', source: { id: '1' } });
    expect(result.rejections[0].detail).toMatch(/^vcpus: /);
    expect(result.outputs.map((e) => e.entityId)).toEqual(['n2']);
  });
});

describeMysql('computeNodes adapter on MySQL and SQLite', () => {
  it('gives identical events from the same rows in both', async () => {
    const read = (d: Dialect) =>
      withFixture(d, { tables: ['nova.compute_nodes'] }, async (fx) => {
        await fx.insert('nova.compute_nodes', history);
        return sorted((await run(fx.src)).outputs);
      });
    const [lite, my] = [await read('sqlite'), await read('mysql')];
    expect(lite.length).toBe(5);
    expect(my).toEqual(lite);
  });

  it('does not move event times when the source session time zone is +05:00', async () => {
    const url = mysqlUrl() as string;
    await withFixture('mysql', { tables: ['nova.compute_nodes'] }, async (fx) => {
      await fx.insert('nova.compute_nodes', history);
      const shifted = knex(await mysqlConfig(url, ["SET time_zone = '+05:00'"]));
      try {
        const zone = (await shifted.raw('select @@session.time_zone as tz'))[0][0].tz;
        expect(zone).toBe('+05:00');
        const out = await run({ ...fx.src, knex: shifted });
        expect(sorted(out.outputs)).toEqual(sorted((await run(fx.src)).outputs));
        expect(out.outputs.filter((e) => e.entityId === 'n2').map((e) => T.toIso(e.time))).toEqual(['2021-01-01T00:00:00Z', '2021-03-01T12:30:00Z']);
      } finally {
        await shifted.destroy();
      }
    });
  });
});
