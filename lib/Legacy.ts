/**
 * The legacy collector (reconstruction rules, section 7): the daily hours of
 * `chameleon_usage.node_usage_report_cache` and the counts of `node_count_cache`, mapped onto the
 * count types so they sit beside the new collector in one table.
 *
 * Per site, day (00:00Z) and, when grouped, node type; hours summed over node types otherwise,
 * then divided by 24 (a day's mean node count):
 * - total = `cnt` of node_count_cache where present, else total_hours
 * - reservable = total_hours - maint_hours; maintenance = maint_hours
 * - committed = reserved_hours + used_hours; occupied = used_hours; idle = reserved_hours
 * - available = reservable - committed
 *
 * Where both caches give a total for a day and they differ by more than 0.5 node, the day is
 * listed in `mismatches`.
 *
 * @since 0.1.0
 * @module
 */
import type { CountType } from './CountType';
import type { Millis } from './Time';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A legacy cache row as an adapter reads it.
 *
 * @category model
 * @since 0.1.0
 */
export interface LegacyRecord {
  readonly _tag: 'LegacyUsage' | 'LegacyCount';
  readonly site: string;
  /** The day, 00:00Z. */
  readonly date: Millis;
  readonly node_type: string;
  /** `LegacyUsage`: hours; `LegacyCount`: `cnt`. */
  readonly maint_hours: number;
  readonly reserved_hours: number;
  readonly used_hours: number;
  readonly idle_hours: number;
  readonly total_hours: number;
  readonly cnt: number;
  readonly source: { readonly table: string; readonly id: string };
}

/**
 * One day of one legacy series group.
 *
 * @category model
 * @since 0.1.0
 */
export interface LegacyDay {
  readonly site: string;
  readonly day: Millis;
  /** Present only when grouped by node type. */
  readonly node_type?: string;
  readonly values: Readonly<Partial<Record<CountType, number>>>;
}

/** @category model @since 0.1.0 */
export interface LegacyMismatch {
  readonly site: string;
  readonly day: Millis;
  readonly node_type?: string;
  readonly count_total: number;
  readonly usage_total: number;
}

/** @category model @since 0.1.0 */
export interface LegacyResult {
  /** Sorted by site, node type, day. */
  readonly days: ReadonlyArray<LegacyDay>;
  readonly mismatches: ReadonlyArray<LegacyMismatch>;
}

// -------------------------------------------------------------------------------------
// folding
// -------------------------------------------------------------------------------------

interface Acc {
  site: string;
  day: Millis;
  node_type?: string;
  usage: boolean;
  maint: number;
  reserved: number;
  used: number;
  total: number;
  count: boolean;
  cnt: number;
}

/**
 * Daily legacy values per site (and node type when `byNodeType`).
 *
 * @example
 * legacyDays({ byNodeType: false })(records).days[0].values.total
 * @category folding
 * @since 0.1.0
 */
export const legacyDays =
  (options: { readonly byNodeType: boolean }) =>
  (records: ReadonlyArray<LegacyRecord>): LegacyResult => {
    const accs = new Map<string, Acc>();
    for (const r of records) {
      const key = `${r.site}\u0000${options.byNodeType ? r.node_type : ''}\u0000${String(r.date).padStart(16, '0')}`;
      let a = accs.get(key);
      if (a === undefined) {
        a = { site: r.site, day: r.date, usage: false, maint: 0, reserved: 0, used: 0, total: 0, count: false, cnt: 0 };
        if (options.byNodeType) a.node_type = r.node_type;
        accs.set(key, a);
      }
      if (r._tag === 'LegacyUsage') {
        a.usage = true;
        a.maint += r.maint_hours;
        a.reserved += r.reserved_hours;
        a.used += r.used_hours;
        a.total += r.total_hours;
      } else {
        a.count = true;
        a.cnt += r.cnt;
      }
    }
    const days: LegacyDay[] = [];
    const mismatches: LegacyMismatch[] = [];
    for (const k of [...accs.keys()].sort()) {
      const a = accs.get(k) as Acc;
      const group = a.node_type === undefined ? {} : { node_type: a.node_type };
      const values: Partial<Record<CountType, number>> = {};
      if (a.usage) {
        const reservable = (a.total - a.maint) / 24;
        const committed = (a.reserved + a.used) / 24;
        values.total = a.total / 24;
        values.reservable = reservable;
        values.committed = committed;
        values.occupied = a.used / 24;
        values.idle = a.reserved / 24;
        values.available = reservable - committed;
        values.maintenance = a.maint / 24;
      }
      if (a.count) {
        if (a.usage && Math.abs(a.cnt - a.total / 24) > 0.5) {
          mismatches.push({ site: a.site, day: a.day, ...group, count_total: a.cnt, usage_total: a.total / 24 });
        }
        values.total = a.cnt;
      }
      days.push({ site: a.site, day: a.day, ...group, values });
    }
    return { days, mismatches };
  };
