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
 * The audit tables read: the host state history, and the Nova/Ironic state tables of
 * `total_unusable`.
 *
 * @category model
 * @since 0.4.0
 */
export const auditTables: ReadonlyArray<TableRef> = Object.freeze([auditTable('blazar_computehosts'), auditTable('nova_services'), auditTable('ironic_nodes')]);
