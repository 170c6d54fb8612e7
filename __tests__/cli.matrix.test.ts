/**
 * The edge matrix (issue 18): every command and option of the real CLI process, with valid edge
 * values and bad ones (empty, wrong type, out of range, unknown names, conflicting options, a
 * folder where a file goes and the reverse, `/dev/full`, `/proc`, a folder unwritable for an
 * unprivileged user, a symlink loop, a dangling symlink, names with spaces and non-ASCII). Each
 * row states the exit code and the one-line message, and every row is checked for: an end within
 * its time limit (a hang fails), no stack trace, no password, and the files it leaves. A failing
 * row leaves its folder exactly as it was; a passing row creates exactly the files it lists.
 *
 * Each row runs in its own copy of a small sandbox (a SQLite snapshot of the small site, configs,
 * a plain file, folders with spaces and non-ASCII names, symlinks), as `node cli/main.js ...`
 * (fixtures/builtCli). Rows marked `nobody` run as uid 65534 (setpriv), so that file permissions
 * apply even though CI runs as root; they are skipped, with one line, where that is impossible.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { asNobody, builtCli, spawnCli, type Run } from './fixtures/builtCli';
import { openFixture } from './fixtures/db';
import { populate } from './fixtures/smallSite';

const SECRET = 'Hunter2-secret-9931';
/** A refused port: connection failures come at once. */
const REFUSED = `mysql://reader:${SECRET}@127.0.0.1:1`;
const SNAP = 'sqlite:snap.sqlite';
const OK = ['--db', SNAP, '--site', 'chi_uc'];
const FAST = ['--start', '2024-01-01', '--end', '2024-02-01', '--no-plots', '--no-html'];
const DATA = ['audit.json', 'booking_timeline.csv', 'leadtime_stats.json', 'leadtime_timeline.csv', 'leadtime_timeline.json', 'projected_leadtime.csv', 'usage_daily.csv', 'usage_timeline.csv', 'usage_timeline.json', 'utilization_monthly.csv'];
/** The files a report writes under `out`. */
const dataOf = (out: string, extra: ReadonlyArray<string> = []): string[] => [out, `${out}/data`, ...[...DATA, ...extra].map((f) => `${out}/data/${f}`)];

interface Row {
  readonly args: ReadonlyArray<string>;
  readonly code: number;
  /** The message: on stderr for a failure (its last line), anywhere in the output for a success. */
  readonly message: RegExp;
  /** Paths (relative to the sandbox) a successful row creates; nothing else may appear. */
  readonly creates?: ReadonlyArray<string>;
  readonly env?: Readonly<Record<string, string>>;
  /** Run as uid 65534. */
  readonly nobody?: boolean;
  /** Paths outside the sandbox that must not exist afterwards. */
  readonly absent?: ReadonlyArray<string>;
  readonly limitMs?: number;
}

const rows: ReadonlyArray<readonly [string, Row]> = [
  // ---- the command line itself
  ['no arguments prints the help', { args: [], code: 0, message: /Usage:\n {2}chameleon-usage <command>/ }],
  ['--help', { args: ['--help'], code: 0, message: /Commands:/ }],
  ['-h after a command', { args: ['report', '-h'], code: 0, message: /report options:/ }],
  ['--version', { args: ['--version'], code: 0, message: /^\d+\.\d+\.\d+\n$/ }],
  ['-v', { args: ['-v'], code: 0, message: /^\d+\.\d+\.\d+\n$/ }],
  ['an unknown command', { args: ['frobnicate'], code: 2, message: /unknown command 'frobnicate'/ }],
  ['an unknown command with spaces and non-ASCII', { args: ['rapport ü'], code: 2, message: /unknown command 'rapport ü'/ }],
  ['an unknown option', { args: ['report', '--bogus'], code: 2, message: /Unknown option '--bogus'/ }],
  ['an option without its value', { args: ['report', '--db'], code: 2, message: /'--db <value>' argument missing/ }],
  ['a stray argument after the command', { args: ['report', 'extra', ...OK, ...FAST], code: 2, message: /unexpected argument 'extra'/ }],
  ['an option of another command (grants --user on report)', { args: ['report', ...OK, '--user', 'x'], code: 2, message: /--user is not an option of report/ }],
  ['an option of another command (report --start on grants)', { args: ['grants', '--user', 'u', '--start', '2024-01-01'], code: 2, message: /--start is not an option of grants/ }],
  ['an option of another command (--scale on extract)', { args: ['extract', '--db', REFUSED, '--site', 'chi_uc', '--scale', '2'], code: 2, message: /--scale is not an option of extract/ }],
  ['example takes no options', { args: ['example', '--out', 'x'], code: 2, message: /--out is not an option of example/ }],
  ['--verbose on a configuration error prints no stack', { args: ['report', '--verbose', '--site', 'chi_uc'], code: 2, message: /no database URL for site chi_uc/ }],
  ['example', { args: ['example'], code: 0, message: /node-hours/ }],

  // ---- report: sites and databases
  ['report with nothing', { args: ['report'], code: 2, message: /give --site KEY \(with --db URL\), or --config sites\.yaml/ }],
  ['report without a database URL', { args: ['report', '--site', 'chi_uc'], code: 2, message: /no database URL for site chi_uc/ }],
  ['an empty --db', { args: ['report', '--db', '', '--site', 'chi_uc'], code: 2, message: /--db is empty/ }],
  ['an empty --site', { args: ['report', '--db', SNAP, '--site', ''], code: 2, message: /--site is empty/ }],
  ['a site key with spaces', { args: ['report', '--db', SNAP, '--site', 'chi uc'], code: 2, message: /site key "chi uc": use letters/ }],
  ['a non-ASCII site key', { args: ['report', '--db', SNAP, '--site', 'chï_uc'], code: 2, message: /site key "chï_uc": use letters/ }],
  ['two sites on one SQLite snapshot', { args: ['report', '--db', SNAP, '--site', 'a', '--site', 'b'], code: 2, message: /one SQLite snapshot holds one site/ }],
  ['sqlite: without a path', { args: ['report', '--db', 'sqlite:', '--site', 'chi_uc'], code: 2, message: /sqlite URL without a path/ }],
  ['an unsupported URL scheme', { args: ['report', '--db', `postgres://u:${SECRET}@h/db`, '--site', 'chi_uc'], code: 2, message: /unsupported database URL scheme postgres:/ }],
  ['not a URL', { args: ['report', '--db', 'snap.sqlite', '--site', 'chi_uc'], code: 2, message: /not a database URL: snap\.sqlite/ }],
  ['a missing snapshot (typo) creates nothing', { args: ['report', '--db', 'sqlite:snpa.sqlite', '--site', 'chi_uc'], code: 3, message: /cannot connect: sqlite:snpa\.sqlite: no such file/ }],
  ['a missing snapshot in a missing folder', { args: ['report', '--db', 'sqlite:no/such/dir/s.sqlite', '--site', 'chi_uc'], code: 3, message: /no such file/ }],
  ['a folder as the snapshot', { args: ['report', '--db', 'sqlite:a dir', '--site', 'chi_uc'], code: 3, message: /is a folder, not a SQLite snapshot/ }],
  ['/dev/full as the snapshot', { args: ['report', '--db', 'sqlite:/dev/full', '--site', 'chi_uc'], code: 3, message: /not a regular file, not a SQLite snapshot/ }],
  ['a symlink loop as the snapshot', { args: ['report', '--db', 'sqlite:loop-a', '--site', 'chi_uc'], code: 3, message: /ELOOP/ }],
  ['a dangling symlink as the snapshot', { args: ['report', '--db', 'sqlite:dangling', '--site', 'chi_uc'], code: 3, message: /no such file/ }],
  ['a text file as the snapshot', { args: ['report', '--db', 'sqlite:file.txt', '--site', 'chi_uc', ...FAST], code: 3, message: /file is not a database/ }],
  ['an empty file as the snapshot', { args: ['report', '--db', 'sqlite:empty.sqlite', '--site', 'chi_uc', ...FAST], code: 3, message: /empty\.sqlite: holds no table: not a snapshot/ }],
  ['a snapshot unreadable for the user', { args: ['report', '--db', 'sqlite:private.sqlite', '--site', 'chi_uc', ...FAST, '--out', 'rw/out'], code: 3, message: /private\.sqlite: .*(permission|unable to open)/i, nobody: true }],
  ['a refused MySQL port, password never printed', { args: ['report', '--db', REFUSED, '--site', 'chi_uc'], code: 3, message: /cannot connect: mysql:\/\/reader:\*\*\*@127\.0\.0\.1:1: .*ECONNREFUSED/ }],
  ['a refused port from DATABASE_URL, password never printed', { args: ['report', '--site', 'chi_uc'], env: { DATABASE_URL: REFUSED }, code: 3, message: /reader:\*\*\*@/ }],
  ['a password with URL escapes, never printed', { args: ['report', '--db', `mysql://reader:${SECRET}%40%3A@127.0.0.1:1`, '--site', 'chi_uc'], code: 3, message: /reader:\*\*\*@/ }],
  ['a MySQL port out of range', { args: ['report', '--db', `mysql://reader:${SECRET}@127.0.0.1:99999`, '--site', 'chi_uc'], code: 2, message: /not a database URL/ }],
  ['the snapshot from DATABASE_URL', { args: ['report', '--site', 'chi_uc', ...FAST, '-q'], env: { DATABASE_URL: SNAP }, code: 0, message: /^$/, creates: dataOf('output') }],

  // ---- report: --config
  ['a missing config', { args: ['report', '--config', 'nope.yaml'], code: 2, message: /nope\.yaml.*(no such file|ENOENT)/i }],
  ['a folder as the config', { args: ['report', '--config', 'a dir'], code: 2, message: /a dir.*(EISDIR|folder)/i }],
  ['an empty config', { args: ['report', '--config', 'empty.yaml'], code: 2, message: /sites/ }],
  ['a config that is not YAML', { args: ['report', '--config', 'file.txt'], code: 2, message: /file\.txt/ }],
  ['a config with an unknown key', { args: ['report', '--config', 'typo.yaml'], code: 2, message: /sites\.chi_uc\.databses/ }],
  ['a config symlink loop', { args: ['report', '--config', 'loop-a'], code: 2, message: /ELOOP/ }],
  ['/dev/full as the config (it never ends)', { args: ['report', '--config', '/dev/full'], code: 2, message: /cannot read config \/dev\/full: is a device/ }],
  ['/dev/zero as the config', { args: ['report', '--config', '/dev/zero'], code: 2, message: /is a device/ }],
  ['a site the config lacks', { args: ['report', '--config', 'sites.yaml', '--site', 'chi_tacc'], code: 2, message: /chi_tacc.*chi_uc/ }],
  ['a config whose snapshot is missing', { args: ['report', '--config', 'missing-db.yaml'], code: 3, message: /gone\.sqlite: no such file/ }],
  ['a config named with spaces and non-ASCII', { args: ['report', '--config', 'données/my sites.yaml', ...FAST, '-q'], code: 0, message: /^$/, creates: dataOf('output') }],

  // ---- report: the window
  ['an empty --start', { args: ['report', ...OK, '--start', ''], code: 2, message: /--start is empty/ }],
  ['a blank --end', { args: ['report', ...OK, '--end', '  '], code: 2, message: /--end is empty/ }],
  ['a --start that is not a date', { args: ['report', ...OK, '--start', 'yesterday'], code: 2, message: /--start "yesterday"/ }],
  ['a month 13', { args: ['report', ...OK, '--start', '2024-13-01'], code: 2, message: /--start "2024-13-01"/ }],
  ['February 30', { args: ['report', ...OK, '--end', '2024-02-30'], code: 2, message: /--end "2024-02-30"/ }],
  ['a number as a date', { args: ['report', ...OK, '--start', '1700000000'], code: 2, message: /--start "1700000000"/ }],
  ['--end before --start', { args: ['report', ...OK, '--start', '2024-02-01', '--end', '2024-01-01'], code: 2, message: /--end must be after --start/ }],
  ['--end equal to --start', { args: ['report', ...OK, '--start', '2024-01-01', '--end', '2024-01-01'], code: 2, message: /--end must be after --start/ }],
  ['a window of one hour with a time of day', { args: ['report', ...OK, '--start', '2024-01-10T06:00:00Z', '--end', '2024-01-10T07:00:00Z', '--no-plots', '-q'], code: 0, message: /^$/, creates: [...dataOf('output'), 'output/report.html'] }],

  // ---- report: resampling, grouping, value types, formats, limits
  ['an empty --resample', { args: ['report', ...OK, '--resample', ''], code: 2, message: /--resample/ }],
  ['an unknown bucket', { args: ['report', ...OK, '--resample', '2d'], code: 2, message: /--resample: .*2d/ }],
  ['a negative bucket', { args: ['report', ...OK, '--resample', '-1d'], code: 2, message: /--resample/ }],
  ['an unknown --resample-method', { args: ['report', ...OK, '--resample', '1d', '--resample-method', 'median'], code: 2, message: /--resample-method median: use mean or point/ }],
  ['--resample-method without --resample', { args: ['report', ...OK, '--resample-method', 'point'], code: 2, message: /--resample-method needs --resample/ }],
  ['an unknown --group-by', { args: ['report', ...OK, '--group-by', 'rack'], code: 2, message: /--group-by rack: use node_type and\/or hypervisor_hostname/ }],
  ['an unknown --value-types', { args: ['report', ...OK, '--value-types', 'nodes,watts'], code: 2, message: /--value-types watts/ }],
  ['an unknown --plot-format', { args: ['report', ...OK, '--plot-format', 'jpg'], code: 2, message: /--plot-format jpg: use png and\/or svg/ }],
  ['--no-plots with --plot-format', { args: ['report', ...OK, '--no-plots', '--plot-format', 'svg'], code: 2, message: /--plot-format and --no-plots/ }],
  ['--query-timeout 0', { args: ['report', ...OK, '--query-timeout', '0'], code: 2, message: /--query-timeout 0: give a number of seconds above 0/ }],
  ['--query-timeout negative', { args: ['report', ...OK, '--query-timeout=-5'], code: 2, message: /--query-timeout -5/ }],
  ['--query-timeout negative, as a separate word', { args: ['report', ...OK, '--query-timeout', '-5'], code: 2, message: /'--query-timeout' argument is ambiguous/ }],
  ['--query-timeout not a number', { args: ['report', ...OK, '--query-timeout', 'soon'], code: 2, message: /--query-timeout soon/ }],
  ['--query-timeout Infinity', { args: ['report', ...OK, '--query-timeout', 'Infinity'], code: 2, message: /--query-timeout Infinity/ }],
  ['--query-timeout empty', { args: ['report', ...OK, '--query-timeout', ''], code: 2, message: /--query-timeout/ }],
  [
    'daily, grouped, every value type, the facts timeline',
    {
      args: ['report', ...OK, ...FAST, '--resample', '1d', '--resample-method', 'point', '--group-by', 'node_type,hypervisor_hostname', '--value-types', 'all', '--facts', '-q'],
      code: 0,
      message: /^$/,
      creates: dataOf('output', ['facts_timeline.csv']),
    },
  ],
  ['an empty --group-by', { args: ['report', ...OK, '--group-by', ''], code: 2, message: /--group-by is empty/ }],
  ['--group-by given twice, once per column', { args: ['report', ...OK, ...FAST, '--group-by', 'node_type', '--group-by', 'node_type', '--out', 'g', '-q'], code: 0, message: /^$/, creates: dataOf('g') }],
  [
    'svg figures into a folder with spaces and non-ASCII',
    {
      args: ['report', ...OK, '--start', '2024-01-01', '--end', '2024-02-01', '--plot-format', 'svg', '--out', 'données/my out', '-q'],
      code: 0,
      message: /^$/,
      creates: [
        ...dataOf('données/my out'),
        'données/my out/report.html',
        'données/my out/plots',
        ...['booking', 'leadtime', 'legacy_facets', 'node_types', 'projected_leadtime', 'usage_stack', 'utilization'].map((f) => `données/my out/plots/chi_uc_${f}.svg`),
      ],
      limitMs: 60_000,
    },
  ],

  // ---- report: --out
  ['an empty --out', { args: ['report', ...OK, '--out', ''], code: 2, message: /--out is empty/ }],
  ['--out under /proc fails before reading', { args: ['report', ...OK, '--out', '/proc/x'], code: 6, message: /cannot write \/proc\/x\/data: ENOENT/, absent: ['/proc/x'] }],
  ['--out a file', { args: ['report', ...OK, '--out', 'file.txt'], code: 6, message: /cannot write file\.txt\/data: ENOTDIR/ }],
  ['--out below a file', { args: ['report', ...OK, '--out', 'file.txt/out'], code: 6, message: /ENOTDIR/ }],
  ['--out /dev/full', { args: ['report', ...OK, '--out', '/dev/full'], code: 6, message: /cannot write \/dev\/full\/data: ENOTDIR/ }],
  ['--out a symlink loop', { args: ['report', ...OK, '--out', 'loop-a'], code: 6, message: /ELOOP/ }],
  ['--out a dangling symlink', { args: ['report', ...OK, '--out', 'dangling/out'], code: 6, message: /dangling symlink/ }],
  ['--out a folder the user cannot write', { args: ['report', ...OK, '--out', 'ro/out'], code: 6, message: /cannot write ro\/out\/data: EACCES/, nobody: true }],
  ['--out a folder the user can enter but not write in', { args: ['report', ...OK, '--out', 'ro'], code: 6, message: /cannot write ro\/data: EACCES/, nobody: true }],
  ['--out where data/ is a file', { args: ['report', ...OK, '--out', 'blocked'], code: 6, message: /cannot write blocked\/data: ENOTDIR/ }],
  ['--out where an output file is a folder', { args: ['report', ...OK, ...FAST, '--out', 'occupied'], code: 6, message: /usage_timeline\.csv: is a folder/ }],

  // ---- report: --export-db
  ['--export-db empty', { args: ['report', ...OK, '--export-db', ''], code: 2, message: /--export-db is empty/ }],
  ['--export-db an unsupported scheme', { args: ['report', ...OK, '--export-db', `postgres://u:${SECRET}@h/db`], code: 2, message: /--export-db: unsupported database URL scheme/ }],
  ['--export-db MySQL without a database', { args: ['report', ...OK, '--export-db', `mysql://u:${SECRET}@127.0.0.1:1`], code: 2, message: /--export-db mysql:\/\/u:\*\*\*@127\.0\.0\.1:1: name the database/ }],
  ['--export-db a folder', { args: ['report', ...OK, '--export-db', 'sqlite:a dir'], code: 6, message: /--export-db.*a dir.*folder/ }],
  ['--export-db /dev/full', { args: ['report', ...OK, '--export-db', 'sqlite:/dev/full'], code: 6, message: /\/dev\/full.*not a regular file/ }],
  ['--export-db in a missing folder', { args: ['report', ...OK, '--export-db', 'sqlite:no/such/x.sqlite'], code: 6, message: /no\/such/ }],
  ['--export-db into a new SQLite file named with spaces', { args: ['report', ...OK, ...FAST, '--export-db', 'sqlite:my export.sqlite', '-q'], code: 0, message: /^$/, creates: [...dataOf('output'), 'my export.sqlite'] }],

  // ---- grants
  ['grants without --user', { args: ['grants'], code: 2, message: /grants: give --user NAME/ }],
  ['grants with an empty --user', { args: ['grants', '--user', ''], code: 2, message: /--user/ }],
  ['grants with a quote in the user name', { args: ['grants', '--user', "o'brien"], code: 2, message: /o'brien/ }],
  ['grants with a space in the host', { args: ['grants', '--user', 'reader', '--host', 'my host'], code: 2, message: /my host/ }],
  ['grants with an unknown site of a config', { args: ['grants', '--user', 'reader', '--config', 'sites.yaml', '--site', 'nope'], code: 2, message: /nope/ }],
  ['grants for the config', { args: ['grants', '--user', 'reader', '--config', 'sites.yaml'], code: 0, message: /GRANT SELECT ON/ }],
  ['grants with a non-ASCII user name', { args: ['grants', '--user', 'lecteur_é'], code: 0, message: /'lecteur_é'@'%'/ }],

  // ---- extract
  ['extract without a site', { args: ['extract', '--db', REFUSED], code: 2, message: /give --site KEY/ }],
  ['extract of two sites', { args: ['extract', '--db', REFUSED, '--site', 'a', '--site', 'b'], code: 2, message: /extract: give exactly one --site/ }],
  ['extract from a SQLite snapshot', { args: ['extract', ...OK, '--out', 'copy.sqlite'], code: 2, message: /extract copies from MySQL/ }],
  ['extract from a refused port', { args: ['extract', '--db', REFUSED, '--site', 'chi_uc', '--out', 'new/copy.sqlite'], code: 3, message: /cannot connect: mysql:\/\/reader:\*\*\*@/ }],
  ['extract to a folder', { args: ['extract', '--db', REFUSED, '--site', 'chi_uc', '--out', 'a dir'], code: 6, message: /cannot write a dir: is a folder/ }],
  ['extract to /dev/full', { args: ['extract', '--db', REFUSED, '--site', 'chi_uc', '--out', '/dev/full'], code: 6, message: /cannot write \/dev\/full: not a regular file/ }],
  ['extract under /proc', { args: ['extract', '--db', REFUSED, '--site', 'chi_uc', '--out', '/proc/x/s.sqlite'], code: 6, message: /cannot write \/proc\/x: ENOENT/, absent: ['/proc/x'] }],
  ['extract below a file', { args: ['extract', '--db', REFUSED, '--site', 'chi_uc', '--out', 'file.txt/s.sqlite'], code: 6, message: /ENOTDIR/ }],
  ['extract to a symlink loop', { args: ['extract', '--db', REFUSED, '--site', 'chi_uc', '--out', 'loop-a'], code: 6, message: /ELOOP/ }],
  ['extract into a folder the user cannot write', { args: ['extract', '--db', REFUSED, '--site', 'chi_uc', '--out', 'ro/s.sqlite'], code: 6, message: /EACCES/, nobody: true }],
  ['extract with an empty --out', { args: ['extract', '--db', REFUSED, '--site', 'chi_uc', '--out', ''], code: 2, message: /--out is empty/ }],

  // ---- demo and generate (the valid runs are in cli.demo.test.ts and testbed.test.ts)
  ['demo with --scale 0', { args: ['demo', '--scale', '0'], code: 2, message: /--scale 0: expected a number in \(0, 1000\]/ }],
  ['demo with --scale -1', { args: ['demo', '--scale=-1'], code: 2, message: /--scale -1/ }],
  ['demo with --scale 1001', { args: ['demo', '--scale', '1001'], code: 2, message: /--scale 1001/ }],
  ['demo with --scale abc', { args: ['demo', '--scale', 'abc'], code: 2, message: /--scale abc/ }],
  ['demo with --seed 1.5', { args: ['demo', '--seed', '1.5'], code: 2, message: /--seed 1\.5: expected an integer/ }],
  ['demo with an empty --seed', { args: ['demo', '--seed', ''], code: 2, message: /--seed/ }],
  ['demo under /proc', { args: ['demo', '--out', '/proc/x'], code: 6, message: /cannot write \/proc\/x\/demo: ENOENT/, absent: ['/proc/x'] }],
  ['demo into a file', { args: ['demo', '--out', 'file.txt'], code: 6, message: /ENOTDIR/ }],
  ['demo into a folder the user cannot write', { args: ['demo', '--out', 'ro'], code: 6, message: /EACCES/, nobody: true }],
  ['demo with a generate-only option', { args: ['demo', '--mysql', REFUSED], code: 2, message: /--mysql is not an option of demo/ }],
  ['generate without --out or --mysql', { args: ['generate'], code: 2, message: /generate: give --out DIR/ }],
  ['generate an unknown site', { args: ['generate', '--out', 'tb', '--site', 'chi_nowhere'], code: 2, message: /chi_nowhere/ }],
  ['generate with a bad --prefix', { args: ['generate', '--mysql', REFUSED, '--prefix', 'a-b'], code: 2, message: /--prefix a-b: letters, digits and _ only/ }],
  ['generate --mysql not MySQL', { args: ['generate', '--mysql', 'sqlite:x.sqlite'], code: 2, message: /--mysql needs a mysql:\/\/ URL/ }],
  ['generate --mysql refused', { args: ['generate', '--mysql', REFUSED, '--site', 'chi_uc', '--scale', '0.01'], code: 3, message: /cannot connect: mysql:\/\/reader:\*\*\*@/ }],
  ['generate --out and --mysql together', { args: ['generate', '--out', 'tb', '--mysql', REFUSED], code: 2, message: /--out or --mysql, not both/ }],
  ['generate under /proc', { args: ['generate', '--out', '/proc/x', '--site', 'chi_uc'], code: 6, message: /cannot write \/proc\/x: ENOENT/, absent: ['/proc/x'] }],
  ['generate into /dev/full', { args: ['generate', '--out', '/dev/full', '--site', 'chi_uc'], code: 6, message: /ENOTDIR/ }],
  ['generate into a symlink loop', { args: ['generate', '--out', 'loop-a', '--site', 'chi_uc'], code: 6, message: /ELOOP/ }],
  ['generate where the snapshot name is a folder', { args: ['generate', '--out', 'tbdir', '--site', 'chi_uc', '--scale', '0.01'], code: 6, message: /chi_uc\.sqlite: is a folder/ }],
  [
    'generate a tiny site into a folder with spaces and non-ASCII',
    { args: ['generate', '--out', 'données/tb 1', '--site', 'chi_uc', '--scale', '0.01'], code: 0, message: /testbed generated:/, creates: ['données/tb 1', 'données/tb 1/chi_uc.sqlite'], limitMs: 60_000 },
  ],
];

// -------------------------------------------------------------------------------------
// the sandbox
// -------------------------------------------------------------------------------------

let root: string;
let template: string;
/** setpriv's prefix, once the unprivileged user is known to be able to run the CLI at all (a repository under /root is not). */
let nobody: ReadonlyArray<string> | undefined;

const yamlSite = (db: string, extra = ''): string => `sites:\n  chi_uc:\n    display_name: CHI@UC\n    db: ${db}\n${extra}`;

const makeTemplate = async (dir: string): Promise<void> => {
  const fx = await openFixture('sqlite');
  try {
    await populate(fx);
    await fx.src.knex.destroy();
    fs.copyFileSync(fx.url.replace(/^sqlite:/, ''), path.join(dir, 'snap.sqlite'));
  } finally {
    await fx.drop();
  }
  const w = (f: string, text: string) => fs.writeFileSync(path.join(dir, f), text);
  w('file.txt', 'not a database and not a YAML map: [\n');
  w('empty.sqlite', '');
  w('empty.yaml', '');
  w('sites.yaml', yamlSite(SNAP));
  w('typo.yaml', yamlSite(SNAP, '    databses: { nova: nova }\n'));
  w('missing-db.yaml', yamlSite('sqlite:gone.sqlite'));
  fs.mkdirSync(path.join(dir, 'données'));
  w('données/my sites.yaml', yamlSite(SNAP));
  fs.mkdirSync(path.join(dir, 'a dir'));
  fs.symlinkSync('loop-b', path.join(dir, 'loop-a'));
  fs.symlinkSync('loop-a', path.join(dir, 'loop-b'));
  fs.symlinkSync('gone', path.join(dir, 'dangling'));
  fs.mkdirSync(path.join(dir, 'ro'));
  fs.mkdirSync(path.join(dir, 'rw'));
  fs.mkdirSync(path.join(dir, 'blocked'));
  w('blocked/data', 'a file where the data folder goes');
  fs.mkdirSync(path.join(dir, 'occupied', 'data', 'usage_timeline.csv'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'tbdir', 'chi_uc.sqlite'), { recursive: true });
  fs.copyFileSync(path.join(dir, 'snap.sqlite'), path.join(dir, 'private.sqlite'));
};

/** A copy of the template with the modes the rows rely on (a copy keeps symlinks as they are). */
const sandbox = (name: string): string => {
  const d = path.join(root, name);
  fs.cpSync(template, d, { recursive: true, verbatimSymlinks: true });
  fs.chmodSync(d, 0o755);
  fs.chmodSync(path.join(d, 'ro'), 0o555);
  fs.chmodSync(path.join(d, 'rw'), 0o777);
  fs.chmodSync(path.join(d, 'private.sqlite'), 0o600);
  return d;
};

/** Every path under `d` with its type and size (a changed file shows), sorted. */
const listing = (d: string): string[] =>
  (fs.readdirSync(d, { recursive: true }) as string[])
    .map((f) => {
      const st = fs.lstatSync(path.join(d, f));
      return `${f} ${st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : st.size}`;
    })
    .sort();

const names = (l: ReadonlyArray<string>): string[] => l.map((x) => x.slice(0, x.lastIndexOf(' ')));

const results = new Map<string, { run: Run; before: string[]; after: string[] } | 'skipped'>();

beforeAll(async () => {
  builtCli();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-matrix-'));
  fs.chmodSync(root, 0o755);
  const prefix = asNobody();
  if (prefix !== undefined && (await spawnCli(['--version'], { cwd: root, limitMs: 30_000, prefix })).code === 0) nobody = prefix;
  template = path.join(root, 'template');
  fs.mkdirSync(template);
  await makeTemplate(template);
  const queue = rows.map(([name, row], i) => ({ name, row, i }));
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const { name, row, i } = next;
      if (row.nobody === true && nobody === undefined) {
        results.set(name, 'skipped');
        continue;
      }
      const cwd = sandbox(`row-${i}`);
      const before = listing(cwd);
      const run = await spawnCli(row.args, { cwd, env: row.env, limitMs: row.limitMs ?? 20_000, prefix: row.nobody === true ? nobody : undefined });
      results.set(name, { run, before, after: listing(cwd) });
      if (row.creates === undefined) fs.rmSync(cwd, { recursive: true, force: true });
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}, 600_000);

afterAll(() => {
  if (root !== undefined) fs.rmSync(root, { recursive: true, force: true });
});

describe('the CLI at its edges', () => {
  it('has at least 80 rows, every command among them', () => {
    expect(rows.length).toBeGreaterThanOrEqual(80);
    expect(new Set(rows.map(([, r]) => r.args[0]))).toEqual(new Set([undefined, '--help', 'report', '--version', '-v', 'frobnicate', 'rapport ü', 'grants', 'extract', 'example', 'demo', 'generate']));
    if (nobody === undefined) process.stdout.write('cli.matrix: not root, no setpriv, or uid 65534 cannot read the built CLI: the rows run as an unprivileged user are skipped\n');
  });

  it.each(rows.map(([name, row]) => [name, row] as const))('%s', (name, row) => {
    const r = results.get(name);
    if (r === 'skipped' || r === undefined) return;
    const { run, before, after } = r;
    const said = `${run.out}${run.err}`;
    // ends by itself, in time, with its exit code
    expect({ hung: run.hung, signal: run.signal }).toEqual({ hung: false, signal: null });
    expect({ code: run.code, err: run.err }).toEqual({ code: row.code, err: expect.anything() });
    // never a stack trace, an unexpected error or a password
    expect(said).not.toMatch(/\n\s+at \S+ \(|chameleon-usage: unexpected error/);
    expect(said).not.toContain(SECRET);
    if (row.code === 0) {
      expect(said).toMatch(row.message);
      const made = names(after).filter((f) => !names(before).includes(f));
      expect(made.sort()).toEqual([...(row.creates ?? [])].sort());
      expect(after.filter((f) => before.includes(f) || !names(before).includes(names([f])[0]))).toEqual(after);
    } else {
      // one line says what failed (a hint to --help may follow it)
      const blamed = run.err.split('\n').filter((l) => l.startsWith('chameleon-usage: '));
      expect(blamed).toHaveLength(1);
      expect(blamed[0]).toMatch(row.message);
      // nothing created, nothing changed, nothing left
      expect(after).toEqual(before);
    }
    for (const p of row.absent ?? []) expect(fs.existsSync(p)).toBe(false);
  });
});
