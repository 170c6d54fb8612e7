/**
 * `openstack_audit.audit_blazar_computehosts` (section 15): decoding in both layouts, hostile
 * rows, the host state chaining (laws), the usable split in the report, hard-deleted hosts, and a
 * site without the audit tables reading as before.
 */
import * as Ei from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import * as fc from 'fast-check';
import { foldHostAudit, splitEvents } from '../adapters/auditComputehosts';
import { decodeAuditRow, shapeOf, utcZone, zoneOf, type AuditRow } from '../adapters/auditDecode';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readSite, readSiteAt, toSiteInput } from '../adapters/readSite';
import { extract } from '../cli/extract';
import { toEvents } from '../lib/EventTable';
import * as E from '../lib/Event';
import { chain, split, type StateRow } from '../lib/HostState';
import * as Q from '../lib/Quantities';
import { report } from '../lib/Report';
import type { TimelineOptions } from '../lib/Timeline';
import * as T from '../lib/Time';
import type { UsageRow } from '../lib/UsageRow';
import { knex, type Knex } from 'knex';
import { describeBoth, describeMysql, mysqlConfig, mysqlUrl, openFixture, type Fixture } from './fixtures/db';
import { populate } from './fixtures/smallSite';

const ms = (s: string): T.Millis => T.unsafeMillis(Date.parse(`${s.replace(' ', 'T')}Z`));
const SITE = 'test_site';
const TABLE = 'openstack_audit.audit_blazar_computehosts';

const generic = (o: { audit_id: number; id: string; kind?: string; time: string; changed?: string; by?: string; data: unknown }) => ({
  audit_id: o.audit_id,
  id: o.id,
  audit_event_type: o.kind ?? 'INSERT',
  audit_time: o.time,
  audit_changed_at: o.changed ?? o.time,
  audit_changed_by: o.by ?? 'blazar@10.0.0.1',
  data: typeof o.data === 'string' ? o.data : JSON.stringify(o.data),
});

const snap = (hostname: string, reservable: number, disabled: number, extra: Record<string, unknown> = {}) => ({
  id: 'x',
  hypervisor_hostname: hostname,
  vcpus: 48,
  memory_mb: 1000,
  local_gb: 200,
  status: 'UP',
  reservable,
  disabled,
  created_at: '2024-01-02 00:00:00',
  deleted_at: null,
  ...extra,
});

const decode = (raw: unknown, layout: 'generic' | 'explicit' = 'generic', zone = utcZone) => decodeAuditRow({ site: SITE, table: TABLE, layout, zone })(raw);
const ok = (raw: unknown, layout: 'generic' | 'explicit' = 'generic'): AuditRow => {
  const r = decode(raw, layout);
  if (Ei.isLeft(r)) throw new Error(r.left.detail);
  return r.right;
};

describe('audit rows: layout and decoding', () => {
  it('detects the generic layout by data and the time column by audit_event_time', () => {
    const v1 = shapeOf(new Set(['audit_id', 'id', 'audit_event_type', 'audit_changed_by', 'audit_changed_at', 'data']));
    const v3 = shapeOf(new Set(['audit_id', 'id', 'audit_event_type', 'audit_event_time', 'audit_changed_by', 'audit_changed_at', 'data']));
    const explicit = shapeOf(new Set(['audit_id', 'id', 'hypervisor_hostname', 'reservable', 'disabled', 'audit_event_type', 'audit_changed_by', 'audit_changed_at']));
    expect([v1?.layout, v1?.timeColumn]).toEqual(['generic', 'audit_changed_at']);
    expect([v3?.layout, v3?.timeColumn]).toEqual(['generic', 'audit_event_time']);
    expect([explicit?.layout, explicit?.timeColumn]).toEqual(['explicit', 'audit_changed_at']);
    expect(shapeOf(new Set(['id', 'data']))).toBeUndefined();
  });

  it('reads a generic row: data parsed, time UTC, backfill flagged', () => {
    const r = ok(generic({ audit_id: 1, id: '7', time: '2024-01-02 00:00:00', changed: '2024-01-03 00:00:00', by: 'backfill', data: snap('n1', 1, 0) }));
    expect(r).toMatchObject({ auditId: 1, id: '7', kind: 'INSERT', time: ms('2024-01-02 00:00:00'), changedAt: ms('2024-01-03 00:00:00'), backfill: true });
    expect(r.data.hypervisor_hostname).toBe('n1');
  });

  it('reads an explicit-layout row from its columns', () => {
    const raw = { audit_id: 3, id: '7', audit_event_type: 'UPDATE', audit_time: '2024-01-05 00:00:00', audit_changed_at: '2024-01-05 00:00:00', audit_changed_by: 'blazar', hypervisor_hostname: 'n1', reservable: 0, disabled: 0, status: 'UP' };
    const r = ok(raw, 'explicit');
    expect(r.data).toMatchObject({ id: '7', hypervisor_hostname: 'n1', reservable: 0 });
    expect(r.data).not.toHaveProperty('audit_id');
  });

  it('rejects bad JSON, a non-object data, an unknown event type and a row without time, with their reasons', () => {
    const bad = decode(generic({ audit_id: 1, id: '7', time: '2024-01-02 00:00:00', data: '{"hypervisor_hostname": "n1",' }));
    const arr = decode(generic({ audit_id: 2, id: '7', time: '2024-01-02 00:00:00', data: '[1]' }));
    const kind = decode(generic({ audit_id: 3, id: '7', kind: 'TRUNCATE', time: '2024-01-02 00:00:00', data: snap('n1', 1, 0) }));
    const notime = decode({ ...generic({ audit_id: 4, id: '7', time: '0000-00-00 00:00:00', data: snap('n1', 1, 0) }), audit_changed_at: null });
    const reasons = [bad, arr, kind, notime].map((r) => (Ei.isLeft(r) ? r.left.reason : 'ok'));
    expect(reasons).toEqual(['bad_json', 'bad_json', 'unknown_event_type', 'no_time']);
    if (Ei.isLeft(bad)) expect(bad.left.detail).toMatch(/^data: not JSON/);
    if (Ei.isLeft(bad)) expect(bad.left.source).toEqual({ table: TABLE, id: '1' });
  });

  it('converts times from a non-UTC server zone, but not backfill event times (copied from UTC columns)', () => {
    const zone = zoneOf('+02:00', 0);
    const trig = decode(generic({ audit_id: 1, id: '7', time: '2024-01-05 02:00:00', data: snap('n1', 1, 0) }), 'generic', zone);
    const back = decode(generic({ audit_id: 2, id: '7', time: '2024-01-02 00:00:00', changed: '2024-01-05 02:00:00', by: 'backfill', data: snap('n1', 1, 0) }), 'generic', zone);
    expect(Ei.isRight(trig) && trig.right.time).toBe(ms('2024-01-05 00:00:00'));
    expect(Ei.isRight(back) && [back.right.time, back.right.changedAt]).toEqual([ms('2024-01-02 00:00:00'), ms('2024-01-05 00:00:00')]);
    expect(zone.note).toMatch(/converted from the server time zone \+02:00/);
  });

  it('knows UTC spellings, IANA zones (with DST) and falls back to the current offset for abbreviations', () => {
    expect(zoneOf('UTC', 0).utc).toBe(true);
    expect(zoneOf('+00:00', 0).utc).toBe(true);
    const berlin = zoneOf('Europe/Berlin', 0);
    expect(berlin.toUtc(ms('2024-01-15 13:00:00'))).toBe(ms('2024-01-15 12:00:00'));
    expect(berlin.toUtc(ms('2024-07-15 14:00:00'))).toBe(ms('2024-07-15 12:00:00'));
    const cest = zoneOf('CEST', 2 * T.HOUR);
    expect(cest.toUtc(ms('2024-07-15 14:00:00'))).toBe(ms('2024-07-15 12:00:00'));
    expect(cest.note).toMatch(/current offset/);
  });
});

describe('foldHostAudit (hostile rows)', () => {
  const fold = (rows: ReadonlyArray<AuditRow>, known: ReadonlyArray<string> = ['1', '2']) => foldHostAudit({ site: SITE, table: TABLE, rows, known: new Set(known) });

  it('chains states by hostname and starts coverage at the earliest audit_changed_at', () => {
    const f = fold([
      ok(generic({ audit_id: 1, id: '1', time: '2024-01-02 00:00:00', changed: '2024-01-03 00:00:00', by: 'backfill', data: snap('n1', 1, 0) })),
      ok(generic({ audit_id: 2, id: '1', kind: 'UPDATE', time: '2024-01-07 00:00:00', data: snap('n1', 1, 1) })),
      ok(generic({ audit_id: 3, id: '1', kind: 'UPDATE', time: '2024-01-08 00:00:00', data: snap('n1', 1, 0) })),
    ]);
    expect(f.states.coverageStart).toBe(ms('2024-01-03 00:00:00'));
    expect(f.states.pieces.get('n1')?.map((p) => [T.toIso(p.start), p.end === null ? null : T.toIso(p.end), p.usable])).toEqual([
      ['2024-01-03T00:00:00Z', '2024-01-07T00:00:00Z', true],
      ['2024-01-07T00:00:00Z', '2024-01-08T00:00:00Z', false],
      ['2024-01-08T00:00:00Z', null, true],
    ]);
    expect([f.folded, f.rejections.length]).toEqual([3, 0]);
  });

  it('counts an UPDATE before any INSERT, and two rows at one instant (the later audit_id wins)', () => {
    const f = fold([
      ok(generic({ audit_id: 5, id: '1', kind: 'UPDATE', time: '2024-01-04 00:00:00', data: snap('n1', 0, 0) })),
      ok(generic({ audit_id: 6, id: '1', kind: 'UPDATE', time: '2024-01-04 00:00:00', data: snap('n1', 1, 0) })),
      ok(generic({ audit_id: 7, id: '1', kind: 'INSERT', time: '2024-01-05 00:00:00', data: snap('n1', 1, 1) })),
    ]);
    expect(f.states.updateBeforeInsert).toBe(2);
    expect(f.states.sameInstant).toBe(1);
    expect(f.states.pieces.get('n1')?.map((p) => p.usable)).toEqual([true, false]);
    expect(f.folded + f.rejections.length).toBe(3);
  });

  it('rejects a DELETE of an unknown id and a snapshot that does not decode, naming the path', () => {
    const f = fold([
      ok(generic({ audit_id: 1, id: '42', kind: 'DELETE', time: '2024-01-04 00:00:00', data: snap('n9', 1, 0) })),
      ok(generic({ audit_id: 2, id: '1', time: '2024-01-04 00:00:00', data: snap('n1', 'yes' as unknown as number, 0) })),
      ok(generic({ audit_id: 3, id: '2', time: '2024-01-04 00:00:00', data: { reservable: 1 } })),
    ]);
    // in (id, time, audit_id) order: ids '1', '2', '42'
    expect(f.rejections.map((r) => r.reason)).toEqual(['decode_error', 'decode_error', 'delete_of_unknown_id']);
    expect(f.rejections[0].detail).toMatch(/^data\.reservable: /);
    expect(f.rejections[1].detail).toMatch(/^data\.hypervisor_hostname: /);
    expect(f.folded).toBe(0);
  });

  it('resolves two ids of one hostname at once by the later audit_id (a re-enrolled host)', () => {
    const f = fold([
      ok(generic({ audit_id: 1, id: '1', time: '2024-01-03 00:00:00', data: snap('n1', 1, 0) })),
      ok(generic({ audit_id: 2, id: '2', time: '2024-01-05 00:00:00', data: snap('n1', 0, 0) })),
    ]);
    expect(f.states.conflicts).toBe(1);
    expect(f.states.pieces.get('n1')?.map((p) => [p.id, T.toIso(p.start), p.usable])).toEqual([
      ['1', '2024-01-03T00:00:00Z', true],
      ['2', '2024-01-05T00:00:00Z', false],
    ]);
  });

  it('gives a hard-deleted host its audited lifetime (deleted_at first, else the DELETE time), and rejects one with no end', () => {
    const f = fold(
      [
        ok(generic({ audit_id: 1, id: '9', time: '2024-01-03 00:00:00', data: snap('n9', 1, 0, { created_at: '2024-01-02 12:00:00' }) })),
        ok(generic({ audit_id: 2, id: '9', kind: 'DELETE', time: '2024-01-09 00:00:00', data: snap('n9', 1, 0, { deleted_at: '2024-01-08 00:00:00' }) })),
        ok(generic({ audit_id: 3, id: '8', time: '2024-01-03 00:00:00', data: snap('n8', 1, 0) })),
        ok(generic({ audit_id: 4, id: '8', kind: 'DELETE', time: '2024-01-06 00:00:00', data: snap('n8', 1, 0) })),
        ok(generic({ audit_id: 5, id: '7', time: '2024-01-03 00:00:00', data: snap('n7', 1, 0) })),
      ],
      [],
    );
    expect(f.auditOnly.map((h) => [h.info.id, T.toIso(h.start), T.toIso(h.end)])).toEqual([
      ['8', '2024-01-02T00:00:00Z', '2024-01-06T00:00:00Z'],
      ['9', '2024-01-02T12:00:00Z', '2024-01-08T00:00:00Z'],
    ]);
    expect(f.rejections.map((r) => [r.reason, r.entityId])).toEqual([['no_end', O.some('7')]]);
    expect(f.folded + f.rejections.length).toBe(5);
  });
});

describe('host state chaining (laws)', () => {
  const hosts = ['a', 'b'];
  const rowsArb = fc
    .array(
      fc.record({
        id: fc.constantFrom('1', '2', '3'),
        key: fc.constantFrom(...hosts),
        kind: fc.constantFrom('INSERT' as const, 'UPDATE' as const, 'DELETE' as const),
        t: fc.integer({ min: 0, max: 40 }),
        usable: fc.boolean(),
        del: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
      }),
      { maxLength: 25 },
    )
    .map((xs): StateRow[] =>
      xs.map((x, i) => ({ auditId: i + 1, id: x.id, key: x.key, kind: x.kind, time: T.unsafeMillis(x.t * T.HOUR), usable: x.usable, status: '', deletedAt: x.del === null ? null : T.unsafeMillis(x.del * T.HOUR) })),
    );
  const cov = fc.option(fc.integer({ min: 0, max: 40 }).map((h) => T.unsafeMillis(h * T.HOUR)), { nil: null });

  it('never gives one hostname two states at once, and every piece is non-empty, sorted and after the coverage start', () => {
    fc.assert(
      fc.property(rowsArb, cov, (rows, c) => {
        const s = chain(c)(rows);
        for (const ps of s.pieces.values()) {
          for (let i = 0; i < ps.length; i++) {
            const p = ps[i];
            if (p.end !== null && p.end <= p.start) return false;
            if (c !== null && p.start < c) return false;
            const n = ps[i + 1];
            if (n !== undefined && (p.end === null || p.end > n.start)) return false;
          }
        }
        return true;
      }),
    );
  });

  it('does not depend on the order of the rows', () => {
    fc.assert(
      fc.property(rowsArb, cov, (rows, c) => {
        expect(chain(c)([...rows].reverse())).toEqual(chain(c)(rows));
      }),
    );
  });

  it('tiles one entity without conflicts: split of any span conserves its covered length (usable + unusable = pieces within it)', () => {
    fc.assert(
      fc.property(rowsArb, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 30 }), (rows, s0, len) => {
        const one = rows.map((r) => ({ ...r, id: '1', key: 'a' }));
        const st = chain(null)(one);
        const ps = st.pieces.get('a') ?? [];
        const start = T.unsafeMillis(s0 * T.HOUR);
        const end = T.unsafeMillis((s0 + len) * T.HOUR);
        const parts = split(ps, start, end);
        const covered = ps.reduce((acc, p) => acc + Math.max(0, Math.min(p.end ?? Infinity, end) - Math.max(p.start, start)), 0);
        const got = parts.reduce((acc, [a, b]) => acc + ((b ?? end) - a), 0);
        return st.conflicts === 0 && got === covered;
      }),
    );
  });
});

describe('audit rows (law: conservation)', () => {
  const raw = fc.record({
    audit_id: fc.integer({ min: 1, max: 10_000 }),
    id: fc.constantFrom('1', '2', '9'),
    audit_event_type: fc.constantFrom('INSERT', 'UPDATE', 'DELETE', 'insert', 'MERGE', null),
    audit_time: fc.constantFrom('2024-01-02 00:00:00', '2024-01-05 12:00:00', '0000-00-00 00:00:00', null),
    audit_changed_at: fc.constantFrom('2024-01-03 00:00:00', '2024-01-05 12:00:00', null),
    audit_changed_by: fc.constantFrom('backfill', 'blazar', null),
    data: fc.oneof(
      fc.record({ hypervisor_hostname: fc.constantFrom('n1', 'n2'), reservable: fc.constantFrom(0, 1, '1', 'x'), disabled: fc.constantFrom(0, 1, null), deleted_at: fc.constantFrom(null, '2024-01-04 00:00:00') }).map((d) => JSON.stringify(d)),
      fc.constantFrom('{"broken', '[]', 'null', '{}'),
    ),
  });

  it('gives every row exactly one verdict: folded or rejected with a reason, whatever the rows', () => {
    fc.assert(
      fc.property(fc.array(raw, { maxLength: 30 }), fc.subarray(['1', '2']), (rows, known) => {
        const decoded: AuditRow[] = [];
        let rejected = 0;
        for (const r of rows) {
          const d = decode(r);
          if (Ei.isLeft(d)) rejected += 1;
          else decoded.push(d.right);
        }
        const f = foldHostAudit({ site: SITE, table: TABLE, rows: decoded, known: new Set(known) });
        return f.folded + f.rejections.length + rejected === rows.length && f.rejections.every((x) => x.reason !== '');
      }),
    );
  });
});

describe('splitEvents', () => {
  it('splits a span by the host state, and an ops span only where unusable', () => {
    const states = chain(ms('2024-01-03 00:00:00'))([
      { auditId: 1, id: '1', key: 'n1', kind: 'INSERT', time: ms('2024-01-02 00:00:00'), usable: true, status: 'UP', deletedAt: null },
      { auditId: 2, id: '1', key: 'n1', kind: 'UPDATE', time: ms('2024-01-07 00:00:00'), usable: false, status: 'UP', deletedAt: null },
    ]);
    const fields = {
      entityId: '1',
      countType: 'ops' as const,
      source: { table: 'x', id: '1' },
      quantities: Q.make({ nodes: 1, vcpus: 0, memory_mb: 0, disk_gb: 0, gpus: 0 }),
      attributes: E.attributes({ site: SITE }),
    };
    const ops = splitEvents({ hostStates: states }, 'n1', fields, ms('2024-01-01 00:00:00'), ms('2024-01-09 00:00:00'));
    expect(ops.map((e) => [e._tag, e.countType, T.toIso(e.time)])).toEqual([
      ['Create', 'ops_unusable', '2024-01-07T00:00:00Z'],
      ['Delete', 'ops_unusable', '2024-01-09T00:00:00Z'],
    ]);
    const res = splitEvents({ hostStates: states }, 'n1', { ...fields, countType: 'reservable' }, ms('2024-01-01 00:00:00'), null);
    expect(res.map((e) => [e._tag, e.countType, T.toIso(e.time)])).toEqual([
      ['Create', 'reservable_usable', '2024-01-03T00:00:00Z'],
      ['Delete', 'reservable_usable', '2024-01-07T00:00:00Z'],
      ['Create', 'reservable_unusable', '2024-01-07T00:00:00Z'],
    ]);
    expect(splitEvents({}, 'n1', fields, ms('2024-01-01 00:00:00'), null)).toEqual([]);
  });
});

// -------------------------------------------------------------------------------------
// on a database
// -------------------------------------------------------------------------------------

const options: TimelineOptions = {
  start: T.unsafeMillis(Date.UTC(2024, 0, 1)),
  end: T.unsafeMillis(Date.UTC(2024, 1, 1)),
  groupBy: [],
  valueTypes: ['nodes'],
  resample: O.none,
};

/** The real DDL of the generic layout v3 (facts 2.1), and of the explicit layout (facts 2.2). */
const createAudit = async (fx: Fixture, layout: 'v3' | 'v1' | 'explicit'): Promise<string> => {
  const name = fx.dialect === 'mysql' ? `${fx.src.site.databases.openstack_audit}.audit_blazar_computehosts` : 'openstack_audit__audit_blazar_computehosts';
  const id = fx.dialect === 'mysql' ? 'INT AUTO_INCREMENT PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
  const json = fx.dialect === 'mysql' ? 'JSON' : 'TEXT';
  const kind = fx.dialect === 'mysql' ? "ENUM('INSERT','UPDATE','DELETE')" : 'TEXT';
  const ddl =
    layout === 'explicit'
      ? `CREATE TABLE ${name} (audit_id ${id}, id VARCHAR(36), hypervisor_hostname VARCHAR(255), vcpus INT(11), memory_mb INT(11), local_gb INT(11), status VARCHAR(13), reservable TINYINT(1), disabled TINYINT(1), created_at DATETIME NULL, deleted_at DATETIME NULL, audit_event_type ${kind}, audit_changed_by VARCHAR(255), audit_changed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)`
      : layout === 'v1'
        ? `CREATE TABLE ${name} (audit_id ${id}, id VARCHAR(36), audit_event_type ${kind}, audit_changed_by VARCHAR(255), audit_changed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, data ${json})`
        : `CREATE TABLE ${name} (audit_id ${id}, id VARCHAR(36), audit_event_type ${kind}, audit_event_time DATETIME DEFAULT CURRENT_TIMESTAMP, audit_changed_by VARCHAR(255), audit_changed_at DATETIME DEFAULT CURRENT_TIMESTAMP, data ${json})`;
  await fx.src.knex.raw(ddl);
  return name;
};

/** node-a disabled Jan 7 -> Jan 8 (during L1: committed_unusable), node-b not reservable Jan 12 -> Jan 15 (free: unusable). */
const auditRows = (layout: 'v3' | 'v1' | 'explicit') => {
  const rows: Array<[number, string, string, string, string, Record<string, unknown>]> = [
    [1, '1', 'INSERT', '2024-01-02 00:00:00', '2024-01-03 00:00:00', snap('node-a', 1, 0)],
    [2, '2', 'INSERT', '2024-01-02 00:00:00', '2024-01-03 00:00:00', snap('node-b', 1, 0, { deleted_at: '2024-01-25 00:00:00' })],
    [3, '1', 'UPDATE', '2024-01-07 00:00:00', '2024-01-07 00:00:00', snap('node-a', 1, 1)],
    [4, '1', 'UPDATE', '2024-01-08 00:00:00', '2024-01-08 00:00:00', snap('node-a', 1, 0)],
    [5, '2', 'UPDATE', '2024-01-12 00:00:00', '2024-01-12 00:00:00', snap('node-b', 0, 0)],
    [6, '2', 'UPDATE', '2024-01-15 00:00:00', '2024-01-15 00:00:00', snap('node-b', 1, 0)],
    // a host hard-deleted from blazar.computehosts: only the audit remembers it
    // (node-c: Nova never knew it, so clamping leaves it out of the counts as an orphan)
    [7, '9', 'INSERT', '2024-01-04 00:00:00', '2024-01-04 00:00:00', snap('node-c', 1, 0, { created_at: '2024-01-04 00:00:00' })],
    [8, '9', 'DELETE', '2024-01-05 00:00:00', '2024-01-05 00:00:00', snap('node-c', 1, 0)],
  ];
  return rows.map(([audit_id, id, kind, time, changed, data]) => {
    const by = audit_id <= 2 ? 'backfill' : 'blazar@%';
    const base = { audit_id, id, audit_event_type: kind, audit_changed_by: by };
    if (layout === 'explicit') {
      const { id: _x, ...cols } = data;
      return { ...base, audit_changed_at: time, ...cols };
    }
    if (layout === 'v1') return { ...base, audit_changed_at: time === changed ? time : changed, data: JSON.stringify(data) };
    return { ...base, audit_event_time: time, audit_changed_at: changed, data: JSON.stringify(data) };
  });
};

const valueAt = (rows: ReadonlyArray<UsageRow>, ct: string, iso: string): number | undefined => {
  let v: number | undefined;
  for (const r of rows) if (r.collector_type === 'new' && r.count_type === ct && r.timestamp <= iso) v = r.value;
  return v;
};

describeBoth('audit_blazar_computehosts on a database', (dialect) => {
  const run = async (layout: 'v3' | 'v1' | 'explicit' | 'none') => {
    const fx = await openFixture(dialect);
    try {
      await populate(fx);
      if (layout !== 'none') {
        const name = await createAudit(fx, layout);
        for (const r of auditRows(layout)) await fx.src.knex.insert(r).into(name);
      }
      const read = await readSite(fx.src)();
      if (Ei.isLeft(read)) throw new Error(read.left.message);
      return { read: read.right, rep: report(options)([toSiteInput(fx.src.site)(read.right)]) };
    } finally {
      await fx.drop();
    }
  };

  it('without openstack_audit reports as before: the audit table missing, no split rows, available = reservable - committed - ops', async () => {
    const { read, rep } = await run('none');
    const entry = read.reports.find((r) => r.source.endsWith('audit_blazar_computehosts'));
    expect(entry?.status).toBe('missing_table');
    expect(rep.timeline.rows.filter((r) => /usable|unusable/.test(r.count_type))).toEqual([]);
    expect(valueAt(rep.timeline.rows, 'available', '2024-01-13T00:00:00Z')).toBe(2);
    expect(rep.timeline.violations).toEqual([]);
  });

  it('with the v3 table: the usable split where covered, unusable moved from available to maintenance, the stack adds up', async () => {
    const { read, rep } = await run('v3');
    const entry = read.reports.find((r) => r.source.endsWith('audit_blazar_computehosts'));
    expect(entry).toMatchObject({ status: 'read', rows_read: 8, rows_folded: 8, rows_rejected: 0 });
    expect(entry?.detail).toMatch(/1 host\(s\) only in the audit table/);
    const rows = rep.timeline.rows;
    // before the audit was installed (Jan 3) the split has no rows
    expect(rows.filter((r) => r.count_type === 'reservable_unusable' && r.timestamp < '2024-01-03T00:00:00Z')).toEqual([]);
    expect(valueAt(rows, 'reservable_unusable', '2024-01-07T12:00:00Z')).toBe(1);
    expect(valueAt(rows, 'committed_unusable', '2024-01-07T12:00:00Z')).toBe(1);
    expect(valueAt(rows, 'unusable', '2024-01-07T12:00:00Z')).toBe(0);
    expect(valueAt(rows, 'reservable_unusable', '2024-01-13T00:00:00Z')).toBe(1);
    expect(valueAt(rows, 'reservable_usable', '2024-01-13T00:00:00Z')).toBe(1);
    expect(valueAt(rows, 'unusable', '2024-01-13T00:00:00Z')).toBe(1);
    expect(valueAt(rows, 'available', '2024-01-13T00:00:00Z')).toBe(1);
    expect(valueAt(rows, 'maintenance', '2024-01-13T00:00:00Z')).toBe(1);
    expect(valueAt(rows, 'unusable', '2024-01-16T00:00:00Z')).toBe(0);
    expect(rep.timeline.violations).toEqual([]);
    // the hard-deleted host 9 is counted from its audit rows
    const audit = toEvents(read.events).filter((e) => e.entityId === '9' && e.countType === 'reservable');
    expect(audit.map((e) => [e._tag, T.toIso(e.time), e.attributes.extra.from])).toEqual([
      ['Create', '2024-01-04T00:00:00Z', 'audit'],
      ['Delete', '2024-01-05T00:00:00Z', 'audit'],
    ]);
  });

  it('reads the v1 (no audit_event_time) and the explicit layout to the same split', async () => {
    const v3 = await run('v3');
    const split = (rows: ReadonlyArray<UsageRow>) => rows.filter((r) => /usable/.test(r.count_type) && r.timestamp >= '2024-01-07T00:00:00Z').map((r) => [r.timestamp, r.count_type, r.value]);
    const explicit = await run('explicit');
    expect(explicit.read.reports.find((r) => r.source.endsWith('audit_blazar_computehosts'))?.detail).toMatch(/layout explicit/);
    expect(split(explicit.rep.timeline.rows)).toEqual(split(v3.rep.timeline.rows));
    const v1 = await run('v1');
    expect(v1.read.reports.find((r) => r.source.endsWith('audit_blazar_computehosts'))?.detail).toMatch(/layout generic, time audit_changed_at/);
    expect(split(v1.rep.timeline.rows)).toEqual(split(v3.rep.timeline.rows));
  });

  it('audits hostile rows (bad JSON, unknown kind, DELETE of an unknown id) and still reads the rest', async () => {
    const fx = await openFixture(dialect);
    try {
      await populate(fx);
      const name = await createAudit(fx, 'v3');
      for (const r of auditRows('v3')) await fx.src.knex.insert(r).into(name);
      const extra = { audit_changed_by: 'x', audit_event_time: '2024-01-20 00:00:00', audit_changed_at: '2024-01-20 00:00:00' };
      await fx.src.knex.insert({ ...extra, audit_id: 20, id: '77', audit_event_type: 'DELETE', data: JSON.stringify(snap('node-z', 1, 0)) }).into(name);
      if (dialect === 'sqlite') {
        await fx.src.knex.insert({ ...extra, audit_id: 21, id: '1', audit_event_type: 'UPDATE', data: '{"broken' }).into(name);
        await fx.src.knex.insert({ ...extra, audit_id: 22, id: '1', audit_event_type: 'MERGE', data: '{}' }).into(name);
      }
      const read = await readSite(fx.src)();
      if (Ei.isLeft(read)) throw new Error(read.left.message);
      const entry = read.right.reports.find((r) => r.source.endsWith('audit_blazar_computehosts'));
      const expected: Record<string, number> = dialect === 'sqlite' ? { delete_of_unknown_id: 1, bad_json: 1, unknown_event_type: 1 } : { delete_of_unknown_id: 1 };
      expect(entry?.rejected_by_reason).toEqual(expected);
      expect(entry && entry.rows_read).toBe(entry && entry.rows_folded + entry.rows_rejected);
    } finally {
      await fx.drop();
    }
  });
});

describeMysql('audit TIMESTAMP columns and session time zones (MariaDB)', () => {
  it('reads TIMESTAMP columns written in a +05:00 session, through a -03:00 session, as the UTC instants they are', async () => {
    const fx = await openFixture('mysql');
    let reader: Knex | undefined;
    try {
      await populate(fx);
      const name = await createAudit(fx, 'v1');
      // the writer (a service's session) is at +05:00: NOW() there is UTC + 5 h, stored as UTC
      const writer = knex(await mysqlConfig(mysqlUrl() as string, ["SET time_zone = '+05:00'"]));
      try {
        for (const r of auditRows('v1')) {
          const local = new Date(Date.parse(`${String(r.audit_changed_at).replace(' ', 'T')}Z`) + 5 * T.HOUR).toISOString().slice(0, 19).replace('T', ' ');
          await writer.insert({ ...r, audit_changed_at: local }).into(name);
        }
      } finally {
        await writer.destroy();
      }
      reader = knex(await mysqlConfig(mysqlUrl() as string, ["SET time_zone = '-03:00'"]));
      const read = await readSite({ ...fx.src, knex: reader })();
      if (Ei.isLeft(read)) throw new Error(read.left.message);
      const states = read.right.context.hostStates;
      expect(states?.coverageStart).toBe(ms('2024-01-03 00:00:00'));
      expect(states?.pieces.get('node-a')?.map((p) => T.toIso(p.start))).toEqual(['2024-01-03T00:00:00Z', '2024-01-07T00:00:00Z', '2024-01-08T00:00:00Z']);
    } finally {
      await reader?.destroy();
      await fx.drop();
    }
  });
});

describeMysql('extract copies the audit tables', () => {
  it('gives a snapshot whose host states and report equal the live read', async () => {
    const fx = await openFixture('mysql');
    const out = path.join(os.tmpdir(), `i15core-audit-${process.pid}-${Date.now().toString(36)}.sqlite`);
    try {
      await populate(fx);
      const name = await createAudit(fx, 'v3');
      for (const r of auditRows('v3')) await fx.src.knex.insert(r).into(name);
      const live = await readSite(fx.src)();
      const x = await extract({ src: fx.src, out })();
      if (Ei.isLeft(x)) throw new Error(x.left.message);
      expect(x.right.tables.find((t) => t.table === 'openstack_audit.audit_blazar_computehosts')).toMatchObject({ status: 'copied', rows: 8, target: 'openstack_audit__audit_blazar_computehosts' });
      const snap = await readSiteAt(`sqlite:${out}`, fx.src.site)();
      if (Ei.isLeft(live) || Ei.isLeft(snap)) throw new Error('read failed');
      expect(snap.right.context.hostStates).toEqual(live.right.context.hostStates);
      const rep = (r: typeof live.right) => report(options)([toSiteInput(fx.src.site)(r)]).timeline.rows;
      expect(rep(snap.right)).toEqual(rep(live.right));
    } finally {
      fs.rmSync(out, { force: true });
      await fx.drop();
    }
  });
});
