import fc from 'fast-check';
import { usable, type ActionEvent, type Period } from '../adapters/instanceActions';
import { POWER_OFF, POWER_ON, powerHistory, powerStateMismatch } from '../adapters/power';
import type { Millis } from '../lib/Time';

const ms = (h: number) => (h * 3_600_000) as Millis;
let nextId = 1;
const ev = (event: string, h: number | null, result: string | null = 'Success'): ActionEvent => ({
  id: nextId++,
  event,
  result,
  start_time: h === null ? null : ms(h),
  host: null,
});
const stop = (h: number | null, result?: string) => ev('compute_stop_instance', h, result);
const start = (h: number | null, result?: string) => ev('compute_start_instance', h, result);
const hours = (ps: ReadonlyArray<Period>) => ps.map((p) => [p.start / 3_600_000, p.end === null ? null : p.end / 3_600_000]);

describe('powerHistory', () => {
  it('switches off at stop, suspend and pause, on at start, resume and unpause, at their start_time', () => {
    const evs = usable([
      stop(2),
      start(4),
      ev('compute_suspend_instance', 5),
      ev('compute_resume_instance', 6),
      ev('compute_pause_instance', 7),
      ev('compute_unpause_instance', 8),
    ]);
    const h = powerHistory([{ start: ms(0), end: ms(10) }], evs);
    expect(hours(h.on)).toEqual([
      [0, 2],
      [4, 5],
      [6, 7],
      [8, 10],
    ]);
    expect(hours(h.off)).toEqual([
      [2, 4],
      [5, 6],
      [7, 8],
    ]);
    expect(h.repeated).toBe(0);
    expect(h.finalOn).toBeNull();
  });

  it('takes power actions stored out of order in time order', () => {
    const h = powerHistory([{ start: ms(0), end: ms(10) }], usable([start(6), stop(3)]));
    expect(hours(h.on)).toEqual([
      [0, 3],
      [6, 10],
    ]);
  });

  it('counts a start without a stop, and a stop repeated, as repeated signals that change nothing', () => {
    const h = powerHistory([{ start: ms(0), end: null }], usable([start(1), stop(3), stop(4), start(6), start(7)]));
    expect(hours(h.on)).toEqual([
      [0, 3],
      [6, null],
    ]);
    expect(h.repeated).toBe(3);
    expect(h.finalOn).toBe(true);
  });

  it('ignores failed events and events without start_time (audited elsewhere)', () => {
    const h = powerHistory([{ start: ms(0), end: ms(10) }], usable([stop(2, 'Error'), stop(null), stop(5)]));
    expect(hours(h.on)).toEqual([[0, 5]]);
  });

  it('starts every period powered on, makes no empty span, and counts events outside the periods', () => {
    const periods = [
      { start: ms(0), end: ms(4) },
      { start: ms(6), end: ms(10) },
    ];
    // stopped in the first period, shelved while off; a stop at the instant the second opens
    const h = powerHistory(periods, usable([stop(1), start(5), stop(6), stop(12)]));
    expect(hours(h.on)).toEqual([[0, 1]]);
    expect(hours(h.off)).toEqual([
      [1, 4],
      [6, 10],
    ]);
    expect(h.outside).toBe(2);
  });

  it('agrees with a naive per-hour model, never leaves the periods, never overlaps', () => {
    const names = [...POWER_OFF, ...POWER_ON];
    const arb = fc.record({
      cuts: fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 6 }).map((xs) => [...xs].sort((a, b) => a - b)),
      open: fc.boolean(),
      events: fc.array(fc.tuple(fc.integer({ min: 0, max: 44 }), fc.integer({ min: 0, max: names.length - 1 })), { maxLength: 12 }),
    });
    fc.assert(
      fc.property(arb, ({ cuts, open, events }) => {
        const bounds = [0, ...cuts.map((c) => c + 1)];
        const periods: Period[] = [];
        for (let i = 0; i + 1 < bounds.length; i += 2) periods.push({ start: ms(bounds[i]), end: ms(bounds[i + 1]) });
        if (open && bounds.length % 2 === 1) periods.push({ start: ms(bounds[bounds.length - 1]), end: null });
        if (periods.length === 0) periods.push({ start: ms(0), end: null });
        const evs = usable(events.map(([h, k]) => ev(names[k], h)));
        const h = powerHistory(periods, evs);
        // naive: per hour h (the instant h + 0.5), in a period and the last switch at or before it says on
        for (let x = 0; x < 50; x++) {
          const t = ms(x + 0.5);
          const p = periods.find((q) => q.start <= t && (q.end === null || t < q.end));
          let on = p !== undefined;
          if (p !== undefined) for (const e of evs) if (e.start_time >= p.start && e.start_time <= t) on = POWER_ON.has(e.event) ? true : POWER_OFF.has(e.event) ? false : on;
          const got = h.on.some((s) => s.start <= t && (s.end === null || t < s.end));
          expect(got).toBe(on);
          // off is the rest of the periods: conservation, on + off = occupied
          const off = h.off.some((s) => s.start <= t && (s.end === null || t < s.end));
          expect(off).toBe(p !== undefined && !on);
        }
        for (let i = 1; i < h.on.length; i++) expect(h.on[i].start).toBeGreaterThan(h.on[i - 1].end ?? Infinity);
      }),
    );
  });
});

describe('powerStateMismatch', () => {
  it('flags a final power_state that contradicts the history of an instance still running, and nothing else', () => {
    expect(powerStateMismatch(true, 4)).toBe(true);
    expect(powerStateMismatch(false, 1)).toBe(true);
    expect(powerStateMismatch(true, 1)).toBe(false);
    expect(powerStateMismatch(false, 7)).toBe(false);
    expect(powerStateMismatch(true, 0)).toBe(false);
    expect(powerStateMismatch(null, 4)).toBe(false);
    expect(powerStateMismatch(true, null)).toBe(false);
  });
});
