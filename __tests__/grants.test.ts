import * as E from 'fp-ts/Either';
import { readSite } from '../adapters/readSite';
import { toEvents } from '../lib/EventTable';
import { tablesRead } from '../adapters/registry';
import { connect, siteConfig } from '../adapters/Source';
import { grantsSql, grantTargets, PASSWORD_PLACEHOLDER, quoteIdent } from '../cli/grants';
import { describeMysql, mysqlUrl, openFixture } from './fixtures/db';
import { populate } from './fixtures/smallSite';

const sql = (o: Parameters<typeof grantsSql>[0]): string => {
  const r = grantsSql(o);
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

const statements = (script: string): ReadonlyArray<string> =>
  script
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('--'))
    .map((l) => l.replace(/;$/, ''));

describe('grantsSql', () => {
  it('grants SELECT on every table read, with the real database names, and nothing else', () => {
    const site = siteConfig('chi_tacc', { databases: { nova: 'nova_cell1', nova_api: 'nova_api', blazar: 'blazar', chameleon_usage: 'cu' } });
    const grants = statements(sql({ user: 'reader', sites: [site] })).filter((s) => s.startsWith('GRANT'));
    const expected = tablesRead.map((r) => `GRANT SELECT ON \`${site.databases[r.db]}\`.\`${r.table}\` TO 'reader'@'%'`);
    expect([...grants].sort()).toEqual([...expected].sort());
    expect(grants).toHaveLength(tablesRead.length);
  });

  it('creates the user with a placeholder that is not a password and not valid SQL', () => {
    const s = statements(sql({ user: 'reader', host: '10.0.0.%', sites: [siteConfig('a')] }));
    expect(s[0]).toBe(`CREATE USER IF NOT EXISTS 'reader'@'10.0.0.%' IDENTIFIED BY ${PASSWORD_PLACEHOLDER}`);
    expect(PASSWORD_PLACEHOLDER).not.toMatch(/^'.*'$/);
    expect(s.slice(1).every((x) => /^GRANT SELECT ON `[^`]+`\.`[^`]+` TO 'reader'@'10\.0\.0\.%'$/.test(x))).toBe(true);
  });

  it('says in a comment that grants on tables a site lacks can be skipped', () => {
    expect(sql({ user: 'reader', sites: [siteConfig('a')] })).toMatch(/^-- .*fail.*skip/ms);
  });

  it('grants a table shared by two sites once and each site-specific database once', () => {
    const a = siteConfig('a');
    const b = siteConfig('b', { databases: { ...a.databases, nova: 'nova_b' } });
    const targets = grantTargets([a, b]);
    const novaTables = tablesRead.filter((r) => r.db === 'nova').length;
    expect(targets).toHaveLength(tablesRead.length + novaTables);
    expect(new Set(targets.map((t) => `${t.database}.${t.table}`)).size).toBe(targets.length);
  });

  it('doubles backquotes in identifiers', () => {
    expect(quoteIdent('we`ird')).toBe('`we``ird`');
    const site = siteConfig('a', { databases: { ...siteConfig('a').databases, blazar: 'bl`az' } });
    expect(sql({ user: 'r', sites: [site] })).toContain('ON `bl``az`.`computehosts`');
  });

  it('rejects a user or host that could break out of its quotes', () => {
    for (const bad of [{ user: "r'; DROP USER root; --" }, { user: 'r\\' }, { user: '' }, { user: 'r', host: '%"' }, { user: 'r', host: 'a b' }]) {
      const r = grantsSql({ ...bad, sites: [siteConfig('a')] });
      expect(E.isLeft(r) && r.left._tag).toBe('ConfigFailure');
    }
  });

  it('fails without a site', () => {
    expect(E.isLeft(grantsSql({ user: 'r', sites: [] }))).toBe(true);
  });
});

describeMysql('grantsSql on MariaDB', () => {
  it('creates an account that can read the site and holds only SELECT grants', async () => {
    const fx = await openFixture('mysql');
    const user = `cu_grants_${process.pid}`;
    const password = 'test-pw-1';
    const root = fx.src.knex;
    try {
      await populate(fx);
      const script = sql({ user, sites: [fx.src.site] }).split(PASSWORD_PLACEHOLDER).join(`'${password}'`);
      const present = new Set(
        ((await root.raw('select table_schema as s, table_name as t from information_schema.tables'))[0] as Array<{ s: string; t: string }>).map(
          (r) => `${r.s}.${r.t}`,
        ),
      );
      const failed: string[] = [];
      for (const stmt of statements(script)) {
        try {
          await root.raw(stmt);
        } catch (e) {
          expect([stmt, (e as { code?: string }).code]).toEqual([stmt, 'ER_NO_SUCH_TABLE']);
          failed.push(stmt);
        }
      }
      // Exactly the grants on absent tables failed (here the other capability layout's table).
      const absent = grantTargets([fx.src.site]).filter((g) => !present.has(`${g.database}.${g.table}`));
      expect(absent.length).toBeGreaterThan(0);
      expect(failed.map((s) => s.replace(/^GRANT SELECT ON `([^`]+)`\.`([^`]+)`.*$/, '$1.$2')).sort()).toEqual(absent.map((g) => `${g.database}.${g.table}`).sort());

      const u = new URL(mysqlUrl() as string);
      const asUser = await connect(`mysql://${user}:${password}@${u.hostname}:${u.port || '3306'}`, fx.src.site)();
      if (E.isLeft(asUser)) throw new Error(asUser.left.message);
      try {
        const mine = await readSite(asUser.right)();
        const theirs = await readSite(fx.src)();
        if (E.isLeft(mine) || E.isLeft(theirs)) throw new Error('readSite failed');
        expect(mine.right.reports.filter((r) => r.status === 'no_select_grant')).toEqual([]);
        expect(mine.right.reports).toEqual(theirs.right.reports);
        // the device tables (an optional source) are absent: as root they are skipped silently;
        // the read-only account cannot tell absent from denied, and says so in the warnings
        expect(theirs.right.warnings.filter((w) => w.includes('device'))).toEqual([]);
        expect(mine.right.warnings.filter((w) => w.includes('device'))).toEqual([
          `${fx.src.site.databases.blazar}.devices: no such table, or no SELECT grant on it; read as absent (an optional source)`,
          `${fx.src.site.databases.blazar}.device_allocations: no such table, or no SELECT grant on it; read as absent (an optional source)`,
        ]);
        expect(toEvents(mine.right.events)).toEqual(toEvents(theirs.right.events));
        expect(mine.right.events.length).toBeGreaterThan(0);
        // The account cannot write.
        await expect(asUser.right.knex.raw(`delete from \`${fx.src.site.databases.nova}\`.\`compute_nodes\``)).rejects.toThrow(/denied/i);
      } finally {
        await asUser.right.knex.destroy();
      }

      const shown = ((await root.raw(`SHOW GRANTS FOR '${user}'@'%'`))[0] as Array<Record<string, string>>).map((r) => Object.values(r)[0]);
      const selects = shown.filter((g) => /^GRANT SELECT ON `[^`]+`\.`[^`]+` TO /.test(g));
      const others = shown.filter((g) => !selects.includes(g));
      expect(others).toHaveLength(1);
      expect(others[0]).toMatch(/^GRANT USAGE ON \*\.\* TO /);
      expect(selects).toHaveLength(grantTargets([fx.src.site]).length - absent.length);
    } finally {
      await root.raw(`DROP USER IF EXISTS '${user}'@'%'`);
      await fx.drop();
    }
  }, 60_000);
});
