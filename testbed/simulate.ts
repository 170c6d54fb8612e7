/**
 * The simulator: from a plan and a seed, the true world of every site (hosts, leases,
 * instances). Discrete-event, in time order, the way the services decide: Blazar allocates hosts
 * when a lease is created (checking every later booking), extensions and early deletions are
 * decided when they happen, instances are launched inside the final commitment windows.
 *
 * Behaviour (scale 1, per site; `docs/testbed.md` has the numbers):
 * - hardware generations arrive and retire over a ramp; a few hosts never enter Blazar;
 * - user leases arrive as a Poisson process proportional to the reservable hosts; lead times:
 *   about two thirds start "now", a quarter hours to two days ahead, the rest days to weeks;
 *   lengths log-normal around a day or more, at most the site's maximum (7 days bare metal, 180
 *   KVM), a share asking for all of it; some are extended (within 48 h of the end), some deleted
 *   early, some deleted before they start, 1% fail to start (`start_lease` ERROR); requests
 *   Blazar refuses (no free hosts, or the site's `refusedShare`) are stored soft-deleted at their
 *   creation without allocations, as Chameleon's Blazar leaves them (issue 19);
 * - operator leases: per-host maintenance windows and yearly fleet windows, booked weeks ahead;
 * - bare metal: most hosts of a lease get an instance some minutes to hours after the start; some
 *   builds fail and are retried; some instances are deleted early and relaunched;
 * - KVM: on-demand instances placed by free vCPUs (with shelve/unshelve), and `virtual:instance`
 *   / `flavor:instance` slot reservations on the Blazar hypervisors.
 *
 * Invariants: those of `world.ts`; determinism: the world depends only on the plan (seed
 * included), and each site on its own forked stream.
 *
 * @since 0.1.0
 */
import { simulateAudit } from './audit';
import { HostCalendar, VcpuCalendar, type VcpuBooking } from './calendar';
import { scaledCount, type Plan, type SitePlan } from './plan';
import type { Random } from './random';
import { random } from './random';
import { periods, type Host, type Instance, type InstanceStep, type Lease, type PowerStep, type Reservation, type SiteWorld } from './world';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const sec = (t: number): number => Math.round(t / SEC) * SEC;
const minute = (t: number): number => Math.floor(t / MIN) * MIN;
const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

// -------------------------------------------------------------------------------------
// hosts
// -------------------------------------------------------------------------------------

const makeHosts = (site: SitePlan, scale: number, rng: Random): Host[] => {
  const hosts: Host[] = [];
  let g = 0;
  for (const gen of site.generations) {
    g += 1;
    const n = scaledCount(gen, scale);
    const added0 = Date.parse(`${gen.added}T00:00:00Z`);
    const retired0 = gen.retired === undefined ? null : Date.parse(`${gen.retired}T00:00:00Z`);
    for (let i = 0; i < n; i++) {
      const added = sec(added0 + (gen.rampDays * DAY * i) / n + rng.next() * 6 * HOUR);
      const retired = retired0 === null ? null : sec(retired0 + (gen.rampDays * DAY * i) / n + rng.next() * 6 * HOUR);
      const inBlazar = gen.blazar && !rng.chance(0.04);
      const enroll = sec(added + clamp(rng.logNormal(2 * DAY, 0.8), 2 * HOUR, 20 * DAY));
      const leave = retired === null ? null : sec(retired - clamp(rng.exp(DAY), HOUR, 3 * DAY));
      const hostname = site.kind === 'baremetal' ? rng.uuid() : `c${String(g).padStart(2, '0')}-${String(i + 1).padStart(3, '0')}.${site.domain}`;
      hosts.push({
        index: hosts.length,
        hostname,
        service: site.kind === 'baremetal' ? `ironic-compute-${1 + (i % 3)}` : hostname,
        nodeType: gen.nodeType,
        vcpus: gen.vcpus,
        memoryMb: gen.memoryMb,
        localGb: gen.localGb,
        gpus: gen.gpus,
        added,
        retired,
        reservableFrom: inBlazar && (leave === null || enroll < leave) ? enroll : null,
        reservableTo: inBlazar && (leave === null || enroll < leave) ? leave : null,
      });
    }
  }
  return hosts;
};

const reservableOver = (h: Host, s: number, e: number): boolean =>
  h.reservableFrom !== null && h.reservableFrom <= s && (h.reservableTo === null || e <= h.reservableTo);

// -------------------------------------------------------------------------------------
// the action queue
// -------------------------------------------------------------------------------------

interface Action {
  readonly t: number;
  readonly seq: number;
  readonly run: () => void;
}

/** A binary min-heap on (t, seq): equal times run in scheduling order. */
class Queue {
  private readonly heap: Action[] = [];
  private seq = 0;

  push(t: number, run: () => void): void {
    const a: Action = { t, seq: this.seq++, run };
    const h = this.heap;
    h.push(a);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p], h[i])) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  /** The earliest time queued, or Infinity. */
  peek(): number {
    return this.heap.length === 0 ? Infinity : this.heap[0].t;
  }

  pop(): Action | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop() as Action;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l], h[m])) m = l;
        if (r < h.length && less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}

const less = (a: Action, b: Action): boolean => a.t < b.t || (a.t === b.t && a.seq < b.seq);

// -------------------------------------------------------------------------------------
// projects
// -------------------------------------------------------------------------------------

interface People {
  project(): { projectId: string; userId: string };
}

const people = (rng: Random, scale: number): People => {
  const n = Math.max(20, Math.round(300 * scale));
  const projects = Array.from({ length: n }, () => ({ id: rng.hex(32), users: Array.from({ length: rng.int(1, 6) }, () => rng.hex(32)) }));
  return {
    project: () => {
      // a few projects do most of the work
      const p = projects[Math.floor(n * rng.next() ** 2.5)];
      return { projectId: p.id, userId: rng.pick(p.users) };
    },
  };
};

// -------------------------------------------------------------------------------------
// leases
// -------------------------------------------------------------------------------------

/** Per-lease booking handles, to extend or cut the bookings later. */
interface Booked {
  readonly lease: Lease;
  readonly commitStart: number;
  readonly hosts: ReadonlyArray<number>;
  readonly slots: ReadonlyArray<{ readonly host: number; readonly booking: VcpuBooking }>;
}

interface LeaseSim {
  readonly leases: Lease[];
  readonly booked: Booked[];
}

const leadTime = (rng: Random): number => {
  const kind = rng.weighted<'now' | 'hours' | 'weeks'>([
    ['now', 0.66],
    ['hours', 0.24],
    ['weeks', 0.1],
  ]);
  if (kind === 'now') return 0;
  if (kind === 'hours') return clamp(rng.logNormal(6 * HOUR, 1.0), 30 * MIN, 2 * DAY);
  return clamp(rng.logNormal(7 * DAY, 0.7), 2 * DAY, 35 * DAY);
};

const hostCount = (rng: Random): number =>
  rng.weighted<() => number>([
    [() => 1, 0.6],
    [() => 2, 0.18],
    [() => rng.int(3, 4), 0.12],
    [() => rng.int(5, 8), 0.07],
    [() => rng.int(9, 16), 0.03],
  ])();

/** User lease length: log-normal around the site's median, a share asks for the whole maximum. */
const leaseLength = (site: SitePlan, rng: Random): number => {
  const max = (site.maxLeaseDays ?? 7) * DAY;
  if (rng.chance(site.maxLeaseShare ?? 0)) return max;
  return clamp(rng.logNormal((site.leaseMedianHours ?? 22) * HOUR, 0.9), HOUR, max);
};

const simulateLeases = (site: SitePlan, hosts: ReadonlyArray<Host>, plan: Plan, rng: Random, who: People): LeaseSim => {
  const q = new Queue();
  const leases: Lease[] = [];
  const booked: Booked[] = [];
  const calendars = hosts.map(() => new HostCalendar());
  const vcpuCals = hosts.map((h) => new VcpuCalendar(h.vcpus));
  const byType = new Map<string, Host[]>();
  for (const h of hosts) {
    if (h.reservableFrom === null) continue;
    const list = byType.get(h.nodeType) ?? [];
    list.push(h);
    byType.set(h.nodeType, list);
  }
  const weightOf = new Map(site.generations.map((g) => [g.nodeType, g.demand]));
  const end = plan.end;
  const kvm = site.kind === 'kvm';

  /** Hosts of a type free and reservable over [s, e): random probes, then a scan. */
  const freeHosts = (type: string, n: number, s: number, e: number): number[] | null => {
    const pool = byType.get(type) ?? [];
    const ok = (h: Host) => reservableOver(h, s, e) && calendars[h.index].isFree(s, e);
    const got = new Set<number>();
    for (let probe = 0; probe < 3 * n && got.size < n && pool.length > 0; probe++) {
      const h = pool[Math.floor(rng.next() * pool.length)];
      if (!got.has(h.index) && ok(h)) got.add(h.index);
    }
    for (let i = 0; i < pool.length && got.size < n; i++) if (!got.has(pool[i].index) && ok(pool[i])) got.add(pool[i].index);
    return got.size === n ? [...got] : null;
  };

  /** Slots on KVM Blazar hosts of a type over [s, e): first fit from a random offset. */
  const freeSlots = (type: string, amount: number, vcpus: number, s: number, e: number): Array<{ host: number; booking: VcpuBooking }> | null => {
    const pool = byType.get(type) ?? [];
    const out: Array<{ host: number; booking: VcpuBooking }> = [];
    const offset = Math.floor(rng.next() * Math.max(1, pool.length));
    for (let k = 0; k < amount; k++) {
      let placed = false;
      for (let i = 0; i < pool.length && !placed; i++) {
        const h = pool[(offset + i + k) % pool.length];
        if (reservableOver(h, s, e) && vcpuCals[h.index].fits(s, e, vcpus)) {
          out.push({ host: h.index, booking: vcpuCals[h.index].book(s, e, vcpus) });
          placed = true;
        }
      }
      if (!placed) {
        // give back what this request took: Blazar allocates all or nothing
        for (const x of out) x.booking.end = x.booking.start;
        return null;
      }
    }
    return out;
  };

  // the node types on offer change slowly: computed once per day
  let liveDay = NaN;
  let liveCache: Array<readonly [string, number]> = [];
  const liveTypes = (t: number): Array<readonly [string, number]> => {
    const day = Math.floor(t / DAY);
    if (day === liveDay) return liveCache;
    liveDay = day;
    const out: Array<readonly [string, number]> = [];
    liveCache = out;
    const t0 = day * DAY;
    for (const [type, list] of byType) {
      let n = 0;
      for (const h of list) if (h.reservableFrom !== null && h.reservableFrom <= t0 && (h.reservableTo === null || t0 < h.reservableTo)) n++;
      if (n > 0) out.push([type, n * (weightOf.get(type) ?? 1)]);
    }
    return out;
  };

  const extendLater = (b: Booked): void => {
    const lease = b.lease;
    if (!rng.chance(0.14)) return;
    // extendable within 48 h of the end, to at most the longest lease from the extension's time
    const at = sec(Math.max(b.commitStart + MIN, lease.endDate - clamp(rng.exp(6 * HOUR), 10 * MIN, 2 * DAY)));
    if (at >= end) return;
    q.push(at, () => {
      if (lease.deletedAt !== null || at >= lease.endDate) return;
      const newEnd = minute(Math.min(at + (site.maxLeaseDays ?? 7) * DAY, lease.endDate + clamp(rng.logNormal(DAY, 0.6), HOUR, 4 * DAY)));
      if (newEnd <= lease.endDate) return;
      const ok =
        b.hosts.every((h) => reservableOver(hosts[h], b.commitStart, newEnd) && calendars[h].isFree(lease.endDate, newEnd)) &&
        b.slots.every((x) => reservableOver(hosts[x.host], b.commitStart, newEnd) && vcpuCals[x.host].canExtend(x.booking, newEnd));
      if (!ok) return;
      for (const h of b.hosts) calendars[h].setEnd(b.commitStart, newEnd);
      for (const x of b.slots) x.booking.end = newEnd;
      lease.endDate = newEnd;
      lease.extendedAt = at;
      if (rng.chance(0.2)) extendLater(b);
    });
  };

  const deleteLater = (b: Booked, advance: boolean): void => {
    const lease = b.lease;
    const r = rng.next();
    let at: number;
    if (advance && r < 0.06) at = lease.createdAt + rng.next() * (b.commitStart - lease.createdAt);
    else if (r < 0.26) at = b.commitStart + rng.next() * (lease.requestedEnd - b.commitStart);
    else if (r < 0.56) at = lease.requestedEnd + rng.exp(5 * DAY);
    else return;
    at = sec(at);
    if (at >= end || at <= lease.createdAt) return;
    q.push(at, () => {
      if (lease.deletedAt !== null) return;
      lease.deletedAt = at;
      if (at >= lease.endDate) return;
      for (const h of b.hosts) calendars[h].setEnd(b.commitStart, at);
      for (const x of b.slots) x.booking.end = Math.max(x.booking.start, at);
    });
  };

  const request = (c: number): void => {
    const types = liveTypes(c);
    if (types.length === 0) return;
    const type = rng.weighted(types);
    const lead = leadTime(rng);
    const startDate = lead === 0 ? minute(c) : minute(c + lead);
    const commitStart = Math.max(startDate, c);
    const requestedEnd = minute(commitStart + leaseLength(site, rng));
    const { projectId, userId } = who.project();
    const error = rng.chance(0.01);
    // a refused request: Blazar created the lease, failed to allocate and destroyed it at once
    // (Chameleon's lease_destroy soft-deletes): a lease row deleted at its creation, no allocation
    const refuse = (nodeType: string, resourceType: Reservation['resourceType']): void => {
      leases.push({
        id,
        name: `lease-${rng.hex(6)}`,
        projectId,
        userId,
        operator: false,
        createdAt: c,
        startDate,
        requestedEnd,
        endDate: requestedEnd,
        extendedAt: null,
        deletedAt: c,
        error: false,
        reservations: [{ id: rng.uuid(), resourceType, hosts: [], nodeType }],
      });
    };
    let resv: Reservation;
    let hostsHeld: number[] = [];
    let slots: Array<{ host: number; booking: VcpuBooking }> = [];
    const id = rng.uuid();
    if (rng.chance(site.refusedShare ?? 0)) return refuse(type, kvm ? 'virtual:instance' : 'physical:host');
    if (!kvm) {
      const n = hostCount(rng);
      const got = error ? (byType.get(type) ?? []).slice(0, n).map((h) => h.index) : freeHosts(type, n, commitStart, requestedEnd);
      if (got === null || got.length === 0) return refuse(type, 'physical:host'); // Blazar: not enough hosts available
      hostsHeld = error ? [] : got;
      resv = { id: rng.uuid(), resourceType: 'physical:host', hosts: got, nodeType: type };
    } else {
      const vcpus = rng.weighted([
        [2, 0.3],
        [4, 0.3],
        [8, 0.25],
        [16, 0.15],
      ] as const);
      const amount = rng.weighted([
        [1, 0.25],
        [2, 0.25],
        [4, 0.3],
        [8, 0.2],
      ] as const);
      if (error) {
        const pool = byType.get(type) ?? [];
        slots = [];
        resv = {
          id: rng.uuid(),
          resourceType: 'virtual:instance',
          hosts: Array.from({ length: amount }, () => pool[0].index),
          slot: { vcpus, memoryMb: vcpus * 2048, diskGb: 40 },
          nodeType: type,
        };
      } else {
        const got = freeSlots(type, amount, vcpus, commitStart, requestedEnd);
        if (got === null) return refuse(type, 'virtual:instance');
        slots = got;
        const resourceType = c >= plan.cuts.flavorInstance && rng.chance(0.5) ? 'flavor:instance' : 'virtual:instance';
        resv = { id: rng.uuid(), resourceType, hosts: got.map((x) => x.host), slot: { vcpus, memoryMb: vcpus * 2048, diskGb: 40 }, nodeType: type };
      }
    }
    for (const h of hostsHeld) calendars[h].book(commitStart, requestedEnd);
    const lease: Lease = {
      id,
      name: `lease-${rng.hex(6)}`,
      projectId,
      userId,
      operator: false,
      createdAt: c,
      startDate,
      requestedEnd,
      endDate: requestedEnd,
      extendedAt: null,
      deletedAt: null,
      error,
      reservations: [resv],
    };
    leases.push(lease);
    const b: Booked = { lease, commitStart, hosts: hostsHeld, slots };
    if (!error) {
      booked.push(b);
      extendLater(b);
    }
    deleteLater(b, lead > 0);
  };

  const opsLease = (c: number, start: number, dur: number, picked: ReadonlyArray<Host>, name: string): void => {
    const e = start + dur;
    // a KVM host's instance slots and its maintenance share one vCPU calendar
    const free = picked.filter((h) => reservableOver(h, start, e) && (kvm ? vcpuCals[h.index].fits(start, e, h.vcpus) : calendars[h.index].isFree(start, e)));
    if (free.length === 0) return;
    for (const h of free) {
      if (kvm) vcpuCals[h.index].book(start, e, h.vcpus);
      else calendars[h.index].book(start, e);
    }
    const lease: Lease = {
      id: rng.uuid(),
      name,
      projectId: site.operatorProject,
      userId: 'c0ffee00000040008000000000000ad0',
      operator: true,
      createdAt: c,
      startDate: start,
      requestedEnd: e,
      endDate: e,
      extendedAt: null,
      deletedAt: null,
      error: false,
      reservations: [{ id: rng.uuid(), resourceType: 'physical:host', hosts: free.map((h) => h.index), nodeType: free[0].nodeType }],
    };
    leases.push(lease);
    booked.push({ lease, commitStart: start, hosts: free.map((h) => h.index), slots: [] });
  };

  const stamp = (t: number) => new Date(t).toISOString().slice(0, 10).replace(/-/g, '');

  // user lease arrivals: a Poisson process whose daily rate follows the reservable hosts
  for (let day: number = plan.start; day < end; day += DAY) {
    let live = 0;
    for (const list of byType.values()) for (const h of list) if (h.reservableFrom !== null && h.reservableFrom <= day && (h.reservableTo === null || day < h.reservableTo)) live++;
    const weekend = new Date(day).getUTCDay() % 6 === 0 ? 0.55 : 1.1;
    const rate = (site.leasesPerHostYear / 365) * live * weekend;
    if (rate <= 0) continue;
    for (let t = day + rng.exp(DAY / rate); t < day + DAY; t += rng.exp(DAY / rate)) {
      const c = sec(t);
      q.push(c, () => request(c));
    }
  }
  // operator leases: per-host maintenance (about one a year) and yearly fleet windows
  for (const list of byType.values()) {
    for (const h of list) {
      for (let t = plan.start + rng.exp(365 * DAY); t < end; t += rng.exp(365 * DAY)) {
        const c = sec(t);
        const start = Math.floor((c + rng.int(7, 28) * DAY) / DAY) * DAY + 14 * HOUR;
        const dur = rng.pick([4 * HOUR, 8 * HOUR, DAY, 2 * DAY, 3 * DAY]);
        const name = c >= plan.cuts.doni ? `availability_window_${rng.uuid()}` : `maint-${h.hostname.slice(0, 8)}-${stamp(start)}`;
        q.push(c, () => opsLease(c, start, dur, [h], name));
      }
    }
    for (let y = new Date(plan.start).getUTCFullYear(); y < new Date(end).getUTCFullYear(); y++) {
      const c = sec(Date.UTC(y, rng.int(0, 11), rng.int(1, 28), rng.int(13, 22), rng.int(0, 59)));
      const start = Math.floor((c + 14 * DAY) / DAY) * DAY + 13 * HOUR;
      if (c < plan.start || c >= end) continue;
      q.push(c, () => opsLease(c, start, DAY, list, `maintenance-${list[0].nodeType}-${stamp(start)}`));
    }
  }
  for (let a = q.pop(); a !== undefined; a = q.pop()) if (a.t < end) a.run();
  return { leases, booked };
};

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

const reservedInstances = (site: SitePlan, hosts: ReadonlyArray<Host>, sim: LeaseSim, plan: Plan, rng: Random): Instance[] => {
  const out: Instance[] = [];
  const kvm = site.kind === 'kvm';
  for (const b of sim.booked) {
    const lease = b.lease;
    if (lease.operator || lease.error) continue;
    const commitEnd = Math.min(lease.endDate, lease.deletedAt ?? Infinity);
    if (commitEnd <= b.commitStart) continue;
    const resv = lease.reservations[0];
    const holders = kvm ? resv.hosts : b.hosts;
    for (const h of holders) {
      if (!rng.chance(kvm ? 0.8 : 0.85)) continue;
      const host = hosts[h];
      const flavor = kvm
        ? { name: `reservation:${resv.id}`, vcpus: resv.slot?.vcpus ?? 1, memoryMb: resv.slot?.memoryMb ?? 2048, rootGb: resv.slot?.diskGb ?? 40 }
        : { name: 'baremetal', vcpus: host.vcpus, memoryMb: host.memoryMb, rootGb: host.localGb };
      let t = sec(b.commitStart + clamp(rng.logNormal(kvm ? 8 * MIN : 15 * MIN, 1.3), MIN, 3 * DAY));
      for (let attempt = 0; attempt < 4 && t < commitEnd && t < plan.end; attempt++) {
        const { projectId, userId } = { projectId: lease.projectId, userId: lease.userId };
        const buildTime = sec(kvm ? rng.int(20, 90) * SEC : rng.int(8, 25) * MIN);
        const failed = rng.chance(kvm ? 0.02 : 0.05) || t + buildTime >= commitEnd;
        const steps: InstanceStep[] = [];
        let next: number | null = null;
        if (failed) {
          const del = sec(Math.min(commitEnd, t + buildTime + rng.int(2, 40) * MIN));
          if (del < plan.end) steps.push({ kind: 'delete', t: del });
          next = del + rng.int(1, 30) * MIN;
        } else {
          const early = rng.chance(0.3);
          const del = early ? sec(t + buildTime + rng.next() * (commitEnd - t - buildTime)) : commitEnd;
          if (del < plan.end) steps.push({ kind: 'delete', t: del });
          if (early && rng.chance(0.4)) next = del + sec(rng.exp(2 * HOUR));
        }
        out.push({
          uuid: rng.uuid(),
          projectId,
          userId,
          createdAt: t,
          host: h,
          reservationId: resv.id,
          flavor,
          launched: !failed,
          launchedAt: failed ? null : t + buildTime,
          steps,
        });
        if (next === null) break;
        t = sec(next);
      }
    }
  }
  return out;
};

const FLAVORS = [
  { name: 'm1.tiny', vcpus: 1, memoryMb: 512, rootGb: 1 },
  { name: 'm1.small', vcpus: 1, memoryMb: 2048, rootGb: 20 },
  { name: 'm1.medium', vcpus: 2, memoryMb: 4096, rootGb: 40 },
  { name: 'm1.large', vcpus: 4, memoryMb: 8192, rootGb: 40 },
  { name: 'm1.xlarge', vcpus: 8, memoryMb: 16384, rootGb: 40 },
  { name: 'm1.xxlarge', vcpus: 16, memoryMb: 32768, rootGb: 40 },
] as const;

const onDemandInstances = (site: SitePlan, hosts: ReadonlyArray<Host>, plan: Plan, rng: Random, who: People): Instance[] => {
  const pool = hosts.filter((h) => h.reservableFrom === null);
  if (pool.length === 0 || site.onDemandPerHostDay <= 0) return [];
  const used = new Map<number, number>();
  // releases of vCPUs, in time order
  const releases = new Queue();
  const out: Instance[] = [];
  const release = (upTo: number) => {
    while (releases.peek() <= upTo) (releases.pop() as Action).run();
  };
  const addRelease = ([t, h, v]: readonly [number, number, number]) => releases.push(t, () => void used.set(h, (used.get(h) ?? 0) - v));
  for (let day: number = plan.start; day < plan.end; day += DAY) {
    const live = pool.filter((h) => h.added <= day && (h.retired === null || day < h.retired));
    if (live.length === 0) continue;
    const rate = site.onDemandPerHostDay * live.length;
    for (let tt = day + rng.exp(DAY / rate); tt < day + DAY && tt < plan.end; tt += rng.exp(DAY / rate)) {
      const c = sec(tt);
      release(c);
      const flavor = rng.weighted(FLAVORS.map((f, i) => [f, [0.1, 0.3, 0.25, 0.2, 0.1, 0.05][i]] as const));
      const life = sec(clamp(rng.logNormal(2 * DAY, 1.8), 10 * MIN, 700 * DAY));
      const endAt = c + life;
      const fits = (x: Host) => (x.retired === null || x.retired > endAt) && x.vcpus - (used.get(x.index) ?? 0) >= flavor.vcpus;
      let h: Host | undefined;
      for (let probe = 0; probe < 12 && h === undefined; probe++) {
        const x = live[Math.floor(rng.next() * live.length)];
        if (fits(x)) h = x;
      }
      for (let k = 0; k < live.length && h === undefined; k++) if (fits(live[k])) h = live[k];
      if (h === undefined) continue; // No valid host: the request never reaches a compute node
      const { projectId, userId } = who.project();
      const failed = rng.chance(0.015);
      const steps: InstanceStep[] = [];
      if (failed) {
        const del = c + rng.int(2, 120) * MIN;
        if (del < plan.end) steps.push({ kind: 'delete', t: del });
      } else {
        if (life > 6 * HOUR && rng.chance(0.1)) {
          const shelve = sec(c + HOUR + rng.next() * (life - 3 * HOUR));
          steps.push({ kind: 'shelve', t: shelve });
          if (rng.chance(0.6)) steps.push({ kind: 'unshelve', t: sec(shelve + 30 * MIN + rng.next() * (endAt - shelve - 60 * MIN)) });
        }
        if (endAt < plan.end) steps.push({ kind: 'delete', t: endAt });
      }
      const kept = steps.filter((s) => s.t < plan.end);
      used.set(h.index, (used.get(h.index) ?? 0) + flavor.vcpus);
      addRelease([failed ? (kept[0]?.t ?? plan.end) : endAt, h.index, flavor.vcpus]);
      out.push({
        uuid: rng.uuid(),
        projectId,
        userId,
        createdAt: c,
        host: h.index,
        reservationId: null,
        flavor,
        launched: !failed,
        launchedAt: failed ? null : c + rng.int(20, 90) * SEC,
        steps: kept,
      });
    }
  }
  return out;
};

// -------------------------------------------------------------------------------------
// power actions
// -------------------------------------------------------------------------------------

const POWER_PAIRS = [
  ['stop', 'compute_stop_instance', 'start', 'compute_start_instance', 0.6],
  ['suspend', 'compute_suspend_instance', 'resume', 'compute_resume_instance', 0.25],
  ['pause', 'compute_pause_instance', 'unpause', 'compute_unpause_instance', 0.15],
] as const;

const power = (pair: (typeof POWER_PAIRS)[number], on: boolean, t: number, ok = true): PowerStep =>
  on ? { kind: 'power', t, action: pair[2], event: pair[3], on, ok } : { kind: 'power', t, action: pair[0], event: pair[1], on, ok };

/** Power-cycle behaviour per site kind (issue 19): share of periods with power actions, mean cycles. */
const POWER = { baremetal: { share: 0.4, more: 0.45 }, kvm: { share: 0.5, more: 0.65 } } as const;

/**
 * Adds power actions to launched instances (section 11), from their own random stream (so the
 * rest of the world is as without them): per occupancy period of at least 4 hours, with
 * probability `POWER.share` one or more power cycles (1 + geometric with continuation `more`, at
 * most 8): each a power-off (stop, suspend or pause) and, with probability 0.7 (the last one; the
 * others always), the matching power-on later in the period; rarely a start while already on (a
 * repeated signal) and a failed stop (changes nothing). Times are whole seconds strictly inside
 * the period, at least a minute apart.
 */
const withPower = (instances: ReadonlyArray<Instance>, plan: Plan, rng: Random, kind: SitePlan['kind']): Instance[] =>
  instances.map((i) => {
    if (!i.launched) return i;
    const added: PowerStep[] = [];
    const p = kind === 'kvm' ? POWER.kvm : POWER.baremetal;
    for (const [s, e0] of periods(i)) {
      const e = Math.min(e0 ?? plan.end, plan.end);
      const len = e - s;
      if (len < 4 * HOUR) continue;
      if (rng.chance(p.share)) {
        let n = 1;
        while (n < 8 && rng.chance(p.more)) n++;
        // 2n distinct instants in [s + 3 min, e - 2 min), a minute apart at least
        const span = len - 5 * MIN;
        const slots = Math.min(2 * n, Math.floor(span / MIN));
        const ts = Array.from({ length: slots }, () => s + 3 * MIN + rng.next() * span).sort((a, b) => a - b);
        let last = -Infinity;
        for (let k = 0; k < ts.length; k += 2) {
          const pair = rng.weighted(POWER_PAIRS.map((q) => [q, q[4]] as const));
          const off = sec(Math.max(ts[k], last + MIN));
          if (off >= e - 2 * MIN) break;
          added.push(power(pair, false, off));
          last = off;
          const onT = k + 1 < ts.length ? sec(Math.max(ts[k + 1], last + MIN)) : null;
          const final = k + 2 >= ts.length;
          if (onT === null || onT >= e - MIN || (final && !rng.chance(0.7))) break;
          added.push(power(pair, true, onT));
          last = onT;
        }
      }
      if (rng.chance(0.02)) added.push(power(POWER_PAIRS[0], true, sec(s + 30 * SEC)));
      if (rng.chance(0.02)) added.push(power(POWER_PAIRS[0], false, sec(s + 2 * MIN), false));
    }
    if (added.length === 0) return i;
    const steps = [...i.steps, ...added].sort((a, b) => a.t - b.t || (a.kind === 'power' ? 1 : 0) - (b.kind === 'power' ? 1 : 0));
    return { ...i, steps };
  });

// -------------------------------------------------------------------------------------
// the world
// -------------------------------------------------------------------------------------

/**
 * Simulates one site.
 *
 * @since 0.1.0
 */
export const simulateSite = (plan: Plan, site: SitePlan): SiteWorld => {
  const rng = random(plan.seed, site.site);
  const hosts = makeHosts(site, plan.scale, rng.fork('hosts'));
  const who = people(rng.fork('people'), plan.scale);
  const sim = simulateLeases(site, hosts, plan, rng.fork('leases'), who);
  const instances = withPower(
    [...reservedInstances(site, hosts, sim, plan, rng.fork('reserved')), ...onDemandInstances(site, hosts, plan, rng.fork('ondemand'), who)],
    plan,
    rng.fork('power'),
    site.kind,
  );
  instances.sort((a, b) => a.createdAt - b.createdAt || (a.uuid < b.uuid ? -1 : 1));
  const leases = [...sim.leases].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  // issue 15: the audit tables' world, from its own stream (the world above is as without it)
  const audit = simulateAudit(plan, site, hosts, leases, rng.fork('audit'));
  return { plan: site, hosts, leases, instances, ...(audit === undefined ? {} : { audit }) };
};

/**
 * Simulates every site of the plan.
 *
 * @example
 * const worlds = simulate(plan({ seed: 1, scale: 0.1 }))
 * @since 0.1.0
 */
export const simulate = (plan: Plan): ReadonlyArray<SiteWorld> => plan.sites.map((s) => simulateSite(plan, s));
