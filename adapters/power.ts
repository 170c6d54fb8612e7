/**
 * The power history of an instance (reconstruction rules, section 11): which parts of its
 * occupancy periods it was powered on (`active`) and off (`stopped`, the rest); the adapter
 * counts the powered-off parts (`stopped_*`), the timeline derives `active = occupied - stopped`.
 *
 * - Each occupied period (`instanceActions.periods`) starts powered on.
 * - Successful events switch it: off at `compute_stop_instance`, `compute_suspend_instance`,
 *   `compute_pause_instance`; on at `compute_start_instance`, `compute_resume_instance`,
 *   `compute_unpause_instance`; time = the event's `start_time`. The events are the ones
 *   `instanceActions.usable` keeps (successful, with a `start_time`, in `(start_time, id)`
 *   order), so a failed event, or one without `start_time`, changes nothing (the latter is
 *   audited `event_without_start_time` by `auditActionEvents`), and events stored out of order
 *   are taken in time order.
 * - An off switch while off, or an on switch while on (a start without a stop, a stop repeated),
 *   is one signal of the same state: counted in `repeated`, not an anomaly.
 * - A power event outside every occupied period (after the terminate, while shelved) changes
 *   nothing: counted in `outside`.
 * - A powered-on span that would be empty (a stop at the very instant a period opens) is not
 *   made; a stop and a start in the same instant (DATETIME has whole seconds) leave one span.
 * - A final `instances.power_state` that contradicts the history at the snapshot (the last
 *   period still open) is `mismatch`; the history wins. Nova's power states: 1 running; 3
 *   paused, 4 shutdown, 7 suspended; others (0 no state, 6 crashed, NULL) make no claim.
 *
 * @since 0.3.0
 */
import type { Millis } from '../lib/Time';
import type { Period } from './instanceActions';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Events that power an instance off. @since 0.3.0 */
export const POWER_OFF: ReadonlySet<string> = new Set(['compute_stop_instance', 'compute_suspend_instance', 'compute_pause_instance']);

/** Events that power an instance on. @since 0.3.0 */
export const POWER_ON: ReadonlySet<string> = new Set(['compute_start_instance', 'compute_resume_instance', 'compute_unpause_instance']);

/**
 * What the power history of one instance says.
 *
 * @category model
 * @since 0.3.0
 */
export interface PowerHistory {
  /** The powered-on spans, inside the periods, in time order (`end = null`: still on). */
  readonly on: ReadonlyArray<Period>;
  /** The rest of the periods: the powered-off spans, in time order (`end = null`: still off). */
  readonly off: ReadonlyArray<Period>;
  /** Switches to the state already in force (one signal of the same state). */
  readonly repeated: number;
  /** Power events outside every period (they change nothing). */
  readonly outside: number;
  /** Whether the last period is still open at the snapshot and powered on (null: it is closed). */
  readonly finalOn: boolean | null;
}

/** A usable action event, as `instanceActions.usable` gives them. */
interface Timed {
  readonly event: string;
  readonly start_time: Millis;
}

// -------------------------------------------------------------------------------------
// folding
// -------------------------------------------------------------------------------------

/**
 * The power history of an instance from its periods and its usable events (rules in the
 * module header). One pass over the events; periods and events are in time order.
 *
 * @example
 * const ms = T.unsafeMillis
 * // period [0, 10), stopped at 3, started at 6: on [0, 3) and [6, 10)
 * powerHistory([{ start: ms(0), end: ms(10) }], [{ event: 'compute_stop_instance', start_time: ms(3) }, { event: 'compute_start_instance', start_time: ms(6) }]).on
 * @since 0.3.0
 */
export const powerHistory = (periods: ReadonlyArray<Period>, events: ReadonlyArray<Timed>): PowerHistory => {
  const on: Period[] = [];
  const off: Period[] = [];
  let repeated = 0;
  let outside = 0;
  let j = 0;
  let finalOn: boolean | null = null;
  const isPower = (e: Timed) => POWER_OFF.has(e.event) || POWER_ON.has(e.event);
  for (const p of periods) {
    const firstOn = on.length;
    // power events before this period (and after the previous one) change nothing
    while (j < events.length && events[j].start_time < p.start) if (isPower(events[j++])) outside++;
    let onSince: Millis | null = p.start;
    while (j < events.length && (p.end === null || events[j].start_time < p.end)) {
      const e = events[j++];
      if (POWER_OFF.has(e.event)) {
        if (onSince === null) repeated++;
        else {
          if (e.start_time > onSince) on.push({ start: onSince, end: e.start_time });
          onSince = null;
        }
      } else if (POWER_ON.has(e.event)) {
        if (onSince !== null) repeated++;
        else {
          // off and on again in the same instant: one span, not two that touch
          const last = on[on.length - 1];
          if (last !== undefined && last.end === e.start_time && last.start >= p.start) onSince = (on.pop() as Period).start;
          else onSince = e.start_time;
        }
      }
    }
    if (onSince !== null && (p.end === null || p.end > onSince)) on.push({ start: onSince, end: p.end });
    finalOn = p.end === null ? onSince !== null : null;
    // the powered-off spans: the period minus its powered-on spans
    let t: Millis | null = p.start;
    for (let k = firstOn; k < on.length && t !== null; k++) {
      if (on[k].start > t) off.push({ start: t, end: on[k].start });
      t = on[k].end;
    }
    if (t !== null && (p.end === null || p.end > t)) off.push({ start: t, end: p.end });
  }
  while (j < events.length) if (isPower(events[j++])) outside++;
  return { on, off, repeated, outside, finalOn };
};

/** Nova power states that say the instance runs. */
const RUNNING: ReadonlySet<number> = new Set([1]);
/** Nova power states that say it does not (paused, shutdown, suspended). */
const NOT_RUNNING: ReadonlySet<number> = new Set([3, 4, 7]);

/**
 * Whether a final `instances.power_state` contradicts the history: the last period is open and
 * the state says running while the history says off, or the reverse.
 *
 * @example
 * powerStateMismatch(true, 4) // true: shut down by its row, on by its history
 * @since 0.3.0
 */
export const powerStateMismatch = (finalOn: boolean | null, powerState: number | null): boolean =>
  finalOn !== null && powerState !== null && (finalOn ? NOT_RUNNING.has(powerState) : RUNNING.has(powerState));
