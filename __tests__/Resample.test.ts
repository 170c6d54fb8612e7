import fc from 'fast-check';
import * as E from 'fp-ts/Either';
import * as O from 'fp-ts/Option';
import * as R from '../lib/Resample';
import * as SF from '../lib/StepFunction';
import * as T from '../lib/Time';

const iso = (s: string): T.Millis => O.getOrElseW(() => { throw new Error(`bad date ${s}`); })(T.fromIso(s));
const rows = (xs: ReadonlyArray<readonly [T.Millis, number]>) => xs.map(([t, v]) => [T.toIso(t), v]);
const constant = (v: number) => SF.fromPoints([[iso('2000-01-01'), v]]);

describe('Resample', () => {
  it('parses the four bucket names and rejects anything else', () => {
    expect(R.buckets.map(R.parseBucket)).toEqual(R.buckets.map(E.right));
    expect(E.isLeft(R.parseBucket('1w'))).toBe(true);
    expect(E.isLeft(R.parseBucket(''))).toBe(true);
  });

  it('gives hourly means of a step that changes mid-hour', () => {
    const f = SF.fromPoints([[iso('2024-01-01T00:00:00Z'), 2], [iso('2024-01-01T01:30:00Z'), 4]]);
    const r = R.resample({ bucket: '1h', method: 'mean', start: iso('2024-01-01T00:00:00Z'), end: iso('2024-01-01T03:00:00Z') })(f);
    expect(rows(r)).toEqual([
      ['2024-01-01T00:00:00Z', 2],
      ['2024-01-01T01:00:00Z', 3],
      ['2024-01-01T02:00:00Z', 4],
    ]);
  });

  it('gives daily means weighted by time and points at midnight', () => {
    const f = SF.fromPoints([[iso('2024-01-01T00:00:00Z'), 2], [iso('2024-01-02T06:00:00Z'), 6]]);
    const opts = { bucket: '1d', start: iso('2024-01-01'), end: iso('2024-01-03') } as const;
    expect(rows(R.resample({ ...opts, method: 'mean' })(f))).toEqual([
      ['2024-01-01T00:00:00Z', 2],
      ['2024-01-02T00:00:00Z', 5],
    ]);
    expect(rows(R.resample({ ...opts, method: 'point' })(f))).toEqual([
      ['2024-01-01T00:00:00Z', 2],
      ['2024-01-02T00:00:00Z', 2],
    ]);
  });

  it('aligns weekly buckets on ISO weeks starting Monday 00:00Z, not on the window start', () => {
    // 2024-01-03 is a Wednesday; its ISO week starts Monday 2024-01-01.
    expect(R.bucketStarts('7d', iso('2024-01-03T10:00:00Z'), iso('2024-01-16')).map(T.toIso)).toEqual([
      '2024-01-01T00:00:00Z',
      '2024-01-08T00:00:00Z',
      '2024-01-15T00:00:00Z',
    ]);
    // 1970-01-01 was a Thursday: its week started Monday 1969-12-29.
    expect(T.toIso(R.floor('7d')(T.unsafeMillis(0)))).toBe('1969-12-29T00:00:00Z');
  });

  it('uses calendar months of 31, 29 (leap year), 31 and 30 days', () => {
    const spans = R.bucketSpans('1mo', iso('2024-01-01'), iso('2024-05-01'));
    expect(spans.map(([l]) => T.toIso(l))).toEqual([
      '2024-01-01T00:00:00Z',
      '2024-02-01T00:00:00Z',
      '2024-03-01T00:00:00Z',
      '2024-04-01T00:00:00Z',
    ]);
    expect(spans.map(([, a, b]) => (b - a) / T.DAY)).toEqual([31, 29, 31, 30]);
    const feb2023 = R.bucketSpans('1mo', iso('2023-02-01'), iso('2023-03-01'));
    expect(feb2023.map(([, a, b]) => (b - a) / T.DAY)).toEqual([28]);
  });

  it('averages a month over its own length', () => {
    // 1 node from Feb 15 2024 00:00 on: Feb (29 days) mean = 15/29.
    const f = SF.fromPoints([[iso('2024-02-15'), 1]]);
    const r = R.resample({ bucket: '1mo', method: 'mean', start: iso('2024-02-01'), end: iso('2024-04-01') })(f);
    expect(rows(r)).toEqual([
      ['2024-02-01T00:00:00Z', 15 / 29],
      ['2024-03-01T00:00:00Z', 1],
    ]);
  });

  it('reports nothing for buckets that end before the coverage start', () => {
    const r = R.resample({ bucket: '1d', method: 'mean', start: iso('2024-01-01'), end: iso('2024-01-05'), coverageStart: iso('2024-01-03') })(constant(7));
    expect(rows(r)).toEqual([
      ['2024-01-03T00:00:00Z', 7],
      ['2024-01-04T00:00:00Z', 7],
    ]);
  });

  it('labels a bucket straddling the coverage start by its calendar start and averages only the covered part', () => {
    // Known from Jan 2 18:00: value 4 until Jan 2 21:00, then 8. Covered part of Jan 2: 6 hours.
    const f = SF.fromPoints([[iso('2024-01-01'), 4], [iso('2024-01-02T21:00:00Z'), 8]]);
    const cov = iso('2024-01-02T18:00:00Z');
    const opts = { bucket: '1d', start: iso('2024-01-01'), end: iso('2024-01-04'), coverageStart: cov } as const;
    expect(rows(R.resample({ ...opts, method: 'mean' })(f))).toEqual([
      ['2024-01-02T00:00:00Z', (4 * 3 + 8 * 3) / 6],
      ['2024-01-03T00:00:00Z', 8],
    ]);
    expect(rows(R.resample({ ...opts, method: 'point' })(f))).toEqual([
      ['2024-01-02T00:00:00Z', 4],
      ['2024-01-03T00:00:00Z', 8],
    ]);
  });

  it('ignores a coverage start before the window start', () => {
    const base = { bucket: '1d', method: 'mean', start: iso('2024-01-01'), end: iso('2024-01-03') } as const;
    expect(R.resample({ ...base, coverageStart: iso('2020-01-01') })(constant(3))).toEqual(R.resample(base)(constant(3)));
  });

  it('cuts the last bucket at the window end and averages only the part inside', () => {
    // 1 until Jan 3 06:00, then 5; window ends Jan 3 12:00: the Jan 3 mean is (1*6 + 5*6)/12.
    const f = SF.fromPoints([[iso('2024-01-01'), 1], [iso('2024-01-03T06:00:00Z'), 5]]);
    const r = R.resample({ bucket: '1d', method: 'mean', start: iso('2024-01-02'), end: iso('2024-01-03T12:00:00Z') })(f);
    expect(rows(r)).toEqual([
      ['2024-01-02T00:00:00Z', 1],
      ['2024-01-03T00:00:00Z', 3],
    ]);
  });

  it('returns no rows for an empty window or a coverage start at or after the window end', () => {
    const d = iso('2024-01-01');
    expect(R.resample({ bucket: '1h', method: 'mean', start: d, end: d })(constant(1))).toEqual([]);
    expect(R.resample({ bucket: '1h', method: 'mean', start: d, end: iso('2024-01-02'), coverageStart: iso('2024-01-02') })(constant(1))).toEqual([]);
  });

  it('counts the zero function as 0 everywhere, and 0 before the first change point', () => {
    const r = R.resample({ bucket: '1d', method: 'mean', start: iso('2024-01-01'), end: iso('2024-01-03') })(SF.empty);
    expect(rows(r)).toEqual([['2024-01-01T00:00:00Z', 0], ['2024-01-02T00:00:00Z', 0]]);
    const late = SF.fromPoints([[iso('2024-01-02T12:00:00Z'), 2]]);
    const p = R.resample({ bucket: '1d', method: 'point', start: iso('2024-01-01'), end: iso('2024-01-03') })(late);
    expect(rows(p)).toEqual([['2024-01-01T00:00:00Z', 0], ['2024-01-02T00:00:00Z', 0]]);
  });

  // Random step functions over ~3 years around the 2024 leap day, windows anywhere in it.
  const base = iso('2023-01-01');
  const span = 3 * 366 * T.DAY;
  const instant = fc.integer({ min: 0, max: span }).map((x) => T.unsafeMillis(base + x));
  const stepFunction = fc
    .array(fc.tuple(instant, fc.oneof(fc.integer({ min: -5, max: 500 }), fc.double({ min: -10, max: 10, noNaN: true }))), { maxLength: 40 })
    .map((ps) => SF.fromPoints(ps));
  const bucket = fc.constantFrom(...R.buckets);
  const window = fc.tuple(instant, instant, fc.option(instant, { nil: undefined })).map(([a, b, c]) => ({
    start: T.unsafeMillis(Math.min(a, b)),
    end: T.unsafeMillis(Math.max(a, b)),
    coverageStart: c,
  }));

  it('conserves value-hours: the sum of mean x covered hours equals the integral over the covered window', () => {
    fc.assert(
      fc.property(stepFunction, bucket, window, (f, b, w) => {
        const r = R.resample({ bucket: b, method: 'mean', ...w })(f);
        const from = w.coverageStart !== undefined && w.coverageStart > w.start ? w.coverageStart : w.start;
        const spans = R.bucketSpans(b, from, w.end);
        expect(r.map(([l]) => l)).toEqual(spans.map(([l]) => l));
        let sum = 0;
        for (let k = 0; k < r.length; k++) sum += r[k][1] * T.hoursBetween(spans[k][1], spans[k][2]);
        const exact = SF.integral(from, w.end)(f);
        const scale = Math.max(1, SF.integral(from, w.end)(SF.map(Math.abs)(f)));
        return Math.abs(sum - exact) <= 1e-6 * scale;
      }),
    );
  });

  it('conserves value-hours over covered spans with a gap, and gives no row to a bucket inside the gap', () => {
    fc.assert(
      fc.property(stepFunction, bucket, fc.array(instant, { minLength: 4, maxLength: 4 }), (f, b, cuts) => {
        const [a, g0, g1, z] = [...cuts].sort((x, y) => x - y).map(T.unsafeMillis);
        const covered = [[a, g0] as const, [g1, z] as const].filter(([s, e]) => e > s);
        const r = R.resample({ bucket: b, method: 'mean', start: a, end: z, covered })(f);
        let sum = 0;
        for (const [label, mean] of r) {
          const after = R.next(b)(label);
          let hours = 0;
          for (const [s, e] of covered) hours += Math.max(0, T.hoursBetween(T.unsafeMillis(Math.max(s, label)), T.unsafeMillis(Math.min(e, after))));
          expect(hours).toBeGreaterThan(0);
          sum += mean * hours;
        }
        const exact = covered.reduce((acc, [s, e]) => acc + SF.integral(s, e)(f), 0);
        const scale = Math.max(1, covered.reduce((acc, [s, e]) => acc + SF.integral(s, e)(SF.map(Math.abs)(f)), 0));
        return Math.abs(sum - exact) <= 1e-6 * scale;
      }),
    );
  });

  it('samples valueAt at each span start, which is the calendar label for every fully covered bucket', () => {
    fc.assert(
      fc.property(stepFunction, bucket, window, (f, b, w) => {
        const r = R.resample({ bucket: b, method: 'point', ...w })(f);
        const from = w.coverageStart !== undefined && w.coverageStart > w.start ? w.coverageStart : w.start;
        const spans = R.bucketSpans(b, from, w.end);
        return (
          r.length === spans.length &&
          r.every(([l, v], k) => l === spans[k][0] && v === SF.valueAt(spans[k][1])(f) && (spans[k][1] !== l || v === SF.valueAt(l)(f)))
        );
      }),
    );
  });

  it('produces contiguous calendar buckets that tile the window with no row before the covered start', () => {
    fc.assert(
      fc.property(bucket, window, (b, w) => {
        const spans = R.bucketSpans(b, w.start, w.end);
        if (w.end <= w.start) return spans.length === 0;
        return (
          spans[0][1] === w.start &&
          spans[spans.length - 1][2] === w.end &&
          spans.every(([l, s, e], k) => l === R.floor(b)(s) && s < e && e <= R.next(b)(l) && (k === 0 || s === spans[k - 1][2]))
        );
      }),
    );
  });
});
