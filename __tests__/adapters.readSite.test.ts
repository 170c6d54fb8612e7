import * as Ei from 'fp-ts/Either';
import { readSite } from '../adapters/readSite';
import { toEvents } from '../lib/EventTable';
import { eventAdapters, legacyAdapters, tablesRead } from '../adapters/registry';
import { describeBoth, openFixture } from './fixtures/db';
import { tableKeys } from './fixtures/ddl';
import { populate } from './fixtures/smallSite';

const read = async (fx: Awaited<ReturnType<typeof openFixture>>) => {
  const r = await readSite(fx.src)();
  if (Ei.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

describe('the adapter registry', () => {
  it('is frozen', () => {
    expect(Object.isFrozen(eventAdapters)).toBe(true);
    expect(Object.isFrozen(legacyAdapters)).toBe(true);
    expect(Object.isFrozen(tablesRead)).toBe(true);
  });

  it('lists every table an adapter reads, once', () => {
    const names = tablesRead.map((r) => `${r.db}.${r.table}`);
    expect(new Set(names).size).toBe(names.length);
    for (const a of [...eventAdapters, ...legacyAdapters]) for (const r of [a.table, ...a.reads]) expect(names).toContain(`${r.db}.${r.table}`);
  });

  it('reads every table the fixtures model but instance_extra and computehost_reservations, which no rule needs', () => {
    const names = new Set(tablesRead.map((r) => `${r.db}.${r.table}`));
    const unread = tableKeys.filter((k) => !names.has(k));
    expect(unread).toEqual(['nova.instance_extra', 'blazar.computehost_reservations']);
  });
});

describeBoth('readSite', (dialect) => {
  it('reads every source of a small site and accounts for every row', async () => {
    const fx = await openFixture(dialect);
    try {
      await populate(fx);
      const r = await read(fx);
      for (const rep of r.reports) expect(rep.rows_read).toBe(rep.rows_folded + rep.rows_rejected);
      const by = Object.fromEntries(r.reports.map((x) => [x.source.split('.').slice(1).join('.'), x]));
      expect(by.compute_nodes).toMatchObject({ status: 'read', rows_read: 3, rows_folded: 3 });
      expect(by.computehosts).toMatchObject({ status: 'read', rows_read: 2, rows_folded: 2 });
      expect(by.computehost_allocations).toMatchObject({ rows_read: 3, rows_folded: 2, rejected_by_reason: { deleted_before_start: 1 } });
      expect(by.instances).toMatchObject({ rows_read: 2, rows_folded: 1, rejected_by_reason: { never_launched: 1 } });
      expect(by.node_usage_report_cache).toMatchObject({ rows_read: 1, rows_folded: 1 });
      const types = [...new Set(toEvents(r.events).map((e) => e.countType))].sort();
      expect(types).toEqual(['committed', 'occupied_reserved', 'reservable', 'total']);
      expect(r.legacy).toHaveLength(2);
    } finally {
      await fx.drop();
    }
  });

  it('reports a missing table by name and reads the other sources', async () => {
    const fx = await openFixture(dialect, { tables: tableKeys.filter((k) => !k.startsWith('chameleon_usage.') && k !== 'blazar.extra_capabilities') });
    try {
      const r = await read(fx);
      const legacy = r.reports.filter((x) => x.source.endsWith('node_usage_report_cache') || x.source.endsWith('node_count_cache'));
      expect(legacy.map((x) => x.status)).toEqual(['missing_table', 'missing_table']);
      expect(legacy[0].detail).toMatch(/node_usage_report_cache/);
      expect(r.reports.find((x) => x.source.endsWith('.compute_nodes'))?.status).toBe('read');
    } finally {
      await fx.drop();
    }
  });
});
