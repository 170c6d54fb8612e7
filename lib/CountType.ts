/**
 * Count types: what pool of capacity a quantity belongs to.
 *
 * Base count types come from events (one source table each); derived count types are computed
 * from aligned base step functions (reconstruction rules, section 1):
 * - `occupied = occupied_reserved + occupied_ondemand`
 * - `available = reservable - committed - ops`
 * - `idle = committed - occupied_reserved`
 * - `maintenance = (total - reservable) + ops`
 *
 * `ops` is capacity held by operator leases (maintenance windows, operator projects).
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
export const baseCountTypes = ['total', 'reservable', 'committed', 'ops', 'occupied_reserved', 'occupied_ondemand'] as const;

/** @category model @since 0.1.0 */
export type BaseCountType = (typeof baseCountTypes)[number];

/**
 * The count types computed from the base ones.
 *
 * @category model
 * @since 0.1.0
 */
export const derivedCountTypes = ['occupied', 'available', 'idle', 'maintenance'] as const;

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
