/**
 * `chameleon-usage grants`: the SQL that creates a read-only MySQL/MariaDB account for the tool,
 * with SELECT on exactly the tables the adapters read (`tablesRead`) and nothing else.
 *
 * Invariants:
 * - the SQL holds no password: `CREATE USER` carries {@link PASSWORD_PLACEHOLDER}, which is not
 *   valid SQL, so running the script unedited fails at its first statement instead of creating an
 *   account with a known password;
 * - one `GRANT SELECT ON \`db\`.\`table\`` per table of `tablesRead` and per real database name,
 *   deduplicated across sites (two sites on one server sharing `nova` get one grant);
 * - identifiers are backquoted with backquotes doubled; user and host are validated (no quotes,
 *   backslashes, backquotes, whitespace or control characters), so no input can escape a literal.
 *
 * A site lacks some of the tables (shadow tables, two of the three capability layouts, the
 * legacy `chameleon_usage` database); MySQL rejects a grant on a table that does not exist, so
 * those statements fail harmlessly and can be skipped. The tool reports such tables as missing.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either';
import { tablesRead } from '../adapters/registry';
import type { SiteConfig } from '../adapters/Source';
import type { ConfigFailure } from '../lib/Failure';

/**
 * What stands for the password in the SQL; replace it with a quoted password, e.g. `'s3cret'`.
 *
 * @since 0.1.0
 */
export const PASSWORD_PLACEHOLDER = '<PASSWORD>';

/**
 * A MySQL identifier in backquotes, inner backquotes doubled.
 *
 * @example
 * quoteIdent('a`b') === '`a``b`'
 * @since 0.1.0
 */
export const quoteIdent = (s: string): string => `\`${s.replace(/`/g, '``')}\``;

// Quotes, backslashes and backquotes could end a literal; whitespace and control characters have
// no business in an account name and hide mistakes.
const UNSAFE = /['"`\\\s\p{Cc}]/u;

const account = (what: 'user' | 'host', s: string): E.Either<ConfigFailure, string> =>
  s === '' || UNSAFE.test(s)
    ? E.left({ _tag: 'ConfigFailure', message: `${what} ${JSON.stringify(s)}: must be non-empty, without quotes, backslashes, backquotes or spaces` })
    : E.right(`'${s}'`);

/**
 * The real `database.table` pairs to grant, in site order then `tablesRead` order, each once.
 *
 * @since 0.1.0
 */
export const grantTargets = (sites: ReadonlyArray<SiteConfig>): ReadonlyArray<{ readonly database: string; readonly table: string }> => {
  const seen = new Set<string>();
  const out: Array<{ database: string; table: string }> = [];
  for (const site of sites) {
    for (const ref of tablesRead) {
      const database = site.databases[ref.db];
      const key = `${database}\u0000${ref.table}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ database, table: ref.table });
    }
  }
  return out;
};

/**
 * The SQL script that creates the read-only account `user@host` (host `%` by default) for the
 * given sites. Fails when the user or host is unsafe or no site is given.
 *
 * @example
 * grantsSql({ user: 'usage_reader', sites: [siteConfig('chi_tacc')] })
 * // right("-- ...\nCREATE USER IF NOT EXISTS 'usage_reader'@'%' IDENTIFIED BY <PASSWORD>;\nGRANT SELECT ON `blazar`.`computehost_allocations` TO 'usage_reader'@'%';\n...")
 * @since 0.1.0
 */
export const grantsSql = (o: { readonly user: string; readonly host?: string; readonly sites: ReadonlyArray<SiteConfig> }): E.Either<ConfigFailure, string> => {
  const user = account('user', o.user);
  if (E.isLeft(user)) return user;
  const host = account('host', o.host ?? '%');
  if (E.isLeft(host)) return host;
  if (o.sites.length === 0) return E.left({ _tag: 'ConfigFailure', message: 'grants: no site given' });
  const who = `${user.right}@${host.right}`;
  const lines = [
    `-- Read-only account for chameleon-usage (sites: ${o.sites.map((s) => s.site).join(', ')}).`,
    `-- Replace ${PASSWORD_PLACEHOLDER} with a quoted password before running, e.g. 'a-long-random-secret';`,
    '-- unedited, the CREATE USER statement is a syntax error and nothing is created.',
    `-- GRANTs on tables a site does not have (shadow_* tables, capability tables of another layout,`,
    `-- the legacy chameleon_usage database) fail with "doesn't exist"; skip them (mysql --force):`,
    '-- the tool reports those tables as missing and reads the others.',
    `CREATE USER IF NOT EXISTS ${who} IDENTIFIED BY ${PASSWORD_PLACEHOLDER};`,
    ...grantTargets(o.sites).map((g) => `GRANT SELECT ON ${quoteIdent(g.database)}.${quoteIdent(g.table)} TO ${who};`),
  ];
  return E.right(`${lines.join('\n')}\n`);
};
