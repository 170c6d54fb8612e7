/**
 * Determinism (issue 9): the same source data gives byte-identical outputs, whatever the physical
 * order of the rows in the tables.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as Ei from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import { runReport } from '../cli/report';
import * as T from '../lib/Time';
import { describeBoth, openFixture, type Dialect } from './fixtures/db';
import { populate } from './fixtures/smallSite';

/** Runs a report; returns the fixture's real database names, which the audit names. */
const reportOf = async (dialect: Dialect, order: <A>(rows: ReadonlyArray<A>) => ReadonlyArray<A>, out: string) => {
  const fx = await openFixture(dialect);
  try {
    await populate(fx, order);
    const r = await runReport({
      targets: [{ site: { ...fx.src.site, site: 'small' }, url: fx.url }],
      out,
      start: T.unsafeMillis(Date.UTC(2023, 11, 1)),
      end: T.unsafeMillis(Date.UTC(2024, 1, 1)),
      groupBy: ['node_type', 'hypervisor_hostname'],
      valueTypes: ['nodes', 'vcpus', 'memory_mb'],
      resample: O.none,
      facts: false,
      log: () => undefined,
    })();
    if (Ei.isLeft(r)) throw new Error(r.left.message);
    return Object.entries(fx.src.site.databases);
  } finally {
    await fx.drop();
  }
};

/** A file's text with the fixture's database names replaced by the logical ones. */
const read = (file: string, names: ReadonlyArray<[string, string]>): string =>
  names.reduce((text, [logical, real]) => text.split(`${real}.`).join(`${logical}.`), fs.readFileSync(file, 'latin1'));

describeBoth('outputs', (dialect) => {
  // two fixtures created, read and dropped: over jest's default 5 s on MariaDB when the machine is loaded
  it('are byte-identical (up to the fixture database names) when every table holds its rows in reverse physical order', async () => {
    const a = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-order-a-'));
    const b = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-order-b-'));
    try {
      const na = await reportOf(dialect, (r) => r, a);
      const nb = await reportOf(dialect, (r) => [...r].reverse(), b);
      const files = fs.readdirSync(path.join(a, 'data')).sort();
      expect(files.length).toBeGreaterThan(3);
      // on MySQL each fixture has its own database names, which the audit names: compare them as logical names
      for (const f of files) expect(read(path.join(b, 'data', f), nb)).toBe(read(path.join(a, 'data', f), na));
    } finally {
      fs.rmSync(a, { recursive: true, force: true });
      fs.rmSync(b, { recursive: true, force: true });
    }
  }, 60_000);
});
