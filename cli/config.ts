/**
 * The sites file (`--config sites.yaml`): one entry per site with its display name, database URL,
 * real database names, operator projects, GPU capability, coverage starts and known gaps.
 *
 * ```yaml
 * sites:
 *   chi_tacc:
 *     display_name: CHI@TACC
 *     db: mysql://reader:secret@db.tacc.example:3306   # optional; else --db or env DATABASE_URL
 *     databases: { nova: nova_cell1 }                  # optional, partial (nova, nova_api, blazar, chameleon_usage, openstack_audit): the rest keep their names
 *     operator_projects: [ops-project-id]
 *     gpu_capability: gpu.gpu_count
 *     coverage_start: { total: 2018-01-01, reservable: 2020-01-01 }
 *     ondemand_pool: false                             # true where non-reservable hosts serve on-demand instances (KVM@TACC)
 *     known_gaps:                                      # a list, or `plan` for {@link planGaps}
 *       - { count_types: [total], start: 2016-01-01, end: 2018-01-01, note: "Nova hosts before 2018 were lost" }
 * ```
 *
 * Invariants:
 * - decoding is strict: an unknown key, a wrong type or an impossible date is an error that names
 *   its path (`sites.chi_tacc.coverage_start.totl`) and what was expected; every error is
 *   reported, not only the first;
 * - every key is optional but `sites` (at least one); defaults are those of `siteConfig`;
 * - dates are UTC (`2018-01-01` is 00:00Z), gaps are half-open `[start, end)` with `start < end`;
 * - database names are plain MySQL identifiers (`[A-Za-z0-9_$]`), because adapters put them
 *   into SQL unquoted; site keys are `[A-Za-z0-9_-]`, because they name output files;
 * - no message ever contains a password: values are shown through `redact`.
 *
 * @since 0.1.0
 */
import { promises as fs } from 'node:fs';
import * as E from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import type * as TE from 'fp-ts/TaskEither';
import * as t from 'io-ts';
import { parseDocument } from 'yaml';
import { redact, siteConfig, logicalDbs, type KnownGap, type LogicalDb, type SiteConfig } from '../adapters/Source';
import { baseCountTypes, type BaseCountType } from '../lib/CountType';
import type { ConfigFailure } from '../lib/Failure';
import * as T from '../lib/Time';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One site to read: its configuration and the database URL the config gives, if any.
 *
 * @category model
 * @since 0.1.0
 */
export interface SiteEntry {
  readonly site: SiteConfig;
  readonly url: O.Option<string>;
}

/**
 * The known gaps of the plan: Nova hosts (`total`) before 2018-01-01 and Blazar hosts
 * (`reservable`) before 2020-01-01 were lost. Both start 2015-01-01 (Chameleon began in 2015), so
 * a plot shades the lost years, not everything since 1970. A site opts in with `known_gaps: plan`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const planGaps: ReadonlyArray<KnownGap> = Object.freeze([
  { countTypes: ['total'], start: T.unsafeMillis(Date.UTC(2015, 0, 1)), end: T.unsafeMillis(Date.UTC(2018, 0, 1)), note: 'Nova hosts before 2018 were lost' },
  { countTypes: ['reservable'], start: T.unsafeMillis(Date.UTC(2015, 0, 1)), end: T.unsafeMillis(Date.UTC(2020, 0, 1)), note: 'Blazar hosts before 2020 were lost' },
] as ReadonlyArray<KnownGap>);

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

const fail = <A>(u: unknown, c: t.Context, message: string): t.Validation<A> => t.failure(u, c, message);

/** A string matching `re`; `expected` says what in words. */
const matching = (name: string, re: RegExp, expected: string): t.Type<string, string, unknown> =>
  new t.Type<string, string, unknown>(
    name,
    (u): u is string => typeof u === 'string' && re.test(u),
    (u, c) => (typeof u === 'string' && re.test(u) ? t.success(u) : fail(u, c, expected)),
    t.identity,
  );

const NonEmptyString = matching('NonEmptyString', /\S/, 'a non-empty string');

const DbName = matching('DbName', /^[A-Za-z0-9_$]{1,64}$/, 'a database name of letters, digits, _ and $');

const DbUrl = matching('DbUrl', /^(mysql|mariadb):\/\/.|^sqlite:./, 'a database URL (mysql://user:pass@host:port or sqlite:path)');

/** `2018-01-01` or `2018-01-01T00:00:00Z`, read as UTC, into `Millis`. */
const UtcDate = new t.Type<T.Millis, string, unknown>(
  'UtcDate',
  (u): u is T.Millis => typeof u === 'number' && Number.isInteger(u),
  (u, c) => {
    const m = typeof u === 'string' ? T.fromIso(u) : O.none;
    return O.isSome(m) ? t.success(m.value) : fail(u, c, 'a UTC date like 2018-01-01');
  },
  T.toIso,
);

const CountTypeC = new t.Type<BaseCountType, string, unknown>(
  'BaseCountType',
  (u): u is BaseCountType => typeof u === 'string' && (baseCountTypes as ReadonlyArray<string>).includes(u),
  (u, c) =>
    typeof u === 'string' && (baseCountTypes as ReadonlyArray<string>).includes(u)
      ? t.success(u as BaseCountType)
      : fail(u, c, `one of ${baseCountTypes.join(', ')}`),
  t.identity,
);

/** An array of `item`, each element checked under its index; `nonEmpty` rejects `[]`. */
const list = <A>(item: t.Decoder<unknown, A>, nonEmpty = false): t.Type<ReadonlyArray<A>, unknown, unknown> =>
  new t.Type<ReadonlyArray<A>, unknown, unknown>(
    `ReadonlyArray<${item.name}>`,
    (u): u is ReadonlyArray<A> => Array.isArray(u),
    (u, c) => {
      if (!Array.isArray(u)) return fail(u, c, nonEmpty ? 'a non-empty list' : 'a list');
      if (nonEmpty && u.length === 0) return fail(u, c, 'a non-empty list');
      const out: A[] = [];
      const errors: t.Errors = [];
      for (let i = 0; i < u.length; i++) {
        const r = item.validate(u[i], t.appendContext(c, String(i), item, u[i]));
        if (E.isLeft(r)) errors.push(...r.left);
        else out.push(r.right);
      }
      return errors.length > 0 ? t.failures(errors) : t.success(out);
    },
    t.identity,
  );

/**
 * A mapping with the given keys, `required` ones must be there; any other key is an error naming
 * the allowed ones. Every problem is reported, not only the first.
 */
const closed = <P extends Record<string, t.Mixed>>(
  name: string,
  props: P,
  required: ReadonlyArray<keyof P & string> = [],
): t.Type<{ readonly [K in keyof P]?: t.TypeOf<P[K]> }, unknown, unknown> =>
  new t.Type<{ readonly [K in keyof P]?: t.TypeOf<P[K]> }, unknown, unknown>(
    name,
    (u): u is { readonly [K in keyof P]?: t.TypeOf<P[K]> } => typeof u === 'object' && u !== null && !Array.isArray(u),
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return fail(u, c, `a mapping with keys ${Object.keys(props).join(', ')}`);
      const rec = u as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      const errors: t.Errors = [];
      for (const [k, v] of Object.entries(rec)) {
        const codec = Object.prototype.hasOwnProperty.call(props, k) ? props[k] : undefined;
        if (codec === undefined) {
          errors.push({ value: v, context: t.appendContext(c, k, t.never, v), message: `a known key (one of ${Object.keys(props).join(', ')})` });
          continue;
        }
        if (v === undefined) continue;
        const r = codec.validate(v, t.appendContext(c, k, codec, v));
        if (E.isLeft(r)) errors.push(...r.left);
        else out[k] = r.right;
      }
      for (const k of required) {
        if (rec[k] === undefined || rec[k] === null) {
          errors.push({ value: undefined, context: t.appendContext(c, k, props[k], undefined), message: 'a value (required key)' });
        }
      }
      return errors.length > 0 ? t.failures(errors) : t.success(out as { readonly [K in keyof P]?: t.TypeOf<P[K]> });
    },
    t.identity,
  );

const GapShape = closed('KnownGap', { count_types: list(CountTypeC, true), start: UtcDate, end: UtcDate, note: t.string }, [
  'count_types',
  'start',
  'end',
]);

const GapC = new t.Type<KnownGap, unknown, unknown>(
  'KnownGap',
  (u): u is KnownGap => typeof u === 'object' && u !== null,
  (u, c) => {
    const r = GapShape.validate(u, c);
    if (E.isLeft(r)) return r;
    const g = r.right as { count_types: ReadonlyArray<BaseCountType>; start: T.Millis; end: T.Millis; note?: string };
    if (g.start >= g.end) return fail(u, t.appendContext(c, 'end', UtcDate, g.end), 'a date after start');
    return t.success({ countTypes: g.count_types, start: g.start, end: g.end, note: g.note ?? '' });
  },
  t.identity,
);

/** `plan` (the plan's gaps) or a list of gaps. */
const GapsC = new t.Type<ReadonlyArray<KnownGap>, unknown, unknown>(
  'KnownGaps',
  (u): u is ReadonlyArray<KnownGap> => Array.isArray(u),
  (u, c) => {
    if (u === 'plan') return t.success(planGaps);
    if (!Array.isArray(u)) return fail(u, c, 'a list of gaps or the word plan');
    return list(GapC).validate(u, c);
  },
  t.identity,
);

const DatabasesC = closed('Databases', Object.fromEntries(logicalDbs.map((d) => [d, DbName])) as Record<LogicalDb, typeof DbName>);

const CoverageC = closed('CoverageStart', Object.fromEntries(baseCountTypes.map((k) => [k, UtcDate])) as Record<BaseCountType, typeof UtcDate>);

const SiteEntryC = closed('Site', {
  display_name: NonEmptyString,
  db: DbUrl,
  databases: DatabasesC,
  operator_projects: list(NonEmptyString),
  gpu_capability: NonEmptyString,
  coverage_start: CoverageC,
  known_gaps: GapsC,
  ondemand_pool: t.boolean,
});

const Mapping = new t.Type<Record<string, unknown>, unknown, unknown>(
  'Mapping',
  (u): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u),
  (u, c) => (typeof u === 'object' && u !== null && !Array.isArray(u) ? t.success(u as Record<string, unknown>) : fail(u, c, 'a mapping of site keys to sites')),
  t.identity,
);

const SITE_KEY = /^[A-Za-z0-9_-]{1,64}$/;

/** `{ sites: { <key>: entry, ... } }`, in file order. */
const FileC = new t.Type<ReadonlyArray<SiteEntry>, unknown, unknown>(
  'SitesFile',
  (u): u is ReadonlyArray<SiteEntry> => Array.isArray(u),
  (u, c) => {
    const top = closed('SitesFile', { sites: Mapping }, ['sites']).validate(u, c);
    if (E.isLeft(top)) return top;
    const sites = (top.right as { sites: Record<string, unknown> }).sites;
    const sc = t.appendContext(c, 'sites', Mapping, sites);
    const keys = Object.keys(sites);
    if (keys.length === 0) return fail(sites, sc, 'at least one site');
    const out: SiteEntry[] = [];
    const errors: t.Errors = [];
    for (const key of keys) {
      const ec = t.appendContext(sc, key, SiteEntryC, sites[key]);
      if (!SITE_KEY.test(key)) {
        errors.push({ value: key, context: ec, message: 'a site key of letters, digits, _ and -' });
        continue;
      }
      const r = SiteEntryC.validate(sites[key] ?? {}, ec);
      if (E.isLeft(r)) {
        errors.push(...r.left);
        continue;
      }
      const e = r.right;
      out.push({
        site: siteConfig(key, {
          ...(e.display_name === undefined ? {} : { displayName: e.display_name }),
          databases: { ...siteConfig(key).databases, ...(e.databases ?? {}) },
          ...(e.operator_projects === undefined ? {} : { operatorProjects: e.operator_projects }),
          ...(e.gpu_capability === undefined ? {} : { gpuCapability: e.gpu_capability }),
          ...(e.coverage_start === undefined ? {} : { coverageStart: e.coverage_start }),
          ...(e.known_gaps === undefined ? {} : { knownGaps: e.known_gaps }),
          ...(e.ondemand_pool === undefined ? {} : { ondemandPool: e.ondemand_pool }),
        }),
        url: O.fromNullable(e.db),
      });
    }
    return errors.length > 0 ? t.failures(errors) : t.success(out);
  },
  t.identity,
);

// -------------------------------------------------------------------------------------
// decoding
// -------------------------------------------------------------------------------------

const show = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  const s = typeof v === 'string' ? JSON.stringify(redact(v)) : JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/**
 * One line per error: the path, what was expected and what was found (redacted).
 *
 * @example
 * // 'sites.chi_tacc.coverage_start.totl: expected a known key (one of total, ...), got "2018-01-01"'
 * @since 0.1.0
 */
export const renderErrors = (errors: t.Errors): ReadonlyArray<string> =>
  errors.map((e) => {
    const path = e.context
      .map((x) => x.key)
      .filter((k) => k !== '')
      .join('.');
    const expected = e.message ?? e.context[e.context.length - 1]?.type.name ?? 'a valid value';
    return `${path === '' ? '(top level)' : path}: expected ${expected}, got ${show(e.value)}`;
  });

/**
 * Decodes a sites file from its YAML text. `name` (the file path) prefixes every message.
 *
 * @example
 * decodeConfig('sites: { chi_tacc: { display_name: CHI@TACC } }') // right([{ site: { site: 'chi_tacc', ... }, url: none }])
 * decodeConfig('sites: { chi_tacc: { displayname: x } }') // left({ message: 'sites.yaml: sites.chi_tacc.displayname: expected a known key ...' })
 * @category decoding
 * @since 0.1.0
 */
export const decodeConfig = (text: string, name = 'config'): E.Either<ConfigFailure, ReadonlyArray<SiteEntry>> => {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = err.linePos?.[0];
    const where = pos === undefined ? '' : ` at line ${pos.line}, column ${pos.col}`;
    // The YAML message may quote the offending line; it can hold a URL with a password.
    const what = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    return E.left({ _tag: 'ConfigFailure', message: `${name}: invalid YAML${where}: ${redact(what)}` });
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    return E.left({ _tag: 'ConfigFailure', message: `${name}: invalid YAML: ${e instanceof Error ? e.message : String(e)}` });
  }
  const r = FileC.decode(value ?? {});
  return E.isLeft(r) ? E.left({ _tag: 'ConfigFailure', message: `${name}: ${renderErrors(r.left).join('\n  ')}` }) : r;
};

/**
 * Reads and decodes a sites file.
 *
 * @category decoding
 * @since 0.1.0
 */
export const readConfig =
  (path: string): TE.TaskEither<ConfigFailure, ReadonlyArray<SiteEntry>> =>
  async () => {
    let text: string;
    try {
      text = await readSmall(path);
    } catch (e) {
      const m = (e as { message?: unknown } | null)?.message;
      return E.left({ _tag: 'ConfigFailure', message: `cannot read config ${path}: ${typeof m === 'string' ? m : String(e)}` });
    }
    return decodeConfig(text, path);
  };

/** A sites file is small; more than this is not one (and `/dev/zero` never ends). */
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * The text of a file, a pipe (`--config <(...)`) included, refusing devices and anything over
 * `MAX_CONFIG_BYTES`: reading `/dev/full` or `/dev/zero` whole would never end.
 */
const readSmall = async (file: string): Promise<string> => {
  const h = await fs.open(file, 'r');
  try {
    const st = await h.stat();
    if (st.isDirectory()) throw new Error('is a folder, not a sites file');
    if (st.isCharacterDevice() || st.isBlockDevice()) throw new Error('is a device, not a sites file');
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await h.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > MAX_CONFIG_BYTES) throw new Error(`larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB, not a sites file`);
      chunks.push(buf.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    await h.close();
  }
};

// -------------------------------------------------------------------------------------
// selection
// -------------------------------------------------------------------------------------

/**
 * A site given on the command line only (`--db URL --site KEY`): defaults, no URL of its own.
 *
 * @since 0.1.0
 */
export const siteFromKey = (key: string): E.Either<ConfigFailure, SiteEntry> =>
  SITE_KEY.test(key)
    ? E.right({ site: siteConfig(key), url: O.none })
    : E.left({ _tag: 'ConfigFailure', message: `site key ${JSON.stringify(key)}: use letters, digits, _ and - only` });

/**
 * The sites picked with `--site` (repeatable), in the order given; all of them when none is
 * given. An unknown key is an error listing the known ones.
 *
 * @since 0.1.0
 */
export const selectSites = (entries: ReadonlyArray<SiteEntry>, keys: ReadonlyArray<string>): E.Either<ConfigFailure, ReadonlyArray<SiteEntry>> => {
  if (keys.length === 0) return E.right(entries);
  const byKey = new Map(entries.map((e) => [e.site.site, e]));
  const unknown = keys.filter((k) => !byKey.has(k));
  if (unknown.length > 0) {
    return E.left({ _tag: 'ConfigFailure', message: `unknown site ${unknown.join(', ')} (the config has ${[...byKey.keys()].join(', ')})` });
  }
  return E.right([...new Set(keys)].map((k) => byKey.get(k) as SiteEntry));
};

/**
 * The database URL of a site: `--db` first, then the config's `db`, then env `DATABASE_URL`.
 * Empty values count as absent.
 *
 * @example
 * resolveUrl({ site, url: O.some('mysql://a@h') }, undefined, {}) // right('mysql://a@h')
 * resolveUrl({ site, url: O.none }, undefined, {}) // left: 'no database URL for site chi_tacc ...'
 * @since 0.1.0
 */
export const resolveUrl = (
  entry: SiteEntry,
  cliDb: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): E.Either<ConfigFailure, string> => {
  const given = (s: string | undefined): s is string => s !== undefined && s.trim() !== '';
  if (given(cliDb)) return E.right(cliDb.trim());
  if (O.isSome(entry.url) && given(entry.url.value)) return E.right(entry.url.value);
  if (given(env.DATABASE_URL)) return E.right(env.DATABASE_URL.trim());
  return E.left({
    _tag: 'ConfigFailure',
    message: `no database URL for site ${entry.site.site}: give --db, set db in the config, or set DATABASE_URL`,
  });
};
