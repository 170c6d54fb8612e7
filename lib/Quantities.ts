/**
 * Value types and the quantities an entity carries for each of them.
 *
 * A quantity record always has all six value types (`nodes`, `vcpus`, `memory_mb`, `disk_gb`,
 * `gpus`, `devices`); missing knowledge is 0 and said so by the coverage report, never `undefined`.
 * `nodes` counts hosts only (Nova compute nodes, Blazar hosts); `devices` counts Blazar devices
 * (CHI@Edge: one device is one unit), so a host and a device never add up in one value.
 * Quantities form a monoid under pointwise addition.
 *
 * @since 0.1.0
 * @module
 */
import type { Monoid as MonoidT } from 'fp-ts/Monoid';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The value types, in output order.
 *
 * @category model
 * @since 0.1.0
 */
export const valueTypes = ['nodes', 'vcpus', 'memory_mb', 'disk_gb', 'gpus', 'devices'] as const;

/** @category model @since 0.1.0 */
export type ValueType = (typeof valueTypes)[number];

/**
 * How much of each value type an entity holds.
 *
 * @category model
 * @since 0.1.0
 */
export type Quantities = Readonly<Record<ValueType, number>>;

/**
 * The resolution at which the sweep adds each value type. Node counts of KVM instances are
 * fractions (instance vcpus / host vcpus), so nodes are summed as integer micro-nodes; the other
 * value types come from INT columns and are summed as integers. Sums of integers below 2^53 are
 * exact, so a closed stream always returns to exactly 0.
 *
 * @category model
 * @since 0.1.0
 */
export const scale: Readonly<Record<ValueType, number>> = {
  nodes: 1_000_000,
  vcpus: 1,
  memory_mb: 1,
  disk_gb: 1,
  gpus: 1,
  devices: 1,
};

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** All zero. @category constructors @since 0.1.0 */
export const zero: Quantities = { nodes: 0, vcpus: 0, memory_mb: 0, disk_gb: 0, gpus: 0, devices: 0 };

/**
 * Quantities from a partial record; absent value types are 0.
 *
 * @example
 * assert.deepStrictEqual(make({ nodes: 1 }), { nodes: 1, vcpus: 0, memory_mb: 0, disk_gb: 0, gpus: 0, devices: 0 })
 * @category constructors
 * @since 0.1.0
 */
export const make = (q: Partial<Quantities>): Quantities => ({ ...zero, ...q });

/**
 * Whether `s` names a value type.
 *
 * @category refinements
 * @since 0.1.0
 */
export const isValueType = (s: string): s is ValueType => (valueTypes as ReadonlyArray<string>).includes(s);

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

/**
 * Pointwise sum.
 *
 * @category instances
 * @since 0.1.0
 */
export const Monoid: MonoidT<Quantities> = {
  concat: (a, b) => ({
    nodes: a.nodes + b.nodes,
    vcpus: a.vcpus + b.vcpus,
    memory_mb: a.memory_mb + b.memory_mb,
    disk_gb: a.disk_gb + b.disk_gb,
    gpus: a.gpus + b.gpus,
    devices: a.devices + b.devices,
  }),
  empty: zero,
};

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The value scaled to the sweep's integer resolution (see {@link scale}).
 *
 * @example
 * assert.strictEqual(toUnits('nodes', 0.25), 250000)
 * @since 0.1.0
 */
export const toUnits = (vt: ValueType, v: number): number => Math.round(v * scale[vt]);
