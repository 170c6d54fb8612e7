/**
 * The `openstack_audit` tables the tool reads (section 15), for `grants` and `extract`: all
 * optional, each probed at read time.
 *
 * @since 0.4.0
 * @module
 */
import { auditTable } from './auditDecode';
import type { TableRef } from './Source';

/**
 * The audit tables read: the host state history, the Blazar lease tables, Nova compute nodes and instances (hard deletes), and
 * the Nova/Ironic state tables of `total_unusable`.
 *
 * @category model
 * @since 0.4.0
 */
export const auditTables: ReadonlyArray<TableRef> = Object.freeze(
  ['blazar_computehosts', 'blazar_leases', 'blazar_reservations', 'blazar_computehost_allocations', 'nova_compute_nodes', 'nova_instances', 'nova_services', 'ironic_nodes'].map(auditTable),
);
