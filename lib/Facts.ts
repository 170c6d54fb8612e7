/**
 * The facts timeline: the event stream as a flat table, for audit and export (the plan's
 * "Facts Timeline"). One row per event and value type; `value` is signed: `+q` for a create,
 * `-q` for a delete, so the running sum of a key's facts is its count.
 *
 * @since 0.1.0
 * @module
 */
import * as E from './Event';
import { valueTypes as allValueTypes, type ValueType } from './Quantities';
import * as T from './Time';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Columns, in output order.
 *
 * @category model
 * @since 0.1.0
 */
export const columns = [
  'timestamp',
  'source',
  'entity_id',
  'count_type',
  'value_type',
  'value',
  'node_type',
  'hypervisor_hostname',
] as const;

/** @category model @since 0.1.0 */
export interface Fact {
  readonly timestamp: string;
  readonly source: string;
  readonly entity_id: string;
  readonly count_type: string;
  readonly value_type: ValueType;
  readonly value: number;
  readonly node_type: string;
  readonly hypervisor_hostname: string;
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * Facts of events, in `Event.Ord` order; the input is not mutated.
 *
 * @example
 * toFacts(['nodes'])(events)
 * @since 0.1.0
 */
export const toFacts =
  (valueTypes: ReadonlyArray<ValueType> = allValueTypes) =>
  (events: ReadonlyArray<E.Event>): ReadonlyArray<Fact> => {
    const sorted = [...events].sort(E.Ord.compare);
    const out: Fact[] = [];
    for (const e of sorted) {
      const sign = e._tag === 'Create' ? 1 : -1;
      for (const vt of valueTypes) {
        out.push({
          timestamp: T.toIso(e.time),
          source: E.showSource(e.source),
          entity_id: e.entityId,
          count_type: e.countType,
          value_type: vt,
          value: sign * e.quantities[vt],
          node_type: e.attributes.node_type,
          hypervisor_hostname: e.attributes.hypervisor_hostname,
        });
      }
    }
    return out;
  };
