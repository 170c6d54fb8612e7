/**
 * The context `toEvents` may look up: the small dimension tables, read whole before the streamed
 * sources (Blazar hosts with their capabilities, Nova compute node rows).
 *
 * Missing or unreadable tables give empty maps and a warning, never an error: a site without
 * Blazar still has Nova capacity, and a site that never archived has no shadow table.
 *
 * - `hostsById`: every Blazar host row, live or soft-deleted.
 * - `hostsByHostname`: one host per hostname: a live row before a deleted one, then the latest
 *   `created_at`, then the greatest id.
 * - `computeNodes`: live, soft-deleted and shadow rows per hostname, sorted by `created_at`
 *   (NULL first), then id. Rows without a hostname are left out (and counted in a warning).
 *
 * @since 0.1.0
 */
import * as Ei from 'fp-ts/Either';
import type { ComputeNodeInfo, Context, HostInfo } from './Adapter';
import { loadCapabilities } from './capabilities';
import { ComputehostRow, hostColumns } from './computehosts';
import { ComputeNodeRow } from './computeNodes';
import { loadDevices } from './devices';
import { auditName, probeTable, type Source, tableName, type TableRef } from './Source';

const HOSTS: TableRef = { db: 'blazar', table: 'computehosts' };
const NODES: ReadonlyArray<TableRef> = [
  { db: 'nova', table: 'compute_nodes' },
  { db: 'nova', table: 'shadow_compute_nodes' },
];

// The adapters' own row codecs: the context reads the same tables (fewer columns for compute
// nodes; the absent ones decode as NULL).
type HostRow = ComputehostRow;

/** Whether `a` should stand for its hostname rather than `b`. */
const preferred = (a: HostRow, b: HostRow): boolean => {
  const liveA = a.deleted === null && a.deleted_at === null;
  const liveB = b.deleted === null && b.deleted_at === null;
  if (liveA !== liveB) return liveA;
  const ca = a.created_at ?? -Infinity;
  const cb = b.created_at ?? -Infinity;
  return ca !== cb ? ca > cb : a.id > b.id;
};

const readable = async (src: Source, ref: TableRef, warnings: string[]): Promise<boolean> => {
  const state = await probeTable(src, ref);
  if (state === 'ok') return true;
  warnings.push(`${auditName(src.site)(ref)}: ${state === 'missing' ? 'missing table' : 'no SELECT grant'}; read without it`);
  return false;
};

const loadHosts = async (src: Source, warnings: string[]): Promise<Pick<Context, 'hostsById' | 'hostsByHostname'>> => {
  const hostsById = new Map<string, HostInfo>();
  const hostsByHostname = new Map<string, HostInfo>();
  if (!(await readable(src, HOSTS, warnings))) return { hostsById, hostsByHostname };
  const caps = await loadCapabilities(src);
  warnings.push(...caps.warnings);
  const cols = await hostColumns(src);
  const raw: ReadonlyArray<unknown> = await src.knex
    .select(cols.map((c) => (c.startsWith('null as ') ? src.knex.raw(c) : c)))
    .from(tableName(src)(HOSTS))
    .orderBy('id');
  const chosen = new Map<string, HostRow>();
  let bad = 0;
  for (const r of raw) {
    const d = ComputehostRow.decode(r);
    if (Ei.isLeft(d)) {
      bad += 1;
      continue;
    }
    const row = d.right;
    const c = caps.capabilities.get(row.id);
    const info: HostInfo = {
      id: row.id,
      hypervisor_hostname: row.hypervisor_hostname ?? '',
      node_type: c?.node_type ?? 'unknown',
      gpus: c?.gpus ?? 0,
      vcpus: row.vcpus,
      memory_mb: row.memory_mb,
      local_gb: row.local_gb,
    };
    hostsById.set(row.id, info);
    if (row.hypervisor_hostname === null || row.hypervisor_hostname === '') continue;
    const prev = chosen.get(row.hypervisor_hostname);
    if (prev === undefined || preferred(row, prev)) {
      chosen.set(row.hypervisor_hostname, row);
      hostsByHostname.set(row.hypervisor_hostname, info);
    }
  }
  if (bad > 0) warnings.push(`${auditName(src.site)(HOSTS)}: ${bad} row(s) could not be read and are not in the context`);
  return { hostsById, hostsByHostname };
};

const loadNodes = async (src: Source, warnings: string[]): Promise<Pick<Context, 'computeNodes' | 'bareMetalServices' | 'nodesByService'>> => {
  const byHost = new Map<string, ComputeNodeInfo[]>();
  const nodesByService = new Map<string, Set<string>>();
  // per nova-compute service: are all its nodes Ironic?
  const services = new Map<string, boolean>();
  for (const ref of NODES) {
    if (!(await readable(src, ref, warnings))) continue;
    const raw: ReadonlyArray<unknown> = await src.knex
      .select('id', 'host', 'hypervisor_hostname', 'hypervisor_type', 'vcpus', 'memory_mb', 'local_gb', 'created_at')
      .from(tableName(src)(ref));
    let bad = 0;
    let nameless = 0;
    for (const r of raw) {
      const d = ComputeNodeRow.decode(r);
      if (Ei.isLeft(d)) {
        bad += 1;
        continue;
      }
      const row = d.right;
      const service = (r as { host?: unknown }).host;
      if (typeof service === 'string' && service !== '') services.set(service, (services.get(service) ?? true) && (row.hypervisor_type ?? '').toLowerCase() === 'ironic');
      const hostname = row.hypervisor_hostname?.trim() ?? '';
      if (hostname === '') {
        nameless += 1;
        continue;
      }
      if (typeof service === 'string' && service !== '') nodesByService.set(service, (nodesByService.get(service) ?? new Set()).add(hostname));
      const list = byHost.get(hostname) ?? [];
      list.push({ ...row, id: String(row.id), hypervisor_hostname: hostname, hypervisor_type: row.hypervisor_type ?? '' });
      byHost.set(hostname, list);
    }
    if (bad > 0) warnings.push(`${auditName(src.site)(ref)}: ${bad} row(s) could not be read and are not in the context`);
    if (nameless > 0) warnings.push(`${auditName(src.site)(ref)}: ${nameless} row(s) without hypervisor_hostname are not in the context`);
  }
  for (const list of byHost.values()) {
    list.sort((a, b) => (a.created_at ?? -Infinity) - (b.created_at ?? -Infinity) || Number(a.id) - Number(b.id));
  }
  return {
    computeNodes: byHost,
    bareMetalServices: new Set([...services].filter(([, ironic]) => ironic).map(([s]) => s)),
    nodesByService: new Map([...nodesByService].map(([k, v]) => [k, [...v].sort()])),
  };
};

/**
 * Reads the dimension tables of a site into a `Context`.
 *
 * @example
 * const { context, warnings } = await loadContext(src)
 * context.hostsByHostname.get('compute-1')?.node_type // 'compute_skylake'
 * @since 0.1.0
 */
export const loadContext = async (src: Source): Promise<{ context: Context; warnings: ReadonlyArray<string> }> => {
  const warnings: string[] = [];
  const hosts = await loadHosts(src, warnings);
  const nodes = await loadNodes(src, warnings);
  const devices = await loadDevices(src);
  warnings.push(...devices.warnings);
  return { context: { site: src.site, ...hosts, ...nodes, ...(devices.devices.size > 0 ? { devicesById: devices.devices } : {}) }, warnings };
};
