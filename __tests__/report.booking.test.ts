/**
 * The reservation book end to end on the small site of `fixtures/smallSite.ts`, with answers
 * worked out by hand (all January 2024):
 * - pool: host 1 from Jan 2, open; host 2 Jan 2 -> Jan 20 (clipped by Nova); both compute_skylake;
 * - coverage: reservable from Jan 2, committed from Jan 3 (the earliest lease): rows from Jan 3;
 * - L2 (host 1, [Jan 6, Jan 7)) created Jan 3 00:00, deleted Jan 4 00:00: on the book on Jan 3 only;
 * - L1 (hosts 1 and 2, [Jan 5, Jan 10)) created Jan 4 12:00: on the book from Jan 5.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as Ei from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import { knex } from 'knex';
import { runReport, type ReportRequest } from '../cli/report';
import { validateBookingRows, validateProjectedLeadTimeRows } from '../lib/BookingRow';
import * as T from '../lib/Time';
import { describeBoth, openFixture, type Fixture } from './fixtures/db';
import { populate } from './fixtures/smallSite';

jest.setTimeout(120_000);

const at = (iso: string) => O.getOrElse((): T.Millis => T.unsafeMillis(NaN))(T.fromIso(iso));

describeBoth('the reservation book of a small site with known answers', (dialect) => {
  let fx: Fixture;
  let dir: string;
  let files: ReadonlyArray<string>;
  let book: ReadonlyArray<Record<string, string>>;
  let leads: ReadonlyArray<Record<string, string>>;

  const csv = (file: string): ReadonlyArray<Record<string, string>> => {
    const [head, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
    const cols = head.split(',');
    return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
  };

  beforeAll(async () => {
    fx = await openFixture(dialect, { site: 'small' });
    await populate(fx);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-booking-'));
    const req: ReportRequest = {
      targets: [{ site: { ...fx.src.site, site: 'small' }, url: fx.url }],
      out: dir,
      start: at('2024-01-01'),
      end: at('2024-02-01'),
      groupBy: [],
      valueTypes: ['nodes'],
      resample: O.none,
      facts: false,
      plots: ['png'],
      exportDb: `sqlite:${path.join(dir, 'dash.sqlite')}`,
      log: () => undefined,
    };
    const r = await runReport(req)();
    if (Ei.isLeft(r)) throw new Error(JSON.stringify(r.left));
    files = r.right.files;
    book = csv(path.join(dir, 'data', 'booking_timeline.csv'));
    leads = csv(path.join(dir, 'data', 'projected_leadtime.csv'));
  });
  afterAll(async () => {
    await fx?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const bookOf = (day: string, h: number) => book.find((r) => r.timestamp === `2024-01-${day}T00:00:00Z` && r.horizon_days === String(h));
  const leadOf = (day: string, request: string) => leads.find((r) => r.timestamp === `2024-01-${day}T00:00:00Z` && r.request === request);

  it('writes booking_timeline.csv from the first day both the pool and the leases are covered', () => {
    expect(Object.keys(book[0])).toEqual(['site', 'timestamp', 'horizon_days', 'node_type', 'value_type', 'booked', 'free', 'holds', 'reservable']);
    expect(book[0]).toMatchObject({ site: 'small', timestamp: '2024-01-03T00:00:00Z', node_type: 'compute_skylake', value_type: 'nodes' });
    expect(new Set(book.map((r) => r.timestamp)).size).toBe(29); // Jan 3 .. Jan 31
  });

  it('shows a lease from its creation until its deletion, with its planned window', () => {
    expect(Number(bookOf('03', 1)?.booked)).toBe(0);
    expect(Number(bookOf('03', 7)?.booked)).toBeCloseTo(1 / 7, 5);
    expect(Number(bookOf('03', 30)?.booked)).toBeCloseTo(1 / 30, 5);
    expect(Number(bookOf('04', 7)?.booked)).toBe(0);
    expect(bookOf('05', 1)).toMatchObject({ booked: '2', free: '0', holds: '0', reservable: '2' });
    expect(Number(bookOf('05', 7)?.booked)).toBeCloseTo(10 / 7, 5);
    expect(bookOf('20', 1)).toMatchObject({ booked: '0', reservable: '1' });
  });

  it('writes projected_leadtime.csv: the wait until L1 ends, the median of the leases created before', () => {
    expect(Object.keys(leads[0])).toEqual(['site', 'timestamp', 'node_type', 'request', 'nodes', 'hours', 'lead_time_hours', 'capped']);
    expect(leadOf('03', 'one_node_24h')).toMatchObject({ nodes: '1', hours: '24', lead_time_hours: '0', capped: 'false' });
    expect(leadOf('03', 'median')).toBeUndefined(); // L2 is created at m itself, not before
    expect(leadOf('05', 'one_node_24h')).toMatchObject({ lead_time_hours: '120' });
    // L2 (1 host, 24 h) and L1 (2 hosts, 120 h): lower medians 1 host, 24 h
    expect(leadOf('05', 'median')).toMatchObject({ nodes: '1', hours: '24', lead_time_hours: '120' });
  });

  it('exports both tables to the database with the same rows', async () => {
    const k = knex({ client: 'better-sqlite3', connection: { filename: path.join(dir, 'dash.sqlite') }, useNullAsDefault: true });
    try {
      expect((await k('booking_timeline').count({ n: '*' }))[0].n).toBe(book.length);
      const first = await k('projected_leadtime').select('*').orderBy([{ column: 'timestamp' }, { column: 'request' }]).first();
      expect(first).toMatchObject({ site: 'small', timestamp: '2024-01-03T00:00:00Z', request: 'one_node_24h', lead_time_hours: 0, capped: 'false' });
    } finally {
      await k.destroy();
    }
  });

  it('draws the booking and projected lead-time figures', () => {
    for (const name of ['small_booking.png', 'small_projected_leadtime.png']) {
      expect(files).toContain(path.join(dir, 'plots', name));
      const png = fs.readFileSync(path.join(dir, 'plots', name));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(png.length).toBeGreaterThan(10_000);
    }
  });
});

describe('the output schemas of the book', () => {
  const row = { site: 's', timestamp: '2024-01-01T00:00:00Z', horizon_days: 7, node_type: 'a', value_type: 'nodes', booked: 1, free: 0, holds: 0, reservable: 1 };
  it('rejects a negative booking, an unknown horizon, a duplicate key, and says where', () => {
    const r = validateBookingRows([{ ...row, booked: -1 }, { ...row, horizon_days: 2 }, row, row]);
    expect(r).toEqual(
      Ei.left([
        'row 0: column booked: expected a finite number >= 0, got -1',
        'row 1: column horizon_days: expected 1, 7 or 30, got 2',
        'row 3: duplicate key (site=s, timestamp=2024-01-01T00:00:00Z, horizon_days=7, node_type=a, value_type=nodes) first seen at row 2',
      ]),
    );
  });
  it('writes capped as text, and rejects a lead time that is not a whole number of hours within the cap', () => {
    const p = { site: 's', timestamp: '2024-01-01T00:00:00Z', node_type: 'a', request: 'median' as const, nodes: 2, hours: 5, lead_time_hours: 3, capped: false };
    expect(validateProjectedLeadTimeRows([p])).toEqual(Ei.right([{ ...p, capped: 'false' }]));
    expect(Ei.isLeft(validateProjectedLeadTimeRows([{ ...p, lead_time_hours: 2.5 }]))).toBe(true);
    expect(Ei.isLeft(validateProjectedLeadTimeRows([{ ...p, lead_time_hours: 3000 }]))).toBe(true);
  });
});
