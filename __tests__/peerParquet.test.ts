/**
 * The peer comparison's parquet writer (bench/peer/write_parquet.py) against the reference
 * pipeline's raw schemas: every file its `process` reads, with the model's columns in order and
 * the types its pandera models coerce to. The schemas come from the unpacked reference source
 * (`.peer/src/<commit>/usage-exploration`, made by `npm run peer`) when present, else from the
 * committed copy bench/peer/schema-facts.json. Needs Python with pyarrow: skipped with one line
 * otherwise. About 2 s.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { parseModels, parseRawSchemas, parseSources, readFacts, type PeerType, type SchemaFacts } from '../bench/peer/schemaFacts';
import { ddl, qualifiedName, type DdlOptions } from '../testbed/ddl';
import { siteTables } from '../testbed/write';

const ROOT = path.resolve(__dirname, '..');
const WRITER = path.join(ROOT, 'bench', 'peer', 'write_parquet.py');

const python = ((): string | undefined => {
  for (const py of [path.join(ROOT, '.peer', 'venv', 'bin', 'python'), 'python3']) {
    const r = spawnSync(py, ['-c', 'import pyarrow'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return undefined;
})();

/** The unpacked reference source, when `npm run peer` made it. */
const unpacked = ((): { dir: string; commit: string } | undefined => {
  const base = path.join(ROOT, '.peer', 'src');
  if (!fs.existsSync(base)) return undefined;
  for (const commit of fs.readdirSync(base)) {
    const dir = path.join(base, commit, 'usage-exploration');
    if (fs.existsSync(path.join(dir, 'src', 'chameleon_usage', 'ingest', 'rawschemas.py'))) return { dir, commit };
  }
  return undefined;
})();

const facts: SchemaFacts = unpacked === undefined ? readFacts() : parseRawSchemas(unpacked.dir, unpacked.commit);

const ARROW: Record<PeerType, string> = { str: 'string', int: 'int64', float: 'double', datetime: 'timestamp[us]', date: 'date32[day]' };

describe('schema facts', () => {
  it('the committed copy names its commit and matches the unpacked source when present', () => {
    const committed = readFacts();
    expect(committed.commit).toMatch(/^[0-9a-f]{40}$/);
    if (unpacked !== undefined) expect(facts.tables).toEqual(committed.tables);
  });

  it('parses a model and a source spec', () => {
    const models = parseModels(
      'class BaseRaw(pa.DataFrameModel):\n    x: int\n\nclass A(BaseRaw):\n    id: str = pa.Field(unique=True)\n    at: pl.Datetime = pa.Field(nullable=True, coerce=True)  # note\n    n: int = pa.Field(coerce=True)\n    # skipped: str\n',
    );
    expect(models.get('A')).toEqual([
      { name: 'id', type: 'str', nullable: false, coerce: false },
      { name: 'at', type: 'datetime', nullable: true, coerce: true },
      { name: 'n', type: 'int', nullable: false, coerce: true },
    ]);
    expect(models.has('BaseRaw')).toBe(false);
    expect(parseSources('X: SourceSpec(\n "nova", "instances", raw.A\n),')).toEqual([{ file: 'nova.instances', model: 'A' }]);
    expect(() => parseModels('class B(BaseRaw):\n    y: list\n')).toThrow(/unknown type list/);
  });
});

const withPython = python === undefined ? describe.skip : describe;
if (python === undefined) process.stdout.write('peerParquet: skipped, no Python with pyarrow (npm run peer sets one up in .peer/venv)\n');

withPython('write_parquet.py', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peer-parquet-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes every table the reference pipeline reads, with its columns and coerced types', () => {
    const file = path.join(dir, 'site.sqlite');
    const db = new Database(file);
    const o: DdlOptions = { capabilityLayout: 'extra_capabilities', blazar: 'chameleon' };
    for (const key of siteTables('extra_capabilities')) for (const stmt of ddl('sqlite', key, o)) db.exec(stmt);
    db.prepare(
      `INSERT INTO ${qualifiedName('sqlite', 'nova.compute_nodes', o)} (created_at, deleted_at, id, vcpus, memory_mb, local_gb, vcpus_used, memory_mb_used, local_gb_used, hypervisor_type, hypervisor_version, cpu_info, hypervisor_hostname, cpu_allocation_ratio) VALUES ('2018-01-02 03:04:05', '0000-00-00 00:00:00', 7, 48, 1024, 200, 0, 0, 0, 'ironic', 1, '', 'node-1', 16.0)`,
    ).run();
    db.close();
    const w = spawnSync(python as string, [WRITER, file, path.join(dir, 'out')], { encoding: 'utf8' });
    expect(w.stderr).toBe('');
    expect(w.status).toBe(0);
    const written = JSON.parse(w.stdout) as Record<string, number | null>;
    expect(Object.keys(written).sort()).toEqual(facts.tables.map((t) => t.file).sort());
    expect(written['nova.compute_nodes']).toBe(1);
    expect(written['blazar.devices']).toBeNull(); // not in our snapshots: written empty

    const read = spawnSync(
      python as string,
      [
        '-c',
        `import glob, json, os, pyarrow.parquet as pq
out = {}
for f in sorted(glob.glob(os.path.join(${JSON.stringify(path.join(dir, 'out'))}, '*.parquet'))):
    t = pq.read_table(f)
    out[os.path.basename(f)[:-8]] = {'cols': [[n, str(ty)] for n, ty in zip(t.schema.names, t.schema.types)], 'rows': t.num_rows, 'first': [str(v) for v in (t.slice(0, 1).to_pylist()[0].values() if t.num_rows else [])]}
print(json.dumps(out))`,
      ],
      { encoding: 'utf8' },
    );
    expect(read.status).toBe(0);
    const got = JSON.parse(read.stdout) as Record<string, { cols: Array<[string, string]>; rows: number; first: string[] }>;
    for (const t of facts.tables) {
      expect([t.file, got[t.file]?.cols]).toEqual([t.file, t.columns.map((c) => [c.name, ARROW[c.type]])]);
    }
    const cn = facts.tables.find((t) => t.file === 'nova.compute_nodes');
    const names = (cn?.columns ?? []).map((c) => c.name);
    const first = got['nova.compute_nodes'].first;
    expect(first[names.indexOf('created_at')]).toBe('2018-01-02 03:04:05');
    expect(first[names.indexOf('deleted_at')]).toBe('None'); // MySQL's zero date, as MySQLdb returns it
    expect(first[names.indexOf('id')]).toBe('7');
    expect(first[names.indexOf('cpu_allocation_ratio')]).toBe('16.0');
    expect(got['blazar.devices'].rows).toBe(0);
  });
});
