/**
 * Schema conformance: every column the adapters read exists in the real services' schemas with a
 * type the adapter decodes and a nullability it handles.
 *
 * Which columns are read is not declared by hand: the test reads a site (every event, legacy and
 * lease adapter, the context, the audits) from a SQLite fixture with the real DDL, captures every
 * statement the adapters send (knex's `query` event, which `streamRows` also emits), and asks
 * SQLite which table columns each statement reads (`EXPLAIN`: the `Column` and `Rowid` opcodes of
 * every table or index cursor). What the adapters expect of each column is declared below
 * (`EXPECTED`, taken from their codecs); the test fails when a column is read without an
 * expectation or an expectation names a column no query reads, so neither list can drift.
 *
 * The real schema is `testbed/realDdl.generated.ts` (dumped from the schemas Nova and Chameleon
 * Blazar build); with MariaDB and python3-nova available the second suite builds those schemas
 * afresh (`scripts/real-services/schemas.py create`) and checks both the adapters' columns and
 * the generated file against their information_schema.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import * as Ei from 'fp-ts/Either';
import { knex } from 'knex';
import { readSite } from '../adapters/readSite';
import { knexConfig } from '../adapters/Source';
import { realTables, type RealColumn, type RealTableKey } from '../testbed/ddl';
import { mysqlUrl, openFixture } from './fixtures/db';
import { tableKeys } from './fixtures/ddl';
import { populate, populateDevices } from './fixtures/smallSite';

// -------------------------------------------------------------------------------------
// what the adapters expect
// -------------------------------------------------------------------------------------

/**
 * Per column read: its type family and how the adapter takes NULL.
 * - `int`, `str` (char, varchar, text, enum), `date` (datetime, timestamp, date), `text`
 *   (serialized JSON: text types);
 * - suffix `?`: the codec decodes NULL; `~`: the codec does not, but the query's WHERE clause
 *   keeps NULLs out; none: the adapter assumes NOT NULL (a NULL would be rejected as bad data).
 */
type Expect = `${'int' | 'str' | 'date' | 'text'}${'' | '?' | '~'}`;

const STAMPS = { created_at: 'date?', updated_at: 'date?', deleted_at: 'date?' } as const;
const NOVA_NODE = { ...STAMPS, id: 'int', host: 'str?', hypervisor_hostname: 'str?', hypervisor_type: 'str?', vcpus: 'int', memory_mb: 'int', local_gb: 'int', deleted: 'int?' } as const;
const NOVA_INSTANCE = {
  id: 'int',
  uuid: 'str',
  created_at: 'date?',
  launched_at: 'date?',
  terminated_at: 'date?',
  deleted_at: 'date?',
  node: 'str?',
  vcpus: 'int?',
  memory_mb: 'int?',
  root_gb: 'int?',
  project_id: 'str?',
  power_state: 'int?',
} as const;
const NOVA_ACTION = { id: 'int', instance_uuid: 'str?' } as const;
const NOVA_ACTION_EVENT = { id: 'int', event: 'str~', result: 'str?', start_time: 'date?', host: 'str?', action_id: 'int?' } as const;

const EXPECTED: Readonly<Partial<Record<RealTableKey, Readonly<Record<string, Expect>>>>> = {
  'nova.compute_nodes': NOVA_NODE,
  'nova.shadow_compute_nodes': NOVA_NODE,
  'nova.instances': NOVA_INSTANCE,
  'nova.shadow_instances': NOVA_INSTANCE,
  'nova.instance_actions': NOVA_ACTION,
  'nova.shadow_instance_actions': NOVA_ACTION,
  'nova.instance_actions_events': NOVA_ACTION_EVENT,
  'nova.shadow_instance_actions_events': NOVA_ACTION_EVENT,
  'nova_api.request_specs': { instance_uuid: 'str', spec: 'text?' },
  'blazar.computehosts': { ...STAMPS, id: 'str', hypervisor_hostname: 'str?', vcpus: 'int', memory_mb: 'int', local_gb: 'int', deleted: 'str?' },
  'blazar.computehost_extra_capabilities': {
    created_at: 'date?',
    updated_at: 'date?',
    id: 'str',
    computehost_id: 'str?',
    capability_value: 'text?',
    property_id: 'str?',
    deleted: 'str?',
  },
  'blazar.resource_properties': { id: 'str', property_name: 'str~', resource_type: 'str?', deleted: 'str?' },
  'blazar.computehost_allocations': { id: 'str', reservation_id: 'str?', compute_host_id: 'str?' },
  'blazar.reservations': { id: 'str?', lease_id: 'str?', resource_id: 'str?', resource_type: 'str?' },
  'blazar.instance_reservations': { id: 'str', reservation_id: 'str?', created_at: 'date?', vcpus: 'int?', memory_mb: 'int?', disk_gb: 'int?' },
  'blazar.leases': { id: 'str?', name: 'str?', project_id: 'str?', created_at: 'date?', start_date: 'date?', end_date: 'date?', deleted_at: 'date?', updated_at: 'date?' },
  'blazar.events': { id: 'str', lease_id: 'str?', event_type: 'str~', status: 'str?', updated_at: 'date?', time: 'date?', deleted: 'str?', deleted_at: 'date?' },
  'blazar.devices': { ...STAMPS, id: 'str', name: 'str?', device_type: 'str?', device_driver: 'str?', deleted: 'str?' },
  'blazar.device_extra_capabilities': { id: 'str', device_id: 'str?', property_id: 'str~', capability_value: 'str?', created_at: 'date?', updated_at: 'date?', deleted: 'str?' },
  'blazar.device_allocations': { id: 'str', reservation_id: 'str?', device_id: 'str?' },
};

/** Whether a real column type belongs to a type family. */
const inFamily = (family: string, type: string): boolean => {
  const t = type.toLowerCase();
  switch (family) {
    case 'int':
      return /^(tiny|small|medium|big)?int\b/.test(t);
    case 'str':
      return /^(var)?char\(|^(tiny|medium|long)?text$|^enum\(/.test(t);
    case 'date':
      return /^(datetime|timestamp|date)\b/.test(t);
    case 'text':
      return /^(tiny|medium|long)?text$/.test(t);
    default:
      return false;
  }
};

/** `db.table.column` read by the adapters, in SQLite fixture naming turned back to logical keys. */
type ColumnsRead = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * The mismatches between what the adapters read and expect and a real schema: one line each.
 *
 * @param real the real tables (generated file or information_schema), by logical key
 */
const mismatches = (read: ColumnsRead, real: (key: string) => ReadonlyArray<RealColumn> | undefined): string[] => {
  const out: string[] = [];
  for (const [key, cols] of [...read].sort(([a], [b]) => a.localeCompare(b))) {
    const table = real(key);
    if (table === undefined) {
      if (!key.startsWith('chameleon_usage.')) out.push(`${key}: read by the adapters, not in the real schema`);
      continue;
    }
    const expected = EXPECTED[key as RealTableKey] ?? {};
    for (const col of [...cols].sort()) {
      const r = table.find((c) => c.name === col);
      const e = expected[col];
      if (r === undefined) out.push(`${key}.${col}: read by the adapters, missing from the real schema`);
      else if (e === undefined) out.push(`${key}.${col}: read by the adapters without an expectation in EXPECTED`);
      else {
        const family = e.replace(/[?~]$/, '');
        if (!inFamily(family, r.type)) out.push(`${key}.${col}: the adapters decode ${family}, the real column is ${r.type}`);
        if (r.nullable && !e.endsWith('?') && !e.endsWith('~')) out.push(`${key}.${col}: the adapters assume NOT NULL, the real column is nullable`);
      }
    }
  }
  for (const [key, cols] of Object.entries(EXPECTED)) {
    for (const col of Object.keys(cols ?? {})) if (!read.get(key)?.has(col)) out.push(`${key}.${col}: in EXPECTED but read by no query`);
  }
  return out;
};

// -------------------------------------------------------------------------------------
// which columns a statement reads
// -------------------------------------------------------------------------------------

interface Op {
  opcode: string;
  p1: number;
  p2: number;
  p4: string | number | null;
}

/** Index seeks and comparisons: the first `p4` columns of the index are compared with a key. */
const SEEKS = new Set(['SeekGE', 'SeekGT', 'SeekLE', 'SeekLT', 'IdxGE', 'IdxGT', 'IdxLE', 'IdxLT', 'Found', 'NotFound', 'NoConflict']);

/** The columns a SELECT reads, as `logical db.table` -> columns, from SQLite's bytecode. */
const columnsReadBy = (db: Database.Database, sql: string, bindings: ReadonlyArray<unknown>, into: Map<string, Set<string>>): void => {
  const master = db.prepare('select type, name, tbl_name, rootpage from sqlite_master where rootpage > 0').all() as Array<{ type: string; name: string; tbl_name: string; rootpage: number }>;
  const byPage = new Map(master.map((m) => [m.rootpage, m]));
  const tableCols = (t: string) => (db.prepare('select name, pk, type from pragma_table_info(?) order by cid').all(t) as Array<{ name: string; pk: number; type: string }>);
  const indexCols = (i: string) => (db.prepare('select name from pragma_index_info(?) order by seqno').all(i) as Array<{ name: string | null }>).map((r) => r.name);
  const rowidCol = (t: string) => {
    const pks = tableCols(t).filter((c) => c.pk > 0);
    return pks.length === 1 && pks[0].type.toUpperCase() === 'INTEGER' ? pks[0].name : undefined;
  };
  const ops = db.prepare(`EXPLAIN ${sql}`).all(...(bindings as unknown[])) as Op[];
  const cursors = new Map<number, { table: string; index?: string }>();
  const add = (table: string, col: string | null | undefined) => {
    if (col === null || col === undefined) return;
    const key = table.replace('__', '.');
    if (!into.has(key)) into.set(key, new Set());
    into.get(key)?.add(col);
  };
  for (const op of ops) {
    if (op.opcode === 'OpenRead' || op.opcode === 'ReopenIdx') {
      const m = byPage.get(op.p2);
      if (m !== undefined) cursors.set(op.p1, m.type === 'index' ? { table: m.tbl_name, index: m.name } : { table: m.tbl_name });
    } else if (op.opcode === 'OpenDup') {
      const c = cursors.get(op.p2);
      if (c !== undefined) cursors.set(op.p1, c);
    } else if (op.opcode === 'Column') {
      const c = cursors.get(op.p1);
      if (c === undefined) continue;
      if (c.index === undefined) add(c.table, tableCols(c.table)[op.p2]?.name);
      else add(c.table, indexCols(c.index)[op.p2] ?? rowidCol(c.table));
    } else if (SEEKS.has(op.opcode)) {
      const c = cursors.get(op.p1);
      if (c?.index === undefined) continue;
      const n = Number(op.p4);
      for (const col of indexCols(c.index).slice(0, Number.isInteger(n) && n > 0 ? n : undefined)) add(c.table, col);
    } else if (op.opcode === 'Rowid' || op.opcode === 'SeekRowid' || op.opcode === 'NotExists') {
      // (IdxRowid and DeferredSeek fetch a table row found through an index: no column asked for)
      const c = cursors.get(op.p1);
      if (c !== undefined) add(c.table, rowidCol(c.table));
    }
  }
};

/** A probe (`select * from t limit 0`) or a catalogue query reads no column values. */
const isProbe = (sql: string): boolean => /^select \* from \S+ limit 0$/i.test(sql.trim()) || /pragma_table_info|information_schema/i.test(sql);

/** Reads the small site on a SQLite fixture with the real DDL; returns the columns its statements read. */
const captureColumnsRead = async (): Promise<ColumnsRead> => {
  // the small site with Blazar devices too (an optional source, read only where present)
  const fx = await openFixture('sqlite', { tables: tableKeys.filter((k) => k !== 'blazar.extra_capabilities') });
  try {
    await populate(fx);
    await populateDevices(fx);
    const seen: Array<{ sql: string; bindings: ReadonlyArray<unknown> }> = [];
    fx.src.knex.on('query', (q: { sql: string; bindings?: ReadonlyArray<unknown> }) => seen.push({ sql: q.sql, bindings: q.bindings ?? [] }));
    const r = await readSite(fx.src)();
    if (Ei.isLeft(r)) throw new Error(r.left.message);
    expect(r.right.events.length).toBeGreaterThan(0);
    const file = (fx.src.knex.client as { connectionSettings: { filename: string } }).connectionSettings.filename;
    const db = new Database(file, { readonly: true });
    const read = new Map<string, Set<string>>();
    try {
      for (const s of seen) if (!isProbe(s.sql)) columnsReadBy(db, s.sql, s.bindings, read);
    } finally {
      db.close();
    }
    return read;
  } finally {
    await fx.drop();
  }
};

// -------------------------------------------------------------------------------------
// tests
// -------------------------------------------------------------------------------------

describe('schema conformance: the adapters against the real schemas (generated DDL)', () => {
  let read: ColumnsRead;
  beforeAll(async () => {
    read = await captureColumnsRead();
  });

  it('captures the columns of every source table the adapters read', () => {
    // a sanity floor: the capture saw the main sources, and the join columns as well as selected ones
    expect([...read.keys()]).toEqual(expect.arrayContaining(['nova.compute_nodes', 'nova.instances', 'nova_api.request_specs', 'blazar.leases', 'blazar.events', 'blazar.computehost_allocations']));
    expect(read.get('blazar.events')).toEqual(new Set(['id', 'lease_id', 'event_type', 'status', 'updated_at', 'time', 'deleted', 'deleted_at']));
    expect(read.get('nova_api.request_specs')).toEqual(new Set(['instance_uuid', 'spec']));
  });

  it('finds every column read in the real schema, with the type and nullability the adapters expect', () => {
    expect(mismatches(read, (key) => realTables[key as RealTableKey]?.columns)).toEqual([]);
  });

  it('reports a missing column, a type and a nullability mismatch (the check can fail)', () => {
    const cols = (key: RealTableKey) => realTables[key].columns;
    const broken = (key: string): ReadonlyArray<RealColumn> | undefined => {
      if (key === 'nova.compute_nodes') return cols('nova.compute_nodes').filter((c) => c.name !== 'hypervisor_hostname');
      if (key === 'blazar.leases') return cols('blazar.leases').map((c) => (c.name === 'start_date' ? { ...c, type: 'int(11)' } : c));
      if (key === 'nova.instances') return cols('nova.instances').map((c) => (c.name === 'uuid' ? { ...c, nullable: true } : c));
      return realTables[key as RealTableKey]?.columns;
    };
    expect(mismatches(read, broken)).toEqual([
      'blazar.leases.start_date: the adapters decode date, the real column is int(11)',
      'nova.compute_nodes.hypervisor_hostname: read by the adapters, missing from the real schema',
      'nova.instances.uuid: the adapters assume NOT NULL, the real column is nullable',
    ]);
  });
});

// -------------------------------------------------------------------------------------
// against freshly synced schemas
// -------------------------------------------------------------------------------------

const ROOT = path.resolve(__dirname, '..');
const PY = '/usr/bin/python3';

/** Why the live suite cannot run, or undefined when it can. */
const liveUnavailable = (): string | undefined => {
  if (mysqlUrl() === undefined) return 'CHAMELEON_TEST_MYSQL_URL is not set';
  const p = spawnSync(PY, ['-c', 'import importlib.util as u, sys; sys.exit(0 if u.find_spec("nova") and u.find_spec("pymysql") else 1)']);
  if (p.status !== 0) return 'python3-nova is not installed (bash scripts/real-services/setup.sh installs it)';
  return undefined;
};

const why = liveUnavailable();
if (why !== undefined) console.info(`schema conformance on freshly synced Nova and Blazar schemas skipped: ${why}`);

(why === undefined ? describe : describe.skip)('schema conformance: against schemas synced by Nova and Blazar (MariaDB)', () => {
  const prefix = `rsc${process.pid}`;
  const url = mysqlUrl() ?? '';
  let live: Map<string, RealColumn[]>;
  let liveKeys: Map<string, { primaryKey: string[]; indexes: Array<{ name: string; unique: boolean; columns: string[] }> }>;
  let read: ColumnsRead;

  beforeAll(async () => {
    const setup = spawnSync('bash', [path.join(ROOT, 'scripts/real-services/setup.sh')], { encoding: 'utf8' });
    if (setup.status !== 0) throw new Error(`setup.sh failed: ${setup.stderr}`);
    const create = spawnSync(PY, [path.join(ROOT, 'scripts/real-services/schemas.py'), 'create', '--prefix', prefix, '--url', url], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: setup.stdout.trim() },
    });
    if (create.status !== 0) throw new Error(`schemas.py create failed: ${create.stderr}${create.stdout}`);
    const cfg = await knexConfig(url)();
    if (Ei.isLeft(cfg)) throw new Error(cfg.left.message);
    const k = knex(cfg.right.config);
    try {
      const rows: Array<{ s: string; t: string; c: string; type: string; n: string; d: string | null; x: string }> = (
        await k.raw(
          `select table_schema as s, table_name as t, column_name as c, column_type as type, is_nullable as n, column_default as d, extra as x
           from information_schema.columns where table_schema in (?, ?, ?) order by table_schema, table_name, ordinal_position`,
          [`${prefix}_nova`, `${prefix}_nova_api`, `${prefix}_blazar`],
        )
      )[0];
      live = new Map();
      for (const r of rows) {
        const key = `${r.s.slice(prefix.length + 1)}.${r.t}`;
        if (!live.has(key)) live.set(key, []);
        live.get(key)?.push({ name: r.c, type: r.type, nullable: r.n === 'YES', default: r.d === 'NULL' ? null : r.d, autoIncrement: /auto_increment/.test(r.x) });
      }
      const stats: Array<{ s: string; t: string; i: string; u: number | string; c: string }> = (
        await k.raw(
          `select table_schema as s, table_name as t, index_name as i, non_unique as u, column_name as c
           from information_schema.statistics where table_schema in (?, ?, ?) order by table_schema, table_name, index_name, seq_in_index`,
          [`${prefix}_nova`, `${prefix}_nova_api`, `${prefix}_blazar`],
        )
      )[0];
      liveKeys = new Map();
      for (const r of stats) {
        const key = `${r.s.slice(prefix.length + 1)}.${r.t}`;
        if (!liveKeys.has(key)) liveKeys.set(key, { primaryKey: [], indexes: [] });
        const t = liveKeys.get(key) as { primaryKey: string[]; indexes: Array<{ name: string; unique: boolean; columns: string[] }> };
        if (r.i === 'PRIMARY') t.primaryKey.push(r.c);
        else {
          let idx = t.indexes.find((x) => x.name === r.i);
          if (idx === undefined) t.indexes.push((idx = { name: r.i, unique: Number(r.u) === 0, columns: [] }));
          idx.columns.push(r.c);
        }
      }
    } finally {
      await k.destroy();
    }
    read = await captureColumnsRead();
  }, 900_000);

  afterAll(() => {
    spawnSync(PY, [path.join(ROOT, 'scripts/real-services/schemas.py'), 'drop', '--prefix', prefix, '--url', url]);
  });

  it('finds every column the adapters read in the synced schemas, with the expected type and nullability', () => {
    expect(live.size).toBeGreaterThan(100);
    expect(mismatches(read, (key) => live.get(key))).toEqual([]);
  });

  it('has the generated DDL (testbed/realDdl.generated.ts) equal to the synced schemas (else: bash scripts/real-services/dump-ddl.sh)', () => {
    const stale: string[] = [];
    for (const [key, t] of Object.entries(realTables)) {
      const l = live.get(key);
      if (JSON.stringify(l) !== JSON.stringify(t.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, default: c.default, autoIncrement: c.autoIncrement })))) stale.push(`${key} columns`);
      const keys = liveKeys.get(key);
      // in code-point order, as the dump sorts them (Python)
      const indexes = [...(keys?.indexes ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      if (JSON.stringify(keys?.primaryKey ?? []) !== JSON.stringify(t.primaryKey)) stale.push(`${key} primary key`);
      if (JSON.stringify(indexes) !== JSON.stringify(t.indexes.map((i) => ({ name: i.name, unique: i.unique, columns: i.columns })))) stale.push(`${key} indexes`);
    }
    expect(stale).toEqual([]);
  });
});
