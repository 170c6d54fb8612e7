/**
 * Blazar hosts -> `reservable` events: the pure row rules, then real Chameleon and upstream
 * tables on SQLite and MySQL, with node_type from each capability layout.
 */
import * as Ei from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import { sort } from 'fp-ts/ReadonlyArray';
import { emptyContext, type Context } from '../adapters/Adapter';
import { computehosts, toEvents, type ComputehostRow } from '../adapters/computehosts';
import { loadContext } from '../adapters/context';
import { runAdapter } from '../adapters/runner';
import { siteConfig, type Source } from '../adapters/Source';
import * as E from '../lib/Event';
import * as T from '../lib/Time';
import { describeBoth, describeMysql, openFixture, type Dialect, type FixtureOptions } from './fixtures/db';
import type { CapabilityLayout, TableKey } from './fixtures/ddl';
import * as R from './fixtures/rows';

jest.setTimeout(60_000);

const ms = (s: string): T.Millis => O.getOrElseW(() => NaN)(T.fromIso(s)) as T.Millis;
const site = siteConfig('chi_uc');
const row = (over: Partial<ComputehostRow> = {}): ComputehostRow => ({
  id: '12',
  hypervisor_hostname: 'node-uuid-1',
  vcpus: 48,
  memory_mb: 196608,
  local_gb: 240,
  created_at: ms('2022-01-01 00:00:00'),
  updated_at: null,
  deleted_at: null,
  deleted: null,
  ...over,
});
const ctxWith = (id: string, node_type: string, gpus: number): Context => ({
  ...emptyContext(site),
  hostsById: new Map([[id, { id, hypervisor_hostname: 'node-uuid-1', node_type, gpus, vcpus: 48, memory_mb: 1, local_gb: 1 }]]),
});
const reason = (r: ComputehostRow): string => Ei.fold((x: { reason: string }) => x.reason, () => 'events')(toEvents(emptyContext(site))(r));

describe('computehosts toEvents', () => {
  it('opens a live host at created_at as one reservable node of its registered capacity', () => {
    const out = toEvents(emptyContext(site))(row());
    if (Ei.isLeft(out)) throw new Error('rejected');
    expect(out.right).toHaveLength(1);
    expect(out.right[0]).toMatchObject({
      _tag: 'Create',
      entityId: '12',
      countType: 'reservable',
      time: ms('2022-01-01 00:00:00'),
      source: { table: 'blazar.computehosts', id: '12' },
      quantities: { nodes: 1, vcpus: 48, memory_mb: 196608, disk_gb: 240, gpus: 0, devices: 0 },
      attributes: { site: 'chi_uc', node_type: 'unknown', hypervisor_hostname: 'node-uuid-1', extra: { blazar_host_id: '12', hypervisor_hostname: 'node-uuid-1' } },
    });
  });

  it('takes node_type and gpus from the host capabilities by host id', () => {
    const out = toEvents(ctxWith('12', 'gpu_a100', 4))(row());
    if (Ei.isLeft(out)) throw new Error('rejected');
    expect(out.right[0].attributes.node_type).toBe('gpu_a100');
    expect(out.right[0].quantities.gpus).toBe(4);
  });

  it('ends a soft-deleted host at its deleted_at', () => {
    const out = toEvents(emptyContext(site))(row({ deleted: '12', deleted_at: ms('2023-01-01 00:00:00') }));
    if (Ei.isLeft(out)) throw new Error('rejected');
    expect(out.right.map((e) => [e._tag, e.time])).toEqual([
      ['Create', ms('2022-01-01 00:00:00')],
      ['Delete', ms('2023-01-01 00:00:00')],
    ]);
  });

  it('ends a host marked deleted without deleted_at at its updated_at, and says so', () => {
    const out = toEvents(emptyContext(site))(row({ deleted: '12', updated_at: ms('2022-06-01 00:00:00') }));
    if (Ei.isLeft(out)) throw new Error('rejected');
    expect(out.right[1]).toMatchObject({ _tag: 'Delete', time: ms('2022-06-01 00:00:00'), attributes: { extra: { end_from: 'updated_at' } } });
  });

  it('rejects rows without hostname, without start, or deleted without any end time', () => {
    expect([reason(row({ hypervisor_hostname: null })), reason(row({ created_at: null })), reason(row({ deleted: '12' }))]).toEqual(['no_hostname', 'no_start', 'no_end']);
  });
});

// -------------------------------------------------------------------------------------
// through real tables
// -------------------------------------------------------------------------------------

const sorted = sort(E.Ord);

const run = async (src: Source, ctx: Context) => {
  const r = await runAdapter(computehosts, src, ctx)();
  if (Ei.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

const hosts = [
  R.computehost({ id: '1', hypervisor_hostname: 'n1', created_at: '2022-05-01 00:00:00' }),
  R.computehost({ id: '2', hypervisor_hostname: 'n2', created_at: '2022-05-01 00:00:00', deleted_at: '2023-02-03 04:05:06' }),
  R.computehost({ id: '3', hypervisor_hostname: 'n3', created_at: '0000-00-00 00:00:00' }),
];

const scenario = async (dialect: Dialect, opts: FixtureOptions, rows: ReadonlyArray<R.Row>, caps: Parameters<typeof R.capabilityRows>[1] = []) => {
  const layout = opts.capabilityLayout ?? 'resource_properties';
  const names: Partial<Record<CapabilityLayout, TableKey>> = { resource_properties: 'blazar.resource_properties', extra_capabilities: 'blazar.extra_capabilities' };
  const nameTable = names[layout];
  const fx = await openFixture(dialect, { ...opts, tables: ['blazar.computehosts', 'blazar.computehost_extra_capabilities', ...(nameTable === undefined ? [] : [nameTable])] });
  try {
    await fx.insert('blazar.computehosts', rows);
    const c = R.capabilityRows(layout, caps);
    if (nameTable !== undefined) await fx.insert(nameTable, c.names);
    await fx.insert('blazar.computehost_extra_capabilities', c.values);
    const { context } = await loadContext(fx.src);
    // Events are compared across dialects, so they are built with the same (default) site names.
    return await run(fx.src, { ...context, site: siteConfig('test_site') });
  } finally {
    await fx.drop();
  }
};

describeBoth('computehosts adapter', (dialect) => {
  it('reads live and soft-deleted Chameleon hosts, and rejects a zero created_at as no_start', async () => {
    const r = await scenario(dialect, {}, hosts);
    expect(r.outputs.map((e) => [e._tag, e.entityId, T.toIso(e.time)])).toEqual([
      ['Create', '1', '2022-05-01T00:00:00Z'],
      ['Create', '2', '2022-05-01T00:00:00Z'],
      ['Delete', '2', '2023-02-03T04:05:06Z'],
    ]);
    expect(r.rejections.map((x) => [x.reason, x.source.id])).toEqual([['no_start', '3']]);
  });

  it('reads upstream Blazar hosts, which have no deleted columns, as live', async () => {
    const r = await scenario(dialect, { blazar: 'upstream' }, [R.computehost({ id: '1', hypervisor_hostname: 'n1' })]);
    expect(r.report.status).toBe('read');
    expect(r.outputs.map((e) => [e._tag, e.entityId])).toEqual([['Create', '1']]);
  });

  it.each(['resource_properties', 'extra_capabilities', 'capability_name'] as const)('labels hosts with node_type and gpus from the %s layout', async (layout) => {
    const r = await scenario(dialect, { capabilityLayout: layout }, [R.computehost({ id: '1', hypervisor_hostname: 'n1' }), R.computehost({ id: '2', hypervisor_hostname: 'n2' })], [
      { computehost_id: '1', name: 'node_type', value: 'gpu_rtx_6000' },
      { computehost_id: '1', name: 'gpu.gpu_count', value: '1' },
    ]);
    expect(r.outputs.map((e) => [e.entityId, e.attributes.node_type, e.quantities.gpus])).toEqual([
      ['1', 'gpu_rtx_6000', 1],
      ['2', 'unknown', 0],
    ]);
  });

  it('reports a missing host table as missing_table', async () => {
    const fx = await openFixture(dialect, { tables: ['nova.compute_nodes'] });
    try {
      const r = await run(fx.src, emptyContext(fx.src.site));
      expect(r.report.status).toBe('missing_table');
      expect(r.report.detail).toContain('computehosts');
    } finally {
      await fx.drop();
    }
  });
});

describe('computehosts adapter on SQLite, which is type-loose', () => {
  it('rejects a row whose memory_mb is not a number as decode_error naming the column, and the other rows flow', async () => {
    const r = await scenario('sqlite', {}, [R.computehost({ id: '1', hypervisor_hostname: 'n1', memory_mb: 'lots' }), R.computehost({ id: '2', hypervisor_hostname: 'n2' })]);
    expect(r.rejections.map((x) => [x.reason, x.source.id])).toEqual([['decode_error', '1']]);
    expect(r.rejections[0].detail).toMatch(/^memory_mb: /);
    expect(r.outputs.map((e) => e.entityId)).toEqual(['2']);
  });
});

describeMysql('computehosts adapter on MySQL and SQLite', () => {
  it('gives identical events from the same rows in both', async () => {
    const caps = [{ computehost_id: '2', name: 'node_type', value: 'storage' }];
    const lite = sorted((await scenario('sqlite', {}, hosts, caps)).outputs);
    const my = sorted((await scenario('mysql', {}, hosts, caps)).outputs);
    expect(lite).toHaveLength(3);
    expect(my).toEqual(lite);
  });
});
