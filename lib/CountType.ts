/**
 * Count types: what pool of capacity a quantity belongs to.
 *
 * Base count types come from events (one source table each); derived count types are computed
 * from aligned base step functions (reconstruction rules, section 1):
 * - `occupied = occupied_reserved + occupied_ondemand`
 * - `available = reservable - committed - ops`
 * - `idle = committed - occupied_reserved`
 * - `maintenance = (total - reservable) + ops` (`= ops` on an on-demand pool site)
 * - `stopped = stopped_reserved + stopped_ondemand`, `active = occupied - stopped` (section 11)
 * - `ondemand_capacity = total - reservable`, `available_ondemand = ondemand_capacity -
 *   occupied_ondemand` (section 12: written only for a site with an on-demand pool)
 *
 * - `unusable = reservable_unusable - committed_unusable - ops_unusable` (section 15: free
 *   reservable capacity on hosts disabled or not reservable per the audit tables); where the host
 *   state is covered `available` loses it and `maintenance` gains it, elsewhere it is 0 (its
 *   inputs have no intervals outside their coverage) and both are as in section 1
 *
 * `ops` is capacity held by operator leases (maintenance windows, operator projects).
 * The host-state split (section 15) is base: `reservable_usable` / `reservable_unusable` are the
 * pieces of each reservable interval in that host state, `committed_usable` /
 * `committed_unusable` / `ops_unusable` the pieces of each commitment (operator hold) on a host in
 * that state, each clamped to its parent like the unsplit type; `total_unusable` is Nova capacity
 * held out of service by Nova (`services.disabled`, `forced_down`) or Ironic (`maintenance`,
 * `retired`). They exist only from the state's coverage start (the audit tables' first row).
 * `stopped_reserved` / `stopped_ondemand` are the powered-off parts of the occupied periods of
 * reserved and on-demand instances (from their power history): two base types, like the two
 * parts of `occupied`, so each is clamped to its own parent (a reserved instance's powered-off
 * parts to its clamped periods). The rules define `active` (the powered-on parts) and `stopped =
 * occupied - active`; counting the powered-off parts and deriving `active = occupied - stopped`
 * gives the same values with far fewer events (most instances are never stopped).
 *
 * @since 0.1.0
 * @module
 */

/**
 * The count types events feed.
 *
 * @category model
 * @since 0.1.0
 */
export const baseCountTypes = [
  'total',
  'reservable',
  'committed',
  'ops',
  'occupied_reserved',
  'occupied_ondemand',
  'stopped_reserved',
  'stopped_ondemand',
  'reservable_usable',
  'reservable_unusable',
  'committed_usable',
  'committed_unusable',
  'ops_unusable',
  'total_unusable',
] as const;

/** @category model @since 0.1.0 */
export type BaseCountType = (typeof baseCountTypes)[number];

/**
 * The count types computed from the base ones.
 *
 * @category model
 * @since 0.1.0
 */
export const derivedCountTypes = ['occupied', 'available', 'idle', 'maintenance', 'active', 'stopped', 'ondemand_capacity', 'available_ondemand', 'unusable'] as const;

/** @category model @since 0.1.0 */
export type DerivedCountType = (typeof derivedCountTypes)[number];

/** @category model @since 0.1.0 */
export type CountType = BaseCountType | DerivedCountType;

/**
 * Whether `s` names a base count type.
 *
 * @category refinements
 * @since 0.1.0
 */
export const isBaseCountType = (s: string): s is BaseCountType =>
  (baseCountTypes as ReadonlyArray<string>).includes(s);

/**
 * The derived count types written only for a site with an on-demand pool (section 12).
 *
 * @category model
 * @since 0.3.0
 */
export const ondemandCountTypes = ['ondemand_capacity', 'available_ondemand'] as const satisfies ReadonlyArray<DerivedCountType>;

/**
 * The power-history count type (its powered-off parts) of each occupied count type (section 11).
 *
 * @category model
 * @since 0.3.0
 */
export const stoppedOf = { occupied_reserved: 'stopped_reserved', occupied_ondemand: 'stopped_ondemand' } as const satisfies Readonly<Record<string, BaseCountType>>;

/**
 * The host-state count types of section 15 (split by the audit tables' host state), with their
 * own coverage: `total_unusable` from the Nova/Ironic state tables, the rest from
 * `audit_blazar_computehosts`.
 *
 * @category model
 * @since 0.4.0
 */
export const hostStateCountTypes = [
  'reservable_usable',
  'reservable_unusable',
  'committed_usable',
  'committed_unusable',
  'ops_unusable',
  'total_unusable',
] as const satisfies ReadonlyArray<BaseCountType>;

/**
 * The split count type of an unsplit one and a host state (section 15); `committed_usable` and
 * `reservable_usable` only (ops on usable hosts need no count type: `unusable` subtracts only
 * ops on unusable hosts).
 *
 * @category model
 * @since 0.4.0
 */
export const splitOf = {
  reservable: { usable: 'reservable_usable', unusable: 'reservable_unusable' },
  committed: { usable: 'committed_usable', unusable: 'committed_unusable' },
  ops: { usable: undefined, unusable: 'ops_unusable' },
} as const satisfies Readonly<Record<string, { readonly usable: BaseCountType | undefined; readonly unusable: BaseCountType }>>;
