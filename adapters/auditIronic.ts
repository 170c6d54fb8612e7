/**
 * `openstack_audit.audit_ironic_nodes` (reconstruction rules, section 15): the Ironic side of
 * `total_unusable`. A node is held out of service while `maintenance = 1` or `retired = 1`; its
 * states are chained by `uuid`, which is the `hypervisor_hostname` of its Nova compute node.
 * Optional: absent, `total_unusable` has no coverage from it. (`provision_state` and
 * `power_state` are not watched by the triggers and are not used: facts, section 6.7.)
 *
 * @since 0.4.0
 * @module
 */
import * as t from 'io-ts';
import { auditTable, readStates, type StateRead, type Zone } from './auditDecode';
import { Bool, nullable, Str } from './codecs';
import type { Source } from './Source';

/** @category model @since 0.4.0 */
export const ironicAuditTable = auditTable('ironic_nodes');

/**
 * The keys read from an Ironic node snapshot.
 *
 * @category model
 * @since 0.4.0
 */
export const IronicSnapshot = t.type({
  uuid: Str,
  maintenance: t.union([Bool, t.undefined, t.null]),
  retired: t.union([Bool, t.undefined, t.null]),
  provision_state: t.union([nullable(Str), t.undefined]),
});

/**
 * The state of an Ironic node snapshot (pure): keyed by uuid, unusable in maintenance or retired.
 *
 * @example
 * ironicState({ uuid: 'u1', maintenance: true, retired: false, provision_state: 'active' }).usable === false
 * @category constructors
 * @since 0.4.0
 */
export const ironicState = (s: t.TypeOf<typeof IronicSnapshot>): { key: string; usable: boolean; status: string } => ({
  key: s.uuid.trim(),
  usable: s.maintenance !== true && s.retired !== true,
  status: s.maintenance === true ? 'maintenance' : s.retired === true ? 'retired' : 'in_service',
});

/**
 * Reads `audit_ironic_nodes` of a site (keys: node uuids = hypervisor_hostnames).
 *
 * @since 0.4.0
 */
export const readIronicAudit = (src: Source, zone: Zone): Promise<StateRead> => readStates(src, ironicAuditTable, zone, IronicSnapshot, ironicState);
