/**
 * The Grafana dashboard (docs/grafana/usage.json) against a real exported database: a small report
 * (two sites made from fixtures/smallSite.ts, January 2024, per node type) is exported to MariaDB
 * with `--export-db`, then every SQL query of the dashboard (template variables, panels,
 * annotations) is expanded the way Grafana's MySQL data source expands it (docs/grafana.md, "How
 * the dashboard is tested") and run. Each must return rows with the columns Grafana expects.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as Ei from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import { knex, type Knex } from 'knex';
import { runReport } from '../cli/report';
import * as T from '../lib/Time';
import { describeMysql, mysqlUrl, openFixture } from './fixtures/db';
import { populate } from './fixtures/smallSite';

jest.setTimeout(60_000);

interface Target {
  readonly rawSql: string;
  readonly format: 'time_series' | 'table';
  readonly datasource: { readonly type: string; readonly uid: string };
}
interface Panel {
  readonly title: string;
  readonly repeat?: string;
  readonly datasource: Target['datasource'];
  readonly targets: ReadonlyArray<Target>;
}
interface Variable {
  readonly name: string;
  readonly type: string;
  readonly query: string;
  readonly multi?: boolean;
  readonly includeAll?: boolean;
  readonly datasource?: Target['datasource'];
}
interface Dashboard {
  readonly panels: ReadonlyArray<Panel>;
  readonly templating: { readonly list: ReadonlyArray<Variable> };
  readonly annotations: { readonly list: ReadonlyArray<{ readonly name: string; readonly target?: Target; readonly datasource: { readonly uid: string } }> };
}

const dashboard = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'docs', 'grafana', 'usage.json'), 'utf8')) as Dashboard;

// the dashboard's time range in the test: December 2023 to February 2024 (unix seconds)
const FROM = Date.UTC(2023, 11, 1) / 1000;
const TO = Date.UTC(2024, 2, 1) / 1000;

/** A multi-value variable as Grafana's SQL data sources interpolate it: quoted, quotes doubled, comma-separated. */
const sqlList = (values: ReadonlyArray<string>): string => values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',');

const seconds = (interval: string): number => {
  const m = /^'?(\d+)([smhd])'?$/.exec(interval.trim());
  if (m === null) throw new Error(`interval ${interval}: not supported by the test`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
};

const timeGroup = (column: string, interval: string): string =>
  `cast(cast(UNIX_TIMESTAMP(${column.trim()})/(${seconds(interval)}) as signed)*${seconds(interval)} as signed)`;

/**
 * Grafana's MySQL macros (as `pkg/tsdb/mysql/macros.go` expands them) for a fixed time range,
 * then the template variables; throws on anything left that starts with `$`.
 */
const expand = (sql: string, vars: Readonly<Record<string, ReadonlyArray<string>>>): string => {
  let s = sql
    .replace(/\$__timeFilter\(([^)]+)\)/g, (_, c: string) => `${c.trim()} BETWEEN FROM_UNIXTIME(${FROM}) AND FROM_UNIXTIME(${TO})`)
    .replace(/\$__timeFrom\(\)/g, `FROM_UNIXTIME(${FROM})`)
    .replace(/\$__timeTo\(\)/g, `FROM_UNIXTIME(${TO})`)
    .replace(/\$__timeGroupAlias\(([^,]+),([^)]+)\)/g, (_, c: string, i: string) => `${timeGroup(c, i)} AS "time"`)
    .replace(/\$__timeGroup\(([^,]+),([^)]+)\)/g, (_, c: string, i: string) => timeGroup(c, i));
  for (const [name, values] of Object.entries(vars)) s = s.replace(new RegExp(`\\$\\{${name}(?::sqlstring)?\\}|\\$${name}\\b`, 'g'), sqlList(values));
  const left = /\$\{?\w+/.exec(s);
  if (left !== null) throw new Error(`unexpanded ${left[0]} in: ${sql}`);
  return s;
};

/** A DATETIME string read in UTC, or unix seconds, as milliseconds. */
const instant = (v: unknown): number => (typeof v === 'number' ? v * 1000 : typeof v === 'string' ? Date.parse(`${v.replace(' ', 'T')}Z`) : NaN);

describe('the dashboard file', () => {
  it('reads every query from the MySQL data source chosen by the ${datasource} variable', () => {
    const uids = [
      ...dashboard.panels.flatMap((p) => [p.datasource, ...p.targets.map((t) => t.datasource)]),
      ...dashboard.templating.list.flatMap((v) => (v.datasource === undefined ? [] : [v.datasource])),
      ...dashboard.annotations.list.filter((a) => a.target !== undefined).map((a) => a.datasource),
    ];
    expect(uids.length).toBeGreaterThan(10);
    for (const ds of uids) expect(ds).toMatchObject({ uid: '${datasource}' });
    expect(dashboard.templating.list.find((v) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'mysql' });
    expect(dashboard.templating.list.filter((v) => v.multi === true && v.includeAll === true).map((v) => v.name)).toEqual(['site', 'node_type']);
  });

  it('expands the macros and variables as documented', () => {
    expect(expand("SELECT 1 FROM t WHERE $__timeFilter(timestamp) AND site IN ($site) AND x IN (${node_type})", { site: ['a', "o'b"], node_type: ['n'] })).toBe(
      `SELECT 1 FROM t WHERE timestamp BETWEEN FROM_UNIXTIME(${FROM}) AND FROM_UNIXTIME(${TO}) AND site IN ('a','o''b') AND x IN ('n')`,
    );
    expect(() => expand('SELECT $__unixEpochFilter(t)', {})).toThrow(/unexpanded/);
    expect(() => expand('SELECT $other', {})).toThrow(/unexpanded/);
  });
});

describeMysql('the dashboard against an exported database', () => {
  const db = `cu_grafana_${process.pid}`;
  let admin: Knex;
  let k: Knex;
  const vars: Record<string, ReadonlyArray<string>> = {};

  beforeAll(async () => {
    const base = mysqlUrl() as string;
    admin = knex({ client: 'mysql2', connection: { uri: base } as Knex.MySqlConnectionConfig });
    await admin.raw(`CREATE DATABASE IF NOT EXISTS \`${db}\``);
    const fx = await openFixture('sqlite');
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-grafana-'));
    try {
      await populate(fx);
      const at = (iso: string) => O.getOrElse((): T.Millis => T.unsafeMillis(NaN))(T.fromIso(iso));
      // two sites from the same snapshot: multi-value variables select more than one
      const r = await runReport({
        targets: ['small', 'other'].map((site) => ({ site: { ...fx.src.site, site }, url: fx.url })),
        out,
        start: at('2024-01-01'),
        end: at('2024-02-01'),
        groupBy: ['node_type'],
        valueTypes: ['nodes'],
        resample: O.none,
        facts: false,
        exportDb: `${base}/${db}`,
        log: () => undefined,
      })();
      if (Ei.isLeft(r)) throw new Error(JSON.stringify(r.left));
    } finally {
      await fx.drop();
      fs.rmSync(out, { recursive: true, force: true });
    }
    // Grafana's MySQL data source runs its session in UTC (docs/grafana.md)
    k = knex({
      client: 'mysql2',
      connection: { uri: `${base}/${db}`, dateStrings: true } as Knex.MySqlConnectionConfig,
      pool: { min: 1, max: 1, afterCreate: (conn: { query: (q: string, cb: (e: Error | null) => void) => void }, done: (e: Error | null, c: unknown) => void) => conn.query("SET time_zone = '+00:00'", (e) => done(e, conn)) },
    });
  });

  afterAll(async () => {
    await k?.destroy();
    await admin?.raw(`DROP DATABASE IF EXISTS \`${db}\``);
    await admin?.destroy();
  });

  const run = async (sql: string): Promise<ReadonlyArray<Record<string, unknown>>> => ((await k.raw(sql)) as [Array<Record<string, unknown>>])[0];

  it('fills the template variables with every site and node type (All)', async () => {
    for (const v of dashboard.templating.list.filter((x) => x.type === 'query')) {
      const rows = await run(expand(v.query, vars));
      expect(rows.length).toBeGreaterThan(0);
      vars[v.name] = rows.map((r) => String(Object.values(r)[0]));
    }
    expect(vars).toEqual({ site: ['other', 'small'], node_type: ['compute_skylake'] });
  });

  it('every panel query returns time, value and metric rows inside the time range (repeated panels: per site)', async () => {
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(5);
    for (const p of dashboard.panels) {
      const runs = p.repeat === undefined ? [vars] : (vars[p.repeat] ?? []).map((one) => ({ ...vars, [p.repeat as string]: [one] }));
      expect(runs.length).toBeGreaterThan(0);
      for (const v of runs) {
        for (const t of p.targets) {
          expect(t.format).toBe('time_series');
          const rows = await run(expand(t.rawSql, v));
          const what = `${p.title} with ${JSON.stringify(v)}`;
          expect([what, rows.length > 0]).toEqual([what, true]);
          expect([what, Object.keys(rows[0])]).toEqual([what, ['time', 'value', 'metric']]);
          for (const r of rows) {
            const t = instant(r.time);
            expect(t >= FROM * 1000 && t <= TO * 1000).toBe(true);
            expect(r.value === null || typeof r.value === 'number').toBe(true);
            expect(typeof r.metric).toBe('string');
          }
          expect(rows.some((r) => typeof r.value === 'number')).toBe(true);
        }
      }
    }
  });

  it('the numbers are the report\'s: the usage stack of one site on one day, the committed share, the median lead time', async () => {
    const [stack, pct, median] = dashboard.panels;
    const day = (rows: ReadonlyArray<Record<string, unknown>>, iso: string) =>
      Object.fromEntries(rows.filter((r) => instant(r.time) === Date.parse(iso)).map((r) => [r.metric, r.value]));
    // Jan 7: nodes a and b exist (total 2), both reservable, both committed by lease L1 (Jan 5-10)
    expect(day(await run(expand(stack.targets[0].rawSql, { ...vars, site: ['small'] })), '2024-01-07T00:00:00Z')).toEqual({ total: 2, reservable: 2, committed: 2, occupied: 0 });
    expect(day(await run(expand(pct.targets[0].rawSql, vars)), '2024-01-07T00:00:00Z')).toEqual({ 'small committed %': 100, 'other committed %': 100, 'small occupied %': 0, 'other occupied %': 0 });
    // L1 booked 12 h ahead, L2 72 h ahead: median 42 h in January
    expect(day(await run(expand(median.targets[0].rawSql, vars)), '2024-01-01T00:00:00Z')).toMatchObject({ 'small compute_skylake requested': 42 });
  });

  it('the coverage-gap annotations return time, timeend and text', async () => {
    const targets = dashboard.annotations.list.flatMap((a) => (a.target === undefined ? [] : [a.target]));
    expect(targets).toHaveLength(1);
    const rows = await run(expand(targets[0].rawSql, vars));
    expect(rows.length).toBeGreaterThan(0);
    expect(Object.keys(rows[0])).toEqual(['time', 'timeend', 'text']);
    for (const r of rows) expect(instant(r.timeend)).toBeGreaterThan(instant(r.time));
    expect(String(rows[0].text)).toMatch(/no data/);
  });
});
