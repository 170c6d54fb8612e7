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
 * `ops` is capacity held by operator leases (maintenance windows, operator projects).
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
export const baseCountTypes = ['total', 'reservable', 'committed', 'ops', 'occupied_reserved', 'occupied_ondemand', 'stopped_reserved', 'stopped_ondemand'] as const;

/** @category model @since 0.1.0 */
export type BaseCountType = (typeof baseCountTypes)[number];

/**
 * The count types computed from the base ones.
 *
 * @category model
 * @since 0.1.0
 */
export const derivedCountTypes = ['occupied', 'available', 'idle', 'maintenance', 'active', 'stopped', 'ondemand_capacity', 'available_ondemand'] as const;

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
