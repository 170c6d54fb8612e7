/**
 * The real services write the rows (issue 14): every scenario of `__tests__/real-services/scenarios/`
 * is played by `driver.py` through Nova's objects (python3-nova, Zed) and Chameleon's Blazar fork's
 * db api into databases their own migrations built; then `report` reads them from MariaDB and its
 * outputs must equal the scenario's declared truth exactly: every count type's step function over
 * the window, the lead times, and the audit's rows read and rejections per source. Then `extract`
 * copies the site to a SQLite snapshot and `report` on it must write the same bytes.
 *
 * Runs when `CHAMELEON_TEST_MYSQL_URL` is set and the services are installed
 * (`scripts/real-services/setup.sh`); `scripts/real-services/test.sh` does both. With
 * `CHAMELEON_TEST_REAL_SERVICES=1` (set by that script and by scripts/test.sh) missing services
 * fail instead of skipping.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { capture } from '../fixtures/cli';
import { mysqlUrl } from '../fixtures/db';

const ROOT = path.resolve(__dirname, '..', '..');
const HERE = __dirname;
const PYTHON = process.env.REAL_SERVICES_PYTHON ?? '/usr/bin/python3';
const BLAZAR = process.env.BLAZAR_SRC ?? path.join(ROOT, '.real-services', 'blazar-chameleon-2023.1');
const SITE = 'rs';

interface Truth {
  readonly name: string;
  readonly doc: string;
  readonly window: { readonly start: string; readonly end: string };
  readonly group_by: string | null;
  readonly operator_projects: ReadonlyArray<string>;
  readonly site_config: Record<string, unknown>;
  /** The scenario installs the audit tables: its `openstack_audit` database is mapped (issue 15). */
  readonly audit?: boolean;
  readonly steps: Record<string, Array<[string, number]>>;
  readonly lead_times: ReadonlyArray<{ readonly timestamp: string; readonly leadtime_type: string; readonly seconds: number }>;
  readonly rows_read: Record<string, number>;
  readonly rejected: Record<string, Record<string, number>>;
}

const scenarios = fs
  .readdirSync(path.join(HERE, 'scenarios'))
  .filter((f) => /^s\d+_.*\.py$/.test(f))
  .map((f) => f.replace(/\.py$/, ''))
  .sort();
/** Scenarios marked `HEAVY = True` are played by a second driver on their own databases, in
 * parallel with the others (the services' commits, not our report, take their time). */
const heavy = new Set(scenarios.filter((n) => /^HEAVY = True$/m.test(fs.readFileSync(path.join(HERE, 'scenarios', `${n}.py`), 'utf8'))));

/** Why the suite cannot run here, or null. */
const missing = (): string | null => {
  if (mysqlUrl() === undefined) return 'CHAMELEON_TEST_MYSQL_URL is not set';
  if (!fs.existsSync(path.join(BLAZAR, 'blazar'))) return `Blazar is not unpacked in ${BLAZAR}`;
  try {
    execFileSync(PYTHON, ['-c', 'import nova.objects, pymysql'], { stdio: 'ignore' });
  } catch {
    return `${PYTHON} cannot import nova (python3-nova)`;
  }
  return null;
};

const why = missing();
const required = process.env.CHAMELEON_TEST_REAL_SERVICES === '1';
if (why !== null && !required) console.info(`real-services scenarios skipped: ${why} (run scripts/real-services/test.sh)`);
const describeReal = why === null || required ? describe : describe.skip;

/** The driver's `serve` loop: one JSON request per line, one answer per line. */
class Driver {
  private readonly lines: AsyncIterator<string>;
  constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    this.lines = readline.createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  }
  async next(): Promise<Record<string, unknown>> {
    const r = await this.lines.next();
    if (r.done === true) throw new Error('the scenario driver exited');
    return JSON.parse(r.value) as Record<string, unknown>;
  }
  async play(name: string): Promise<Truth> {
    this.proc.stdin.write(`${JSON.stringify({ play: name })}\n`);
    const a = await this.next();
    if (a.ok !== true) throw new Error(`scenario ${name} failed in the driver:\n${String(a.error)}`);
    return a.truth as Truth;
  }
  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.stdin.end();
    const timer = setTimeout(() => this.proc.kill(), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

const saUrl = (url: string): string => url.replace(/^mysql:/, 'mysql+pymysql:').replace(/\/+$/, '');

const yamlConfig = (prefix: string, t: Truth): string =>
  JSON.stringify({
    sites: {
      [SITE]: {
        databases: {
          nova: `${prefix}_nova`,
          nova_api: `${prefix}_nova_api`,
          blazar: `${prefix}_blazar`,
          chameleon_usage: `${prefix}_chameleon_usage`,
          ...(t.audit === true ? { openstack_audit: `${prefix}_openstack_audit` } : {}),
        },
        operator_projects: t.operator_projects,
        ...t.site_config,
      },
    },
  });

const readJson = <A>(dir: string, file: string): A => JSON.parse(fs.readFileSync(path.join(dir, 'data', file), 'utf8')) as A;

/** The report's usage timeline as step functions keyed like the truth's. */
const stepsOf = (dir: string, groupBy: string | null): Record<string, Array<[string, number]>> => {
  const rows = readJson<Array<Record<string, string | number>>>(dir, 'usage_timeline.json');
  const out: Record<string, Array<[string, number]>> = {};
  for (const r of rows) {
    if (r.collector_type !== 'new') continue;
    const key = `${r.count_type}|${r.value_type}${groupBy === 'node_type' ? `|${r.node_type}` : ''}`;
    (out[key] ??= []).push([String(r.timestamp), Number(r.value)]);
  }
  return out;
};

/** Lead times as (timestamp, type) -> hours, and the truth's differences from them. */
const leadDiffs = (dir: string, t: Truth): string[] => {
  const rows = readJson<Array<{ timestamp: string; leadtime_type: string; value: number }>>(dir, 'leadtime_timeline.json');
  const got = new Map(rows.map((r) => [`${r.timestamp} ${r.leadtime_type}`, r.value]));
  const diffs: string[] = [];
  for (const l of t.lead_times) {
    const k = `${l.timestamp} ${l.leadtime_type}`;
    const v = got.get(k);
    const want = l.seconds / 3600;
    // the report prints hours with 6 decimals: equal up to that precision
    if (v === undefined || Math.abs(v - want) > 5e-7) diffs.push(`${k}: report ${v}, truth ${want}`);
    got.delete(k);
  }
  for (const [k, v] of got) diffs.push(`${k}: report ${v}, not in the truth`);
  return diffs;
};

/** rows_read (non-zero) and rejections per logical source table. */
const auditOf = (dir: string, prefix: string) => {
  const audit = readJson<{ sources: Array<{ source: string; status: string; rows_read: number; rejected_by_reason: Record<string, number> }> }>(dir, 'audit.json');
  const logical = (s: string) => s.replace(`${prefix}_`, '');
  const rows: Record<string, number> = {};
  const rejected: Record<string, Record<string, number>> = {};
  for (const s of audit.sources) {
    if (s.rows_read > 0) rows[logical(s.source)] = s.rows_read;
    if (Object.keys(s.rejected_by_reason).length > 0) rejected[logical(s.source)] = s.rejected_by_reason;
  }
  return { rows, rejected };
};

describeReal('real services: scenarios played by Nova and Chameleon Blazar', () => {
  // REAL_SERVICES_PREFIX: reuse databases synced before (schemas.py create --prefix P), kept after
  const reuse = process.env.REAL_SERVICES_PREFIX;
  const prefix = reuse ?? `cu${process.pid}rs`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'real-services-'));
  let driver: Driver | undefined;
  let heavyDriver: Driver | undefined;
  const heavyTruths = new Map<string, Promise<Truth>>();
  const schemas = (...args: string[]) =>
    execFileSync(PYTHON, [path.join(ROOT, 'scripts', 'real-services', 'schemas.py'), ...args, '--url', mysqlUrl() as string], { stdio: ['ignore', 'ignore', 'inherit'] });
  const startDriver = (p: string): Driver => {
    const proc = spawn(PYTHON, [path.join(HERE, 'driver.py'), 'serve', '--prefix', p, '--url', saUrl(mysqlUrl() as string), '--blazar', BLAZAR], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-20000);
    });
    proc.on('exit', (code) => {
      if (code !== 0 && code !== null) console.error(`driver exited with ${code}:\n${stderr}`);
    });
    return new Driver(proc);
  };

  beforeAll(async () => {
    if (why !== null) throw new Error(`real-services scenarios cannot run: ${why}`);
    // the real schemas, synced once for the whole run; each scenario empties the tables
    if (reuse === undefined) schemas('create', '--prefix', prefix);
    driver = startDriver(prefix);
    if (heavy.size > 0) {
      schemas('clone', '--from', prefix, '--prefix', `${prefix}h`);
      heavyDriver = startDriver(`${prefix}h`);
      const d = heavyDriver;
      expect((await d.next()).ready).toBe(true);
      // played one after another by the second driver while the first plays the others
      let chain: Promise<unknown> = Promise.resolve();
      for (const n of heavy) {
        const p = chain.then(() => d.play(n));
        p.catch(() => undefined);
        heavyTruths.set(n, p);
        chain = p.catch(() => undefined);
      }
    }
    const ready = await driver.next();
    expect(ready.scenarios).toEqual(scenarios);
  }, 600_000);

  afterAll(async () => {
    await driver?.close();
    await heavyDriver?.close();
    if (why === null && heavy.size > 0) schemas('drop', '--prefix', `${prefix}h`);
    if (why === null && reuse === undefined) schemas('drop', '--prefix', prefix);
    fs.rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  test('there are at least 15 scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(15);
  });

  // heavy scenarios last: the others run while the second driver plays them
  test.each([...scenarios.filter((n) => !heavy.has(n)), ...heavy])('%s', async (name) => {
    const t = await (heavyTruths.get(name) ?? (driver as Driver).play(name));
    const p = heavy.has(name) ? `${prefix}h` : prefix;
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir, { recursive: true });
    const config = path.join(dir, 'sites.yaml');
    fs.writeFileSync(config, yamlConfig(p, t));
    const common = ['--config', config, '--site', SITE];
    const reportArgs = [...common, '--start', t.window.start, '--end', t.window.end, '--value-types', 'all', '--no-plots', '--quiet', ...(t.group_by === null ? [] : ['--group-by', t.group_by])];

    const fromMysql = await capture(['report', '--db', mysqlUrl() as string, ...reportArgs, '--out', path.join(dir, 'mysql')]);
    expect(fromMysql.err).toBe('');
    expect(fromMysql.code).toBe(0);
    const out = path.join(dir, 'mysql');
    expect(stepsOf(out, t.group_by)).toEqual(t.steps);
    expect(leadDiffs(out, t)).toEqual([]);
    expect(auditOf(out, p)).toEqual({ rows: t.rows_read, rejected: t.rejected });

    const snapshot = path.join(dir, 'snapshot.sqlite');
    const ex = await capture(['extract', '--db', mysqlUrl() as string, ...common, '--out', snapshot]);
    expect(ex.code).toBe(0);
    const fromSqlite = await capture(['report', '--db', `sqlite:${snapshot}`, ...reportArgs, '--out', path.join(dir, 'sqlite')]);
    expect(fromSqlite.code).toBe(0);
    const files = fs.readdirSync(path.join(out, 'data')).sort();
    expect(fs.readdirSync(path.join(dir, 'sqlite', 'data')).sort()).toEqual(files);
    for (const f of files) {
      const a = fs.readFileSync(path.join(out, 'data', f));
      const b = fs.readFileSync(path.join(dir, 'sqlite', 'data', f));
      expect({ file: f, same: a.equals(b) }).toEqual({ file: f, same: true });
    }
  }, 1_200_000);
});
