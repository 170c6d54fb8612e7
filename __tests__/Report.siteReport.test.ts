/**
 * Report per site: `siteReport` parts joined by `assemble` are `report`, and a part that keeps no
 * per-lease facts (what the CLI asks for) differs from a full one in those facts only.
 */
import * as Ei from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import { readSite, toSiteInput } from '../adapters/readSite';
import { assemble, report, siteReport } from '../lib/Report';
import type { TimelineOptions } from '../lib/Timeline';
import * as T from '../lib/Time';
import { openFixture } from './fixtures/db';
import { populate } from './fixtures/smallSite';

const options: TimelineOptions = {
  start: T.unsafeMillis(Date.UTC(2023, 11, 1)),
  end: T.unsafeMillis(Date.UTC(2024, 1, 1)),
  groupBy: ['node_type'],
  valueTypes: ['nodes', 'vcpus'],
  resample: O.none,
};

const inputOf = async () => {
  const fx = await openFixture('sqlite');
  try {
    await populate(fx);
    const r = await readSite(fx.src)();
    if (Ei.isLeft(r)) throw new Error(r.left.message);
    return toSiteInput(fx.src.site)(r.right);
  } finally {
    await fx.drop();
  }
};

describe('siteReport', () => {
  it('without the per-lease facts keeps everything else a full part has', async () => {
    const input = await inputOf();
    const full = siteReport(options)(input);
    const lean = siteReport(options, { leases: false })(input);
    expect(full.leadTime?.leases.length).toBeGreaterThan(0);
    expect(lean.leadTime?.leases).toEqual([]);
    expect(lean.leadTime?.rows.length).toBeGreaterThan(0);
    expect({ ...lean, leadTime: { ...lean.leadTime, leases: full.leadTime?.leases } }).toEqual(full);
    const a = assemble(options)([lean]);
    const b = report(options)([input]);
    expect(a.timeline).toEqual(b.timeline);
    expect(a.leadTime.rows).toEqual(b.leadTime.rows);
    expect(a.leadTime.stats).toEqual(b.leadTime.stats);
    expect(a.audit).toEqual(b.audit);
    expect(b.leadTime.leases).toEqual(full.leadTime?.leases);
  });
});
