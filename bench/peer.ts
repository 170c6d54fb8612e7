/**
 * `npm run peer -- [--scale 1[,3]] [--sites chi_tacc,chi_uc,kvm_tacc] [--runs 3] [--targets ...]
 * [--tools ...] [--no-speed] [--no-accuracy]`: our `report` side by side with the reference pipeline
 * (ChameleonCloud/usage-exploration, its `process` command) on the same testbed snapshots.
 *
 * 1. sets up Python (a venv in `.peer/venv`, the reference pipeline's dependencies from the
 *    machine's configured package index) and unpacks the reference pipeline's source into
 *    `.peer/src` (from `PEER_TARBALL` or `shared/vendor/usage-exploration-*.tar.gz` above the
 *    project); one line and exit 1 when that is not possible;
 * 2. generates the testbed at each scale (`.peer/cache/<testbed tag>-scale-X/<site>.sqlite`, reused) and writes
 *    the reference pipeline's raw parquet inputs from the same snapshots (`peer/write_parquet.py`);
 * 3. speed and memory: every tool on every target (each site and all sites), interleaved, `--runs`
 *    times, wall time / CPU time / peak RSS from `/usr/bin/time`; medians;
 * 4. accuracy against the truth (`truth__usage_timeline`), per site, count type and month, for
 *    ours and theirs, and every (site, count type) where the two differ by more than 0.1 % of
 *    node-hours, with its first and worst days.
 *
 * Last line: `{"scale":..,"ours_error_pct":..,"peer_error_pct":..,"peer_daily_error_pct":..,
 * "speedup":..,"rss_ratio":..}` at the first scale (docs/peer-comparison.md).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { plan as makePlan, testbedSiteConfig } from '../testbed/plan';
import { addDailyHours, DAY } from './peer/steps';
import { TESTBED_TAG } from './common';

const ROOT = process.env.PEER_ROOT ?? path.resolve(__dirname, '..', '..');
const PEER = path.join(ROOT, '.peer');
const VENV = path.join(PEER, 'venv');
const PY = path.join(VENV, 'bin', 'python');
const HERE = path.join(ROOT, 'bench', 'peer');
const START = Date.UTC(2016, 0, 1);
const END = Date.UTC(2026, 0, 1);
const DAYS = Math.round((END - START) / DAY);
const PY_PACKAGES = ['polars', 'pandera[polars]', 'pyyaml', 'packaging', 'pyarrow'];

const args = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const scales = arg('scale', '1').split(',').map(Number);
const sites = arg('sites', 'chi_tacc,chi_uc,kvm_tacc').split(',');
const runs = Number(arg('runs', '3'));
const speed = !args.includes('--no-speed');
const accuracyToo = !args.includes('--no-accuracy');
const allTargets = [...sites, ...(sites.length > 1 ? ['all'] : [])];
const targets = arg('targets', allTargets.join(',')).split(',');
// `_1t`: one core each: theirs with POLARS_MAX_THREADS=1, ours with --jobs 1 (ours reads one site
// per thread, so `ours_1d_1t` differs from `ours_1d` only on the target `all`, the only one it runs on)
const TOOLS = ['ours', 'ours_1d', 'ours_1d_1t', 'peer', 'peer_1d', 'peer_1d_1t'] as const;
type Tool = (typeof TOOLS)[number];
const tools = arg('tools', TOOLS.join(',')).split(',') as Tool[];
const log = (s: string) => process.stderr.write(`peer: ${s}\n`);
const die = (s: string): never => {
  process.stdout.write(`peer: ${s}\n`);
  process.exit(1);
};

for (const s of scales) if (!(s > 0)) die(`--scale ${s}: expected positive numbers`);
for (const t of tools) if (!(TOOLS as ReadonlyArray<string>).includes(t)) die(`--tools ${t}: expected some of ${TOOLS.join(', ')}`);
if (!(runs >= 1)) die(`--runs ${runs}: expected a positive number`);

const run = (cmd: string, argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env): SpawnSyncReturns<string> =>
  spawnSync(cmd, argv, { encoding: 'utf8', env, maxBuffer: 1 << 28 });
const lastLine = (s: string): string => s.trim().split('\n').slice(-1)[0] ?? '';

// -------------------------------------------------------------------------------------
// set up: Python, the reference pipeline's source
// -------------------------------------------------------------------------------------

const checkImports = (): boolean => run(PY, ['-c', 'import polars, pandera.polars, yaml, packaging, pyarrow']).status === 0;

const ensurePython = (): void => {
  if (fs.existsSync(PY) && checkImports()) return;
  log(`setting up Python in ${path.relative(ROOT, VENV)} (${PY_PACKAGES.join(', ')})`);
  fs.mkdirSync(PEER, { recursive: true });
  const venv = run('python3', ['-m', 'venv', VENV]);
  if (venv.status !== 0) die(`cannot run the reference pipeline: python3 -m venv failed (${lastLine(venv.stderr ?? String(venv.error))})`);
  const pip = run(PY, ['-m', 'pip', 'install', '--quiet', '--retries', '1', '--timeout', '20', ...PY_PACKAGES]);
  if (pip.status !== 0 || !checkImports()) die(`cannot run the reference pipeline: pip could not install ${PY_PACKAGES.join(', ')} (${lastLine(pip.stderr ?? '')})`);
};

const tarball = (): string => {
  const cands = [
    process.env.PEER_TARBALL,
    ...[path.resolve(ROOT, '..'), path.resolve(ROOT, '..', '..'), '/work']
      .map((d) => path.join(d, 'shared', 'vendor'))
      .filter((d) => fs.existsSync(d))
      .flatMap((d) => fs.readdirSync(d).filter((f) => /^usage-exploration-.*\.tar\.gz$/.test(f)).map((f) => path.join(d, f))),
  ].filter((x): x is string => x !== undefined && fs.existsSync(x));
  return cands[0] ?? die('cannot find the reference pipeline: set PEER_TARBALL to usage-exploration-<commit>.tar.gz');
};

/** The unpacked source (the folder holding `src/chameleon_usage`) and its commit. */
const ensureSource = (): { dir: string; commit: string } => {
  const tb = tarball();
  const commit = /usage-exploration-(\w+)\.tar\.gz$/.exec(tb)?.[1] ?? 'unknown';
  const into = path.join(PEER, 'src', commit);
  const dir = path.join(into, 'usage-exploration');
  if (!fs.existsSync(path.join(dir, 'src', 'chameleon_usage', 'cli.py'))) {
    fs.mkdirSync(into, { recursive: true });
    const t = run('tar', ['xzf', tb, '-C', into]);
    if (t.status !== 0) die(`cannot unpack ${tb}: ${lastLine(t.stderr)}`);
  }
  return { dir, commit };
};

// -------------------------------------------------------------------------------------
// data: testbed snapshots, parquet, configs
// -------------------------------------------------------------------------------------

interface Data {
  readonly scale: number;
  readonly dir: string;
  readonly sqlite: (site: string) => string;
  readonly parquet: (site: string) => string;
  readonly oursConfig: string;
  readonly peerConfig: string;
}

const ensureData = (scale: number): Data => {
  // the testbed's version in the name: a cache of an older testbed is generated again
  const dir = path.join(PEER, 'cache', `${TESTBED_TAG}-scale-${scale}`);
  const sqlite = (s: string) => path.join(dir, `${s}.sqlite`);
  const parquet = (s: string) => path.join(dir, 'parquet', s);
  fs.mkdirSync(dir, { recursive: true });
  const missing = sites.filter((s) => !fs.existsSync(`${sqlite(s)}.done`));
  if (missing.length > 0) {
    log(`generating the testbed at scale ${scale} (${missing.join(', ')}) into ${path.relative(ROOT, dir)}`);
    const g = run(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'generate', '--quiet', '--out', dir, '--scale', String(scale), ...missing.flatMap((s) => ['--site', s])]);
    if (g.status !== 0) die(`generate failed: ${lastLine(g.stderr)}`);
    for (const s of missing) fs.writeFileSync(`${sqlite(s)}.done`, '');
  }
  for (const s of sites) {
    if (fs.existsSync(path.join(parquet(s), '.done'))) continue;
    log(`writing the reference pipeline's parquet inputs for ${s} (scale ${scale})`);
    const w = run(PY, [path.join(HERE, 'write_parquet.py'), sqlite(s), parquet(s)]);
    if (w.status !== 0) die(`write_parquet.py failed for ${s}: ${lastLine(w.stderr)}`);
    fs.writeFileSync(path.join(parquet(s), '.done'), w.stdout);
  }
  const p = makePlan({ scale });
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const ours = ['sites:'];
  const peer: string[] = [];
  for (const s of sites) {
    const sp = p.sites.find((x) => x.site === s) ?? die(`--sites: ${s} is not a testbed site (${p.sites.map((x) => x.site).join(', ')})`);
    const c = testbedSiteConfig(sp, p.cuts);
    ours.push(
      `  ${s}:`,
      `    display_name: ${JSON.stringify(c.displayName)}`,
      `    db: ${JSON.stringify(`sqlite:${sqlite(s)}`)}`,
      `    operator_projects: ${JSON.stringify(c.operatorProjects)}`,
      ...(c.gpuCapability === undefined ? [] : [`    gpu_capability: ${JSON.stringify(c.gpuCapability)}`]),
      `    coverage_start: { ${Object.entries(c.coverageStart ?? {}).map(([k, v]) => `${k}: ${day(v as number)}`).join(', ')} }`,
      `    known_gaps:`,
      ...(c.knownGaps ?? []).map((g) => `      - { count_types: [${g.countTypes.join(', ')}], start: ${day(g.start)}, end: ${day(g.end)}, note: ${JSON.stringify(g.note)} }`),
    );
    peer.push(`${s}:`, `  site_name: ${JSON.stringify(c.displayName)}`, `  data_dir: ${JSON.stringify(parquet(s))}`);
  }
  const oursConfig = path.join(dir, 'sites.yaml');
  const peerConfig = path.join(dir, 'site.yml');
  fs.writeFileSync(oursConfig, `${ours.join('\n')}\n`);
  fs.writeFileSync(peerConfig, `${peer.join('\n')}\n`);
  return { scale, dir, sqlite, parquet, oursConfig, peerConfig };
};

// -------------------------------------------------------------------------------------
// running the tools
// -------------------------------------------------------------------------------------

interface Measure {
  readonly wall: number;
  readonly cpu: number;
  readonly rssMiB: number;
}

const TIME = '/usr/bin/time';

const outDir = (d: Data, tool: Tool, target: string) => path.join(d.dir, 'runs', tool, target);

const command = (d: Data, src: string, tool: Tool, target: string): { cmd: string; argv: string[]; env: NodeJS.ProcessEnv } => {
  const out = outDir(d, tool, target);
  const siteArgs = (target === 'all' ? sites : [target]).flatMap((s) => ['--site', s]);
  if (tool === 'ours' || tool === 'ours_1d' || tool === 'ours_1d_1t')
    return {
      cmd: process.execPath,
      argv: [
        path.join(ROOT, 'dist', 'cli', 'main.js'),
        'report',
        '--config',
        d.oursConfig,
        ...siteArgs,
        '--value-types',
        'all',
        ...(tool === 'ours' ? [] : ['--resample', '1d']),
        // the default is one thread per site, up to one per core (as theirs uses every core)
        ...(tool === 'ours_1d_1t' ? ['--jobs', '1'] : []),
        '--no-plots',
        // like for like: theirs writes one parquet file and no page (the page's own cost is
        // measured apart in docs/peer-comparison.md)
        '--no-html',
        '--quiet',
        '--out',
        out,
      ],
      env: process.env,
    };
  return {
    cmd: PY,
    argv: [
      '-m',
      'chameleon_usage.cli',
      'process',
      '--config',
      d.peerConfig,
      ...siteArgs,
      '--output',
      out,
      '--start-date',
      '2016-01-01',
      '--end-date',
      '2026-01-01',
      ...(tool === 'peer' ? [] : ['--resample', '1d']),
    ],
    env: {
      ...process.env,
      PYTHONPATH: [path.join(src, 'src'), path.join(HERE, 'pythonpath')].join(path.delimiter),
      ...(tool === 'peer_1d_1t' ? { POLARS_MAX_THREADS: '1' } : {}),
    },
  };
};

const measure = (d: Data, src: string, tool: Tool, target: string): Measure => {
  const c = command(d, src, tool, target);
  const tf = path.join(d.dir, 'time.txt');
  fs.rmSync(outDir(d, tool, target), { recursive: true, force: true });
  const r = run(TIME, ['-f', '%e %M %U %S', '-o', tf, c.cmd, ...c.argv], c.env);
  if (r.status !== 0) die(`${tool} on ${target} (scale ${d.scale}) failed: ${lastLine(r.stderr)}`);
  const [wall, kib, user, sys] = lastLine(fs.readFileSync(tf, 'utf8')).split(' ').map(Number);
  return { wall, cpu: user + sys, rssMiB: kib / 1024 };
};

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

type Medians = Map<string, Measure>; // `${tool}\u0000${target}`

const runsOn = (tool: Tool, target: string): boolean => tool !== 'ours_1d_1t' || target === 'all';

/** The run of ours a run of theirs is compared with: same resampling, and one core against one core. */
const oursRunOf = (tool: Tool, target: string): Tool => (tool === 'peer' ? 'ours' : tool === 'peer_1d_1t' && target === 'all' && tools.includes('ours_1d_1t') ? 'ours_1d_1t' : 'ours_1d');

const speedRuns = (d: Data, src: string): Medians => {
  const got = new Map<string, Measure[]>();
  for (let i = 0; i < runs; i++) {
    for (const target of targets)
      for (const tool of tools) {
        if (!runsOn(tool, target)) continue;
        const m = measure(d, src, tool, target);
        log(`scale ${d.scale} run ${i + 1}/${runs} ${target} ${tool}: ${m.wall.toFixed(2)} s wall, ${m.cpu.toFixed(2)} s CPU, ${m.rssMiB.toFixed(0)} MiB`);
        const k = `${tool}\u0000${target}`;
        got.set(k, [...(got.get(k) ?? []), m]);
      }
  }
  const out: Medians = new Map();
  for (const [k, ms] of got) out.set(k, { wall: median(ms.map((m) => m.wall)), cpu: median(ms.map((m) => m.cpu)), rssMiB: median(ms.map((m) => m.rssMiB)) });
  return out;
};

// -------------------------------------------------------------------------------------
// accuracy
// -------------------------------------------------------------------------------------

/** The count types compared, and how each tool's value for it is made and checked. */
const ROWS = ['total', 'reservable', 'committed', 'occupied_reserved', 'occupied_ondemand', 'available', 'idle'] as const;
type Row = (typeof ROWS)[number];
type Daily = Record<string, Float64Array>;

/**
 * The reference pipeline's metric for each row, and the truth it is checked against: it has no
 * operator (ops) split, so its `committed` holds user and operator leases (truth committed + ops),
 * its `idle` = committed - occupied_reservation (truth idle + ops), and its
 * `available_reservable` = reservable - committed (truth available: reservable - committed - ops -
 * unusable, the last from the audit tables' install on; the reference pipeline at this commit
 * does not read the host state).
 */
const PEER_METRIC: Record<Row, { metric: string; plusOps: boolean }> = {
  total: { metric: 'total', plusOps: false },
  reservable: { metric: 'reservable', plusOps: false },
  committed: { metric: 'committed', plusOps: true },
  occupied_reserved: { metric: 'occupied_reservation', plusOps: false },
  occupied_ondemand: { metric: 'occupied_ondemand', plusOps: false },
  available: { metric: 'available_reservable', plusOps: false },
  idle: { metric: 'idle', plusOps: true },
};

const zeros = () => new Float64Array(DAYS);

/** True daily node-hours per count type, from the snapshot's truth__usage_timeline (summed over node types). */
const truthDaily = (file: string): Daily => {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .prepare("SELECT timestamp, count_type, node_type, value FROM truth__usage_timeline WHERE value_type = 'nodes' ORDER BY count_type, node_type, timestamp")
      .raw()
      .all() as Array<[string, string, string, number]>;
    const out: Daily = {};
    let key = '';
    let times: number[] = [];
    let values: number[] = [];
    let ct = '';
    const flush = () => {
      if (times.length > 0) addDailyHours((out[ct] ??= zeros()), times, values, START, END);
      times = [];
      values = [];
    };
    for (const [ts, c, nt, v] of rows) {
      if (`${c}\u0000${nt}` !== key) {
        flush();
        key = `${c}\u0000${nt}`;
        ct = c;
      }
      times.push(Date.parse(ts));
      values.push(v);
    }
    flush();
    return out;
  } finally {
    db.close();
  }
};

/**
 * Our daily node-hours per count type from usage_daily.csv (NaN where not covered, and on a day
 * where a coverage of the site starts after 00:00: our daily mean there is over the covered
 * hours only, the truth's over the whole day, as testbed/compare.ts leaves them out).
 */
const oursDaily = (file: string, site: string): Daily => {
  const audit = JSON.parse(fs.readFileSync(path.join(path.dirname(file), 'audit.json'), 'utf8')) as { coverage: ReadonlyArray<{ site: string; start: string | null }> };
  const partial = new Set<number>();
  for (const c of audit.coverage) {
    if (c.site !== site || c.start === null) continue;
    const t = Date.parse(c.start);
    if ((t - START) % DAY !== 0) partial.add(Math.floor((t - START) / DAY));
  }
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  const head = lines[0].split(',');
  const col = (n: string) => head.indexOf(n);
  const out: Daily = {};
  const cts = head.slice(3).filter((c) => c !== 'node_type' && c !== 'hypervisor_hostname');
  for (const c of cts) out[c] = new Float64Array(DAYS).fill(NaN);
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].split(',');
    if (f[col('site')] !== site || f[col('value_type')] !== 'nodes') continue;
    const d = Math.round((Date.parse(f[col('timestamp')]) - START) / DAY);
    if (d < 0 || d >= DAYS) continue;
    if (partial.has(d)) continue;
    for (const c of cts) if (f[col(c)] !== '') out[c][d] = Number(f[col(c)]) * 24;
  }
  return out;
};

/** Their daily node-hours per metric: `step` integrates the change points, `point` is the 1d output x 24. */
const peerDaily = (parquet: string, mode: 'step' | 'point'): Daily => {
  const r = run(PY, [path.join(HERE, 'usage_csv.py'), parquet]);
  if (r.status !== 0) die(`usage_csv.py ${parquet}: ${lastLine(r.stderr)}`);
  const out: Daily = {};
  const lines = r.stdout.trim().split('\n').slice(1);
  let metric = '';
  let times: number[] = [];
  let values: number[] = [];
  const flush = () => {
    if (times.length === 0) return;
    const a = (out[metric] ??= zeros());
    if (mode === 'step') addDailyHours(a, times, values, START, END);
    else
      for (let i = 0; i < times.length; i++) {
        const d = Math.round((times[i] - START) / DAY);
        if (d >= 0 && d < DAYS) a[d] = values[i] * 24;
      }
    times = [];
    values = [];
  };
  for (const l of lines) {
    const [t, m, v] = l.split(',');
    if (m !== metric) {
      flush();
      metric = m;
    }
    times.push(Number(t));
    values.push(Number(v));
  }
  flush();
  return out;
};

interface SiteDaily {
  readonly site: string;
  readonly truth: Daily;
  readonly ours: Daily;
  readonly peer: Daily;
  readonly peer1d: Daily;
}

const get = (d: Daily, k: string): Float64Array => d[k] ?? zeros();
const truthOf = (s: SiteDaily, row: Row, plusOps: boolean): Float64Array => {
  const b = (k: string) => get(s.truth, k);
  const v = zeros();
  for (let i = 0; i < DAYS; i++) {
    const base =
      row === 'available'
        ? // section 15: from the audit tables' install on, free capacity on hosts out of service
          // (`unusable`) is not available (0 before it: the truth has no unusable rows there)
          b('reservable')[i] - b('committed')[i] - b('ops')[i] - b('unusable')[i]
        : row === 'idle'
          ? b('committed')[i] - b('occupied_reserved')[i]
          : b(row)[i];
    v[i] = base + (plusOps ? b('ops')[i] : 0);
  }
  return v;
};
const oursOf = (s: SiteDaily, row: Row, plusOps: boolean): Float64Array => {
  const v = get(s.ours, row).slice();
  if (plusOps) {
    const o = get(s.ours, 'ops');
    for (let i = 0; i < DAYS; i++) v[i] += o[i];
  }
  return v;
};

interface MonthRow {
  readonly site: string;
  readonly row: Row;
  readonly month: string;
  readonly truth: number;
  readonly ours: number;
  readonly peer: number;
  readonly peer1d: number;
  readonly truthPeer: number;
}

const monthOf = (d: number) => new Date(START + d * DAY).toISOString().slice(0, 7);
const dayOf = (d: number) => new Date(START + d * DAY).toISOString().slice(0, 10);
const pct = (x: number, truth: number): number => (Math.abs(x - truth) < 1e-6 ? 0 : truth === 0 ? Infinity : (100 * Math.abs(x - truth)) / Math.abs(truth));

/** Per site, row and month over the days our report covers (a day ours leaves empty is a declared gap). */
const months = (s: SiteDaily): MonthRow[] => {
  const out: MonthRow[] = [];
  for (const row of ROWS) {
    const pm = PEER_METRIC[row];
    const t = truthOf(s, row, false);
    const tp = truthOf(s, row, pm.plusOps);
    const o = get(s.ours, row);
    const p = get(s.peer, pm.metric);
    const p1 = get(s.peer1d, pm.metric);
    const acc = new Map<string, { truth: number; ours: number; peer: number; peer1d: number; truthPeer: number }>();
    for (let d = 0; d < DAYS; d++) {
      if (Number.isNaN(o[d])) continue;
      const m = monthOf(d);
      const a = acc.get(m) ?? { truth: 0, ours: 0, peer: 0, peer1d: 0, truthPeer: 0 };
      a.truth += t[d];
      a.ours += o[d];
      a.peer += p[d];
      a.peer1d += p1[d];
      a.truthPeer += tp[d];
      acc.set(m, a);
    }
    for (const [month, a] of acc) out.push({ site: s.site, row, month, ...a });
  }
  return out;
};

/** The day of the largest |tool - truth| over covered days. */
const worstDay = (tool: Float64Array, truth: Float64Array, covered: Float64Array): { day: string; diff: number } => {
  let best = -1;
  let diff = 0;
  for (let d = 0; d < DAYS; d++) {
    if (Number.isNaN(covered[d])) continue;
    const x = Math.abs(tool[d] - truth[d]);
    if (x > diff + 1e-9) {
      diff = x;
      best = d;
    }
  }
  return { day: best < 0 ? '-' : dayOf(best), diff: best < 0 ? 0 : tool[best] - truth[best] };
};

const fmtPct = (x: number): string => (x === Infinity ? 'inf' : x.toFixed(3));
const fmt = (x: number, digits = 1): string => x.toFixed(digits);

interface Accuracy {
  readonly oursMax: number;
  readonly peerMax: number;
  readonly peer1dMax: number;
  readonly lines: string[];
}

const accuracy = (d: Data): Accuracy => {
  const lines: string[] = [];
  let oursMax = 0;
  let peerMax = 0;
  let peer1dMax = 0;
  const summary: string[] = [
    `#### Accuracy against the truth, scale ${d.scale}: per site and count type, the largest monthly node-hours error (%) and the worst day (tool - truth, node-hours)`,
    '',
    '| site | count type | their metric (truth it is checked against) | ours: max monthly error % | ours: worst day | theirs (change points): max monthly error % | theirs: worst day | theirs `--resample 1d`: max monthly error % | theirs 1d: worst day |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const monthly: string[] = [
    `#### Monthly node-hours (scale ${d.scale}): truth, ours, theirs (change points), theirs (1d points), error %`,
    '',
    '| site | count type | month | truth | ours | err % | truth (their metric) | theirs | err % | theirs 1d | err % |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const disagreements: string[] = [
    `#### Disagreements between the two tools > 0.1 % of node-hours (scale ${d.scale}, over the days ours covers; theirs from its change points)`,
    '',
    '| site | count type | node-hours ours | node-hours theirs | diff % | differing days | first differing day (ours, theirs, truth) | worst day (ours, theirs, truth) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  let uncovered = 0;
  const outsideLines: string[] = [];
  for (const site of sites) {
    const s: SiteDaily = {
      site,
      truth: truthDaily(d.sqlite(site)),
      ours: oursDaily(path.join(outDir(d, 'ours_1d', site), 'data', 'usage_daily.csv'), site),
      peer: peerDaily(path.join(outDir(d, 'peer', site), site, 'usage.parquet'), 'step'),
      peer1d: peerDaily(path.join(outDir(d, 'peer_1d', site), site, 'usage.parquet'), 'point'),
    };
    const ms = months(s);
    for (const row of ROWS) {
      const pm = PEER_METRIC[row];
      const mine = ms.filter((m) => m.row === row);
      const eo = Math.max(0, ...mine.map((m) => pct(m.ours, m.truth)));
      const ep = Math.max(0, ...mine.map((m) => pct(m.peer, m.truthPeer)));
      const ep1 = Math.max(0, ...mine.map((m) => pct(m.peer1d, m.truthPeer)));
      oursMax = Math.max(oursMax, eo);
      peerMax = Math.max(peerMax, ep);
      peer1dMax = Math.max(peer1dMax, ep1);
      const cov = get(s.ours, row);
      const t = truthOf(s, row, false);
      const tp = truthOf(s, row, pm.plusOps);
      const wo = worstDay(cov, t, cov);
      const wp = worstDay(get(s.peer, pm.metric), tp, cov);
      const wp1 = worstDay(get(s.peer1d, pm.metric), tp, cov);
      summary.push(
        `| ${site} | ${row} | ${pm.metric}${pm.plusOps ? ' (+ ops)' : ''} | ${fmtPct(eo)} | ${wo.day} (${fmt(wo.diff, 2)}) | ${fmtPct(ep)} | ${wp.day} (${fmt(wp.diff, 2)}) | ${fmtPct(ep1)} | ${wp1.day} (${fmt(wp1.diff, 2)}) |`,
      );
      for (const m of mine)
        monthly.push(
          `| ${site} | ${row} | ${m.month} | ${fmt(m.truth)} | ${fmt(m.ours)} | ${fmtPct(pct(m.ours, m.truth))} | ${fmt(m.truthPeer)} | ${fmt(m.peer)} | ${fmtPct(pct(m.peer, m.truthPeer))} | ${fmt(m.peer1d)} | ${fmtPct(pct(m.peer1d, m.truthPeer))} |`,
        );
      // the two tools, like for like (ours + ops where their metric holds ops)
      const o = oursOf(s, row, pm.plusOps);
      const p = get(s.peer, pm.metric);
      let so = 0;
      let sp = 0;
      let st = 0;
      let n = 0;
      let first = -1;
      let worst = -1;
      for (let i = 0; i < DAYS; i++) {
        if (Number.isNaN(o[i])) {
          if (Math.abs(p[i] - tp[i]) > 1e-6) uncovered += 1;
          continue;
        }
        so += o[i];
        sp += p[i];
        st += tp[i];
        if (Math.abs(o[i] - p[i]) > 1e-6) {
          n += 1;
          if (first < 0) first = i;
          if (worst < 0 || Math.abs(o[i] - p[i]) > Math.abs(o[worst] - p[worst])) worst = i;
        }
      }
      const base = Math.max(Math.abs(st), Math.abs(so), 1e-9);
      const diffPct = (100 * Math.abs(so - sp)) / base;
      if (diffPct > 0.1) {
        const at = (i: number) => (i < 0 ? '-' : `${dayOf(i)} (${fmt(o[i], 2)}, ${fmt(p[i], 2)}, ${fmt(tp[i], 2)})`);
        disagreements.push(`| ${site} | ${row} | ${fmt(so)} | ${fmt(sp)} | ${fmtPct(diffPct)} | ${n} | ${at(first)} | ${at(worst)} |`);
      }
    }
    const outside = ROWS.map((row) => {
      const cov = get(s.ours, row);
      let n = 0;
      for (let i = 0; i < DAYS; i++) if (Number.isNaN(cov[i])) n += 1;
      return `${row} ${n}`;
    });
    outsideLines.push(`- ${site}: days ours leaves empty (declared known gaps, before the earliest row) or partial (a coverage starts after 00:00), not compared, per count type: ${outside.join(', ')}`);
  }
  lines.push(...summary, '', ...disagreements, '', ...outsideLines, `- (site, count type, day)s outside ours' coverage where theirs differs from the truth: ${uncovered}`, '');
  lines.push('<details><summary>Monthly table</summary>', '', ...monthly, '', '</details>', '');
  return { oursMax, peerMax, peer1dMax, lines };
};

// -------------------------------------------------------------------------------------
// main
// -------------------------------------------------------------------------------------

const machine = (): string => {
  const cpus = os.cpus();
  const v = run(PY, ['-c', 'import sys, polars, pandera, pyarrow; print(sys.version.split()[0], polars.__version__, pandera.__version__, pyarrow.__version__)']).stdout.trim().split(' ');
  return `${cpus.length} x ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}, Python ${v[0]}, polars ${v[1]}, pandera ${v[2]}, pyarrow ${v[3]}`;
};

const main = (): void => {
  if (!fs.existsSync(TIME)) die(`needs ${TIME} (GNU time, Debian package "time") to measure peak RSS`);
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) die('needs dist/ (npm run build)');
  ensurePython();
  const src = ensureSource();
  const out: string[] = [`Machine: ${machine()}. Reference pipeline: ChameleonCloud/usage-exploration ${src.commit}. Run on ${new Date().toISOString().slice(0, 16)}Z, load average at start ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}.`, ''];
  let json: Record<string, unknown> | undefined;
  for (const scale of scales) {
    const d = ensureData(scale);
    const med = speed ? speedRuns(d, src.dir) : new Map<string, Measure>();
    // accuracy needs one output of ours_1d, peer and peer_1d per site
    if (accuracyToo)
      for (const site of sites)
        for (const tool of ['ours_1d', 'peer', 'peer_1d'] as const)
          if (!fs.existsSync(path.join(outDir(d, tool, site), tool === 'ours_1d' ? 'data' : site))) measure(d, src.dir, tool, site);
    const acc: Accuracy = accuracyToo ? accuracy(d) : { oursMax: NaN, peerMax: NaN, peer1dMax: NaN, lines: [] };
    if (speed) {
      out.push(
        `#### Speed and memory, scale ${d.scale}: medians of ${runs} runs (load average now ${os.loadavg().map((x) => x.toFixed(1)).join(' ')})`,
        '',
        '| target | tool | wall (s) | CPU user+sys (s) | peak RSS (MiB) | theirs / ours, wall | theirs / ours, CPU | ours / theirs, RSS |',
        '|---|---|---|---|---|---|---|---|',
      );
      for (const target of targets)
        for (const tool of tools) {
          if (!runsOn(tool, target)) continue;
          const m = med.get(`${tool}\u0000${target}`) as Measure;
          const ours = tool.startsWith('peer') ? med.get(`${oursRunOf(tool, target)}\u0000${target}`) : undefined;
          out.push(
            `| ${target} | ${tool} | ${m.wall.toFixed(2)} | ${m.cpu.toFixed(2)} | ${m.rssMiB.toFixed(0)} | ${ours === undefined ? '' : (m.wall / ours.wall).toFixed(2)} | ${ours === undefined ? '' : (m.cpu / ours.cpu).toFixed(2)} | ${ours === undefined ? '' : (ours.rssMiB / m.rssMiB).toFixed(2)} |`,
          );
        }
      out.push('');
    }
    out.push(...acc.lines);
    if (json === undefined) {
      const all = targets.includes('all') ? 'all' : targets[0];
      const o = med.get(`ours_1d\u0000${all}`);
      const p = med.get(`peer_1d\u0000${all}`);
      const num = (x: number) => (Number.isFinite(x) ? Number(x.toFixed(3)) : null);
      json = {
        scale,
        ours_error_pct: num(acc.oursMax),
        peer_error_pct: num(acc.peerMax),
        peer_daily_error_pct: num(acc.peer1dMax),
        speedup: o && p ? num(p.wall / o.wall) : null,
        rss_ratio: o && p ? num(o.rssMiB / p.rssMiB) : null,
      };
    }
  }
  const report = path.join(PEER, 'peer-results.md');
  fs.writeFileSync(report, `${out.join('\n')}\n`);
  process.stdout.write(`${out.join('\n')}\n(also in ${path.relative(ROOT, report)})\n${JSON.stringify(json)}\n`);
};

main();
