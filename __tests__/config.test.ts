import * as E from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import { decodeConfig, planGaps, resolveUrl, selectSites, siteFromKey, type SiteEntry } from '../cli/config';
import { siteConfig } from '../adapters/Source';
import * as T from '../lib/Time';

const FULL = `
sites:
  chi_tacc:
    display_name: CHI@TACC
    db: mysql://reader:secret@db.tacc.example:3306
    databases: { nova: nova_cell1, blazar: blazar }
    operator_projects: [ops-project-id, other-ops]
    gpu_capability: gpu.count
    coverage_start: { total: 2018-01-01, reservable: 2020-01-01 }
    known_gaps:
      - { count_types: [total], start: 2016-01-01, end: 2018-01-01, note: "Nova hosts before 2018 were lost" }
    ondemand_pool: true
  chi_uc:
    display_name: CHI@UC
`;

const ms = (iso: string): T.Millis => {
  const m = T.fromIso(iso);
  if (O.isNone(m)) throw new Error(iso);
  return m.value;
};

const entries = (text: string): ReadonlyArray<SiteEntry> => {
  const r = decodeConfig(text, 'sites.yaml');
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

const message = (text: string): string => {
  const r = decodeConfig(text, 'sites.yaml');
  if (E.isRight(r)) throw new Error('expected a failure');
  expect(r.left._tag).toBe('ConfigFailure');
  return r.left.message;
};

describe('decodeConfig', () => {
  it('decodes every key of a site into a SiteConfig, in file order', () => {
    const [tacc, uc] = entries(FULL);
    expect(tacc.site).toEqual({
      site: 'chi_tacc',
      displayName: 'CHI@TACC',
      databases: { nova: 'nova_cell1', nova_api: 'nova_api', blazar: 'blazar', chameleon_usage: 'chameleon_usage', openstack_audit: 'openstack_audit' },
      operatorProjects: ['ops-project-id', 'other-ops'],
      gpuCapability: 'gpu.count',
      coverageStart: { total: ms('2018-01-01'), reservable: ms('2020-01-01') },
      knownGaps: [{ countTypes: ['total'], start: ms('2016-01-01'), end: ms('2018-01-01'), note: 'Nova hosts before 2018 were lost' }],
      ondemandPool: true,
    });
    expect(tacc.url).toEqual(O.some('mysql://reader:secret@db.tacc.example:3306'));
    expect(uc).toEqual({ site: siteConfig('chi_uc', { displayName: 'CHI@UC' }), url: O.none });
  });

  it('rejects an ondemand_pool that is not a boolean, naming its path', () => {
    expect(message('sites: { kvm_tacc: { ondemand_pool: sometimes } }')).toMatch(/sites\.kvm_tacc\.ondemand_pool/);
    expect(entries('sites: { a: {} }')[0].site.ondemandPool).toBe(false);
  });

  it('reads dates as UTC midnight whatever the process time zone', () => {
    const [s] = entries('sites: { a: { coverage_start: { total: 2018-01-01 } } }');
    expect(s.site.coverageStart.total).toBe(Date.UTC(2018, 0, 1));
  });

  it('gives the defaults to a site with no keys at all', () => {
    expect(entries('sites:\n  a:\n')).toEqual([{ site: siteConfig('a'), url: O.none }]);
  });

  it('turns known_gaps: plan into the plan gaps', () => {
    const [s] = entries('sites: { a: { known_gaps: plan } }');
    expect(s.site.knownGaps).toEqual(planGaps);
    expect(planGaps.map((g) => [g.countTypes, T.toIso(g.end)])).toEqual([
      [['total'], '2018-01-01T00:00:00Z'],
      [['reservable'], '2020-01-01T00:00:00Z'],
    ]);
  });

  it('names the path and the allowed keys for a misspelt key', () => {
    const m = message('sites: { chi_tacc: { coverage_start: { totl: 2018-01-01 } } }');
    expect(m).toMatch(/^sites\.yaml: sites\.chi_tacc\.coverage_start\.totl: expected a known key \(one of total, reservable/);
  });

  it('names the path and the expectation for a wrong type, a bad date and a bad count type', () => {
    const m = message(`
sites:
  a:
    operator_projects: ops
    coverage_start: { total: 2018-02-30 }
    known_gaps:
      - { count_types: [totl], start: 2016-01-01, end: 2018-01-01 }
`);
    expect(m).toContain('sites.a.operator_projects: expected a list, got "ops"');
    expect(m).toContain('sites.a.coverage_start.total: expected a UTC date like 2018-01-01, got "2018-02-30"');
    expect(m).toContain('sites.a.known_gaps.0.count_types.0: expected one of total, reservable');
  });

  it('reports every error, not only the first', () => {
    const m = message('sites: { a: { displayname: x }, b: { gpu_capability: 3 } }');
    expect(m).toContain('sites.a.displayname');
    expect(m).toContain('sites.b.gpu_capability: expected a non-empty string, got 3');
  });

  it('rejects a gap that ends before it starts and a gap without its dates', () => {
    const m = message(`
sites:
  a:
    known_gaps:
      - { count_types: [total], start: 2018-01-01, end: 2018-01-01 }
      - { count_types: [total] }
`);
    expect(m).toContain('sites.a.known_gaps.0.end: expected a date after start');
    expect(m).toContain('sites.a.known_gaps.1.start: expected a value (required key)');
    expect(m).toContain('sites.a.known_gaps.1.end: expected a value (required key)');
  });

  it('rejects database names that are not plain identifiers, since adapters put them into SQL', () => {
    expect(message('sites: { a: { databases: { nova: "nova; drop table x" } } }')).toContain('sites.a.databases.nova: expected a database name');
    expect(message('sites: { a: { databases: { novaa: nova } } }')).toContain('sites.a.databases.novaa: expected a known key');
  });

  it('rejects an unknown top-level key, a missing or empty sites and a bad site key', () => {
    expect(message('site: { a: {} }')).toContain('site: expected a known key (one of sites)');
    expect(message('other: 1\n')).toContain('sites: expected a value (required key)');
    expect(message('sites: {}')).toContain('sites: expected at least one site');
    expect(message('sites: { "a/b": {} }')).toContain('sites.a/b: expected a site key');
  });

  it('never shows the password of a bad db URL', () => {
    const m = message('sites: { a: { db: "postgres://u:hunter2@h" } }');
    expect(m).toContain('sites.a.db: expected a database URL');
    expect(m).not.toContain('hunter2');
  });

  it('gives the line and column of a YAML syntax error', () => {
    expect(message('sites:\n  a: { display_name: x\n  b: 1\n')).toMatch(/^sites\.yaml: invalid YAML at line \d+, column \d+/);
    expect(message('sites:\n  a: {}\n  a: {}\n')).toMatch(/invalid YAML at line 3, column 3/);
  });
});

describe('resolveUrl', () => {
  const entry: SiteEntry = { site: siteConfig('chi_tacc'), url: O.some('mysql://config@h') };
  const bare: SiteEntry = { site: siteConfig('chi_tacc'), url: O.none };
  const env = { DATABASE_URL: 'mysql://env@h' };

  it('prefers --db, then the config db, then DATABASE_URL', () => {
    expect(resolveUrl(entry, 'mysql://cli@h', env)).toEqual(E.right('mysql://cli@h'));
    expect(resolveUrl(entry, undefined, env)).toEqual(E.right('mysql://config@h'));
    expect(resolveUrl(bare, '', env)).toEqual(E.right('mysql://env@h'));
  });

  it('fails naming the site when no URL is given anywhere', () => {
    const r = resolveUrl(bare, undefined, { DATABASE_URL: ' ' });
    expect(E.isLeft(r) && r.left.message).toMatch(/no database URL for site chi_tacc/);
  });
});

describe('selectSites and siteFromKey', () => {
  const all = entries(FULL);

  it('keeps every site without --site and the given ones in the given order otherwise', () => {
    expect(selectSites(all, [])).toEqual(E.right(all));
    expect(E.map((xs: ReadonlyArray<SiteEntry>) => xs.map((x) => x.site.site))(selectSites(all, ['chi_uc', 'chi_tacc']))).toEqual(E.right(['chi_uc', 'chi_tacc']));
  });

  it('fails on an unknown site, listing the known ones', () => {
    const r = selectSites(all, ['kvm']);
    expect(E.isLeft(r) && r.left.message).toBe('unknown site kvm (the config has chi_tacc, chi_uc)');
  });

  it('makes a default site from a command-line key and rejects keys that cannot name files', () => {
    expect(siteFromKey('chi_tacc')).toEqual(E.right({ site: siteConfig('chi_tacc'), url: O.none }));
    expect(E.isLeft(siteFromKey('../x'))).toBe(true);
  });
});
