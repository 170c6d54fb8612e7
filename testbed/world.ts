/**
 * The true world of a testbed site: what physically happened, decided once by the simulator
 * (`simulate.ts`). Both the stored rows (`rows.ts`, with the quirks) and the truth timeline
 * (`truth.ts`) are derived from it, so they can only disagree where a quirk destroyed history.
 *
 * Times are epoch milliseconds (UTC), whole seconds.
 *
 * Invariants (checked by `simulate.ts` by construction):
 * - a host's Blazar window lies inside its Nova window;
 * - a lease that commits holds each of its hosts only inside that host's Blazar window, and two
 *   committing `physical:host` leases never hold one host at once; slot reservations never put
 *   more vCPUs on a host than it has;
 * - an instance in a reservation runs on a host of that reservation, inside the lease's
 *   commitment window; operator leases have no instances;
 * - every instance period `[start, end)` has `start < end` (or an open end).
 *
 * @since 0.1.0
 */
import type { AuditWorld } from './audit';
import type { SitePlan } from './plan';

/** A physical node (bare metal) or hypervisor (KVM). @category model @since 0.1.0 */
export interface Host {
  readonly index: number;
  /** Ironic node uuid (bare metal) or the hypervisor's FQDN (KVM). */
  readonly hostname: string;
  /** `compute_nodes.host`: the nova-compute service (the Ironic conductor host for bare metal). */
  readonly service: string;
  readonly nodeType: string;
  readonly vcpus: number;
  readonly memoryMb: number;
  readonly localGb: number;
  readonly gpus: number;
  /** Nova knows it over `[added, retired)`. */
  readonly added: number;
  readonly retired: number | null;
  /** In Blazar's pool over `[reservableFrom, reservableTo)`; `null` from: never. */
  readonly reservableFrom: number | null;
  readonly reservableTo: number | null;
}

/** @category model @since 0.1.0 */
export type ResourceType = 'physical:host' | 'virtual:instance' | 'flavor:instance';

/** @category model @since 0.1.0 */
export interface Reservation {
  readonly id: string;
  readonly resourceType: ResourceType;
  /** Hosts held: one entry per host (`physical:host`) or per slot (instance reservations). */
  readonly hosts: ReadonlyArray<number>;
  /** Slot size (instance reservations). */
  readonly slot?: { readonly vcpus: number; readonly memoryMb: number; readonly diskGb: number };
  /** The node type asked for. */
  readonly nodeType: string;
}

/** @category model @since 0.1.0 */
export interface Lease {
  readonly id: string;
  readonly name: string;
  readonly projectId: string;
  readonly userId: string;
  readonly operator: boolean;
  readonly createdAt: number;
  /** Planned start (minute precision, `<= createdAt` for "now" leases). */
  readonly startDate: number;
  /** The end first asked for. */
  readonly requestedEnd: number;
  /** The end after extensions (the value Blazar keeps). */
  endDate: number;
  /** When the last extension was made (the row's `updated_at`). */
  extendedAt: number | null;
  /** Early deletion (soft delete), `null` if never deleted before the snapshot. */
  deletedAt: number | null;
  /** The `start_lease` event ended in ERROR: nothing is committed. */
  readonly error: boolean;
  readonly reservations: ReadonlyArray<Reservation>;
}

/** An instance's life, in order. @category model @since 0.1.0 */
export type InstanceStep =
  | { readonly kind: 'shelve'; readonly t: number }
  | { readonly kind: 'unshelve'; readonly t: number }
  | { readonly kind: 'delete'; readonly t: number }
  | PowerStep;

/**
 * A power action (section 11): `event` is the Nova compute event (`compute_stop_instance`, ...),
 * `on` whether it powers on, `ok` whether it succeeded (a failed one changes nothing).
 *
 * @category model
 * @since 0.3.0
 */
export interface PowerStep {
  readonly kind: 'power';
  readonly t: number;
  readonly action: 'stop' | 'start' | 'suspend' | 'resume' | 'pause' | 'unpause';
  readonly event: string;
  readonly on: boolean;
  readonly ok: boolean;
}

/** @category model @since 0.1.0 */
export interface Instance {
  readonly uuid: string;
  readonly projectId: string;
  readonly userId: string;
  readonly createdAt: number;
  /** Host index; for a failed build, the host the scheduler chose. */
  readonly host: number;
  readonly reservationId: string | null;
  readonly flavor: { readonly name: string; readonly vcpus: number; readonly memoryMb: number; readonly rootGb: number };
  /** `false`: the build failed (never active, occupies nothing). */
  readonly launched: boolean;
  /** When it became ACTIVE (after BUILD). */
  readonly launchedAt: number | null;
  /** Shelves, unshelves, power actions and the delete; the delete is absent while it still exists. */
  readonly steps: ReadonlyArray<InstanceStep>;
}

/** Everything that happened at one site. @category model @since 0.1.0 */
export interface SiteWorld {
  readonly plan: SitePlan;
  readonly hosts: ReadonlyArray<Host>;
  readonly leases: ReadonlyArray<Lease>;
  readonly instances: ReadonlyArray<Instance>;
  /** The audit tables' world (issue 15): host state windows and hard deletes; absent when the plan ends before their install. */
  readonly audit?: AuditWorld;
}

/**
 * The occupancy periods of an instance: open at `createdAt`, closed by a shelve, reopened by an
 * unshelve, closed by the delete; `end = null` while it still runs at the snapshot.
 *
 * @example
 * periods({ launched: true, createdAt: 0, steps: [{ kind: 'delete', t: 10 }] }) // [[0, 10]]
 * @since 0.1.0
 */
export const periods = (i: Pick<Instance, 'launched' | 'createdAt' | 'steps'>): ReadonlyArray<readonly [number, number | null]> => {
  if (!i.launched) return [];
  const out: Array<readonly [number, number | null]> = [];
  let open: number | null = i.createdAt;
  for (const s of i.steps) {
    if (s.kind === 'power') continue;
    if (s.kind === 'unshelve') {
      if (open === null) open = s.t;
    } else if (open !== null) {
      out.push([open, s.t]);
      open = null;
    }
  }
  if (open !== null) out.push([open, null]);
  return out;
};

/**
 * The powered-on parts of an instance's periods: each period starts on; a successful power step
 * switches it (a switch to the state in force changes nothing). Written apart from the adapter's
 * rule (`adapters/power.ts`), for the truth.
 *
 * @example
 * poweredOn({ launched: true, createdAt: 0, steps: [stop at 4, delete at 10] }) // [[0, 4]]
 * @since 0.3.0
 */
export const poweredOn = (i: Pick<Instance, 'launched' | 'createdAt' | 'steps'>): ReadonlyArray<readonly [number, number | null]> => {
  const out: Array<readonly [number, number | null]> = [];
  for (const [s, e] of periods(i)) {
    let on = true;
    let since = s;
    for (const st of i.steps) {
      if (st.kind !== 'power' || !st.ok || st.t < s || (e !== null && st.t >= e)) continue;
      if (on && !st.on) {
        if (st.t > since) out.push([since, st.t]);
        on = false;
      } else if (!on && st.on) {
        on = true;
        since = st.t;
      }
    }
    if (on && (e === null || e > since)) out.push([since, e]);
  }
  return out;
};
