import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeBoth, openFixture, type Fixture } from './fixtures/db';
import { populate } from './fixtures/smallSite';
import { capture } from './fixtures/cli';

// a report reads, reconstructs and draws six figures: seconds on a busy machine
jest.setTimeout(30_000);


const yamlFor = (fx: Fixture, site: string) =>
  [
    'sites:',
    `  ${site}:`,
    `    display_name: Small site`,
    `    db: ${fx.url}`,
    '    databases:',
    ...Object.entries(fx.src.site.databases).map(([k, v]) => `      ${k}: ${v}`),
    '    known_gaps:',
    '      - { count_types: [total], start: 2024-01-10, end: 2024-01-12, note: "lost rows" }',
    '',
  ].join('\n');

describeBoth('chameleon-usage report', (dialect) => {
  let fx: Fixture;
  let dir: string;
  beforeAll(async () => {
    fx = await openFixture(dialect);
    await populate(fx);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-cli-'));
  });
  afterAll(async () => {
    await fx?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads a site from a config file, writes the outputs and prints a summary', async () => {
    const config = path.join(dir, 'sites.yaml');
    fs.writeFileSync(config, yamlFor(fx, 'small'));
    const out = path.join(dir, 'out');
    const r = await capture(['report', '--config', config, '--out', out, '--start', '2024-01-01', '--end', '2024-02-01', '--resample', '1d', '--group-by', 'node_type']);
    expect(r.err).toMatch(/small: 9\/9 sources read, 14 rows, 2 rejected/);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(path.join(out, 'data')).sort()).toEqual(['audit.json', 'booking_timeline.csv', 'leadtime_stats.json', 'leadtime_timeline.csv', 'leadtime_timeline.json', 'projected_leadtime.csv', 'usage_daily.csv', 'usage_timeline.csv', 'usage_timeline.json', 'utilization_monthly.csv']);
    const audit = JSON.parse(fs.readFileSync(path.join(out, 'data', 'audit.json'), 'utf8'));
    const total = audit.coverage.find((c: { count_type: string }) => c.count_type === 'total');
    expect(total.gaps).toEqual([{ start: '2024-01-10T00:00:00Z', end: '2024-01-12T00:00:00Z', reason: 'known gap: lost rows' }]);
    const rows = fs.readFileSync(path.join(out, 'data', 'usage_timeline.csv'), 'utf8');
    // no total rows inside the known gap
    expect(rows).not.toMatch(/2024-01-10T00:00:00Z,new,total,/);
    expect(rows).toMatch(/2024-01-12T00:00:00Z,new,total,nodes,2,compute_skylake/);
  });

  it('writes utilization_monthly.csv and exports it with --export-db', async () => {
    const config = path.join(dir, 'sites.yaml');
    fs.writeFileSync(config, yamlFor(fx, 'small'));
    const out = path.join(dir, 'out-util');
    const db = path.join(dir, 'dash.sqlite');
    const r = await capture(['report', '--config', config, '--out', out, '--start', '2024-01-01', '--end', '2024-03-01', '--export-db', `sqlite:${db}`, '--no-plots', '--quiet']);
    expect(r.code).toBe(0);
    const lines = fs.readFileSync(path.join(out, 'data', 'utilization_monthly.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('site,month,node_type,value_type,reservable,committed,occupied,active,committed_pct,occupied_pct,active_pct');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(expect.arrayContaining(['small,2024-01,all', 'small,2024-02,all', 'small,2024-01,compute_skylake']));
    const k = (await import('knex')).knex({ client: 'better-sqlite3', connection: { filename: db }, useNullAsDefault: true });
    try {
      const exported = await k('utilization_monthly').select('site', 'month', 'node_type').orderBy(['node_type', 'month']);
      expect(exported.length).toBe(lines.length - 1);
      expect(exported[0]).toEqual({ site: 'small', month: '2024-01', node_type: 'all' });
    } finally {
      await k.destroy();
    }
  });
});

describe('chameleon-usage, bad input', () => {
  it('rejects an unknown bucket with exit code 2', async () => {
    const r = await capture(['report', '--db', 'sqlite:nope.sqlite', '--site', 'x', '--resample', '2d']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--resample/);
  });

  it('rejects an unknown group column and value type with exit code 2', async () => {
    expect((await capture(['report', '--db', 'sqlite:x', '--site', 'x', '--group-by', 'rack'])).err).toMatch(/--group-by rack/);
    expect((await capture(['report', '--db', 'sqlite:x', '--site', 'x', '--value-types', 'watts'])).code).toBe(2);
  });

  it('fails with exit code 3 on a closed port, without a stack trace or the password', async () => {
    // knex logs connection errors with a stack on the console unless told not to
    const logged = (['log', 'warn', 'error'] as const).map((m) => jest.spyOn(console, m).mockImplementation(() => undefined));
    const r = await capture(['report', '--db', 'mysql://root:hunter2@127.0.0.1:1', '--site', 'x']);
    for (const spy of logged) {
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
    }
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/cannot connect/);
    expect(r.err).not.toMatch(/hunter2/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('needs a site', async () => {
    expect((await capture(['report', '--db', 'sqlite:x'])).code).toBe(2);
  });

  it('prints grant statements for a read-only user', async () => {
    const r = await capture(['grants', '--user', 'usage_reader']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/CREATE USER IF NOT EXISTS 'usage_reader'@'%'/);
    expect(r.out).toMatch(/GRANT SELECT ON `nova`.`instances` TO 'usage_reader'@'%';/);
    expect(r.out).not.toMatch(/GRANT (ALL|INSERT|UPDATE|DELETE)/);
  });
});
