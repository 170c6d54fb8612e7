/**
 * Booking calendars the simulator allocates hosts with, as Blazar does when a lease is created:
 * a host calendar of disjoint windows (`physical:host`), and a vCPU calendar of overlapping
 * bookings under a capacity (instance slots on a KVM host).
 *
 * Invariants:
 * - `HostCalendar`: windows are sorted, disjoint, `start < end`; `isFree(s, e)` is true iff no
 *   window overlaps `[s, e)` (touching windows do not overlap: intervals are half-open);
 * - `VcpuCalendar`: at every instant the booked vCPUs are at most the capacity, as long as every
 *   booking and extension is checked with `fits` first.
 *
 * @since 0.1.0
 */

// -------------------------------------------------------------------------------------
// whole hosts
// -------------------------------------------------------------------------------------

/** A host's disjoint booked windows. @category model @since 0.1.0 */
export class HostCalendar {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  /** Index of the first window ending after `t`. */
  private firstEndingAfter(t: number): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid] > t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Whether no booked window overlaps `[s, e)`. */
  isFree(s: number, e: number): boolean {
    const i = this.firstEndingAfter(s);
    return i === this.starts.length || this.starts[i] >= e;
  }

  /** Books `[s, e)`; the caller has checked `isFree`. */
  book(s: number, e: number): void {
    const i = this.firstEndingAfter(s);
    this.starts.splice(i, 0, s);
    this.ends.splice(i, 0, e);
  }

  /** Moves the end of the window starting at `s` (removes it when `end <= s`). */
  setEnd(s: number, end: number): void {
    const i = this.firstEndingAfter(s);
    if (i >= this.starts.length || this.starts[i] !== s) throw new Error(`no booked window starts at ${s}`);
    if (end <= s) {
      this.starts.splice(i, 1);
      this.ends.splice(i, 1);
    } else this.ends[i] = end;
  }
}

// -------------------------------------------------------------------------------------
// vCPU slots
// -------------------------------------------------------------------------------------

/** One booking of vCPUs on a host. @category model @since 0.1.0 */
export interface VcpuBooking {
  start: number;
  end: number;
  readonly vcpus: number;
}

/** Overlapping vCPU bookings under a capacity. @category model @since 0.1.0 */
export class VcpuCalendar {
  private readonly bookings: VcpuBooking[] = [];

  constructor(readonly capacity: number) {}

  /** The most vCPUs booked at any instant of `[s, e)`, not counting `except`. */
  private peak(s: number, e: number, except?: VcpuBooking): number {
    const over: VcpuBooking[] = [];
    for (const b of this.bookings) if (b !== except && b.start < e && b.end > s) over.push(b);
    let peak = 0;
    for (const p of over) {
      const t = Math.max(p.start, s);
      let sum = 0;
      for (const b of over) if (b.start <= t && t < b.end) sum += b.vcpus;
      if (sum > peak) peak = sum;
    }
    return peak;
  }

  /** Whether `vcpus` more fit over `[s, e)`. */
  fits(s: number, e: number, vcpus: number, except?: VcpuBooking): boolean {
    return this.peak(s, e, except) + vcpus <= this.capacity;
  }

  /** Books; the caller has checked `fits`. Old bookings (ended before `s`) are dropped. */
  book(s: number, e: number, vcpus: number): VcpuBooking {
    const b: VcpuBooking = { start: s, end: e, vcpus };
    // requests arrive in time order and are at most weeks ahead: bookings that ended long
    // before this one starts can never overlap a later request
    const horizon = s - 120 * 86_400_000;
    for (let i = this.bookings.length - 1; i >= 0; i--) if (this.bookings[i].end < horizon) this.bookings.splice(i, 1);
    this.bookings.push(b);
    return b;
  }

  /** Whether booking `b` can grow to end at `end`. */
  canExtend(b: VcpuBooking, end: number): boolean {
    return this.fits(b.end, end, b.vcpus, b);
  }
}
