/**
 * Blazar host capabilities: each host's current `node_type` and GPU count (reconstruction rules,
 * section 6), in whichever of the three layouts the database has (openstack-schemas.md,
 * section 3). The layout is detected from the columns of `computehost_extra_capabilities`:
 *
 * - `property_id`: names in `resource_properties.property_name` (upstream >= 9.0.0, Chameleon
 *   2024+);
 * - `capability_id`: names in `extra_capabilities.capability_name` (Chameleon 2020-04 to 2024);
 * - `capability_name`: names on the row itself (the original layout).
 *
 * Only current values count: soft-deleted rows (Chameleon `deleted IS NOT NULL`) are ignored, and
 * when a host still has several live rows for one name the most recently written wins
 * (`updated_at`, else `created_at`, then the row id). Past values are not in the database.
 * Except for a soft-deleted host: Chameleon's `host_destroy` soft-deletes the host's capabilities
 * with it, so its last values are its soft-deleted rows (the most recently written wins, as
 * above); a retired host's history keeps its node type instead of turning `unknown`.
 *
 * The GPU count must be a non-negative integer; any other value counts as 0 GPUs and is reported
 * in `warnings`.
 *
 * @since 0.1.0
 */
import * as Ei from 'fp-ts/Either';
import * as t from 'io-ts';
import { nullable, Str, struct, UtcDate } from './codecs';
import { columnsOf, tableName, type Source, type TableRef } from './Source';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export type CapabilityLayout = 'resource_properties' | 'extra_capabilities' | 'capability_name';

/** A host's current capabilities (absent: the host has no such capability). @category model @since 0.1.0 */
export interface HostCapabilities {
  readonly node_type?: string;
  readonly gpus?: number;
}

/** @category model @since 0.1.0 */
export interface LoadedCapabilities {
  /** `missing`: no capability table (every host is `unknown` with 0 GPUs). */
  readonly layout: CapabilityLayout | 'missing';
  /** By `computehosts.id`. */
  readonly capabilities: ReadonlyMap<string, HostCapabilities>;
  readonly warnings: ReadonlyArray<string>;
}

/** The capability tables of the three layouts. @since 0.1.0 */
export const CAPS: TableRef = { db: 'blazar', table: 'computehost_extra_capabilities' };
export const PROPS: TableRef = { db: 'blazar', table: 'resource_properties' };
export const EXTRA: TableRef = { db: 'blazar', table: 'extra_capabilities' };

/** One capability row, as `capabilitySql` selects it in every layout. @category model @since 0.1.0 */
export const CapabilityRow = struct({
  id: Str,
  computehost_id: nullable(Str),
  name: Str,
  value: nullable(Str),
  created_at: UtcDate,
  updated_at: UtcDate,
});
type CapabilityRow = t.TypeOf<typeof CapabilityRow>;

// -------------------------------------------------------------------------------------
// reading
// -------------------------------------------------------------------------------------

/**
 * Which layout the capability table has, or `missing`.
 *
 * @since 0.1.0
 */
export const detectLayout = async (src: Source): Promise<CapabilityLayout | 'missing'> => {
  const cols = await columnsOf(src, CAPS);
  if (cols.has('property_id')) return 'resource_properties';
  if (cols.has('capability_id')) return 'extra_capabilities';
  if (cols.has('capability_name')) return 'capability_name';
  return 'missing';
};

const liveFilter = (cols: ReadonlySet<string>, alias: string): string => (cols.has('deleted') ? ` and ${alias}.deleted is null` : '');

/** The host table, joined to keep the capabilities a soft-deleted host was deleted with. */
const HOSTS: TableRef = { db: 'blazar', table: 'computehosts' };

/** `from` and the live filter of the capability rows: live ones, and every row of a deleted host. */
const capabilityRows = async (src: Source, caps: ReadonlySet<string>): Promise<{ from: string; live: string }> => {
  const name = tableName(src);
  const hosts = caps.has('deleted') ? await columnsOf(src, HOSTS) : new Set<string>();
  if (!hosts.has('deleted')) return { from: `${name(CAPS)} c`, live: liveFilter(caps, 'c') };
  return { from: `${name(CAPS)} c left join ${name(HOSTS)} h on h.id = c.computehost_id`, live: ' and (c.deleted is null or h.deleted is not null)' };
};

/** The SQL giving (id, computehost_id, name, value, created_at, updated_at) for the wanted names. */
const capabilitySql = async (src: Source, layout: CapabilityLayout): Promise<{ sql: string; warning?: string }> => {
  const name = tableName(src);
  const caps = await columnsOf(src, CAPS);
  const select = 'select c.id as id, c.computehost_id as computehost_id, c.capability_value as value, c.created_at as created_at, c.updated_at as updated_at';
  const rows = await capabilityRows(src, caps);
  if (layout === 'capability_name') {
    return { sql: `${select}, c.capability_name as name from ${rows.from} where c.capability_name in (?, ?)${rows.live}` };
  }
  const names = layout === 'resource_properties' ? PROPS : EXTRA;
  const nameCol = layout === 'resource_properties' ? 'property_name' : 'capability_name';
  const fk = layout === 'resource_properties' ? 'property_id' : 'capability_id';
  const ncols = await columnsOf(src, names);
  if (ncols.size === 0) return { sql: '', warning: `${name(CAPS)} refers to ${name(names)}, which is missing: no host capabilities` };
  const typed = ncols.has('resource_type') ? ` and n.resource_type = 'physical:host'` : '';
  return {
    sql: `${select}, n.${nameCol} as name from ${rows.from} join ${name(names)} n on n.id = c.${fk} where n.${nameCol} in (?, ?)${typed}${rows.live}${liveFilter(ncols, 'n')}`,
  };
};

/** Later-written rows win: `updated_at`, else `created_at`, then the id. */
const newer = (a: CapabilityRow, b: CapabilityRow): boolean => {
  const ta = a.updated_at ?? a.created_at ?? -Infinity;
  const tb = b.updated_at ?? b.created_at ?? -Infinity;
  return ta !== tb ? ta > tb : a.id > b.id;
};

/**
 * Parses a GPU count: a non-negative integer, else `undefined`.
 *
 * @example
 * parseGpus(' 2 ') === 2
 * parseGpus('2.5') === undefined
 * @since 0.1.0
 */
export const parseGpus = (v: string | null): number | undefined => (v !== null && /^\s*\d+\s*$/.test(v) ? Number(v) : undefined);

/**
 * Every host's current `node_type` and GPU count (capability named `src.site.gpuCapability`).
 *
 * @example
 * const { capabilities, warnings } = await loadCapabilities(src)
 * capabilities.get('1') // { node_type: 'compute_skylake', gpus: 0 }
 * @since 0.1.0
 */
export const loadCapabilities = async (src: Source): Promise<LoadedCapabilities> => {
  const layout = await detectLayout(src);
  if (layout === 'missing') {
    return { layout, capabilities: new Map(), warnings: [`${tableName(src)(CAPS)} is missing: every host's node_type is unknown and its GPUs 0`] };
  }
  const { sql, warning } = await capabilitySql(src, layout);
  if (warning !== undefined) return { layout, capabilities: new Map(), warnings: [warning] };
  const gpuName = src.site.gpuCapability;
  const raw: ReadonlyArray<unknown> = src.dialect === 'mysql' ? (await src.knex.raw(sql, ['node_type', gpuName]))[0] : await src.knex.raw(sql, ['node_type', gpuName]);
  const warnings: string[] = [];
  const latest = new Map<string, CapabilityRow>();
  let undecoded = 0;
  for (const r of raw) {
    const d = CapabilityRow.decode(r);
    if (Ei.isLeft(d)) {
      undecoded += 1;
      continue;
    }
    const row = d.right;
    if (row.computehost_id === null) continue;
    const key = `${row.computehost_id}\u0000${row.name}`;
    const prev = latest.get(key);
    if (prev === undefined || newer(row, prev)) latest.set(key, row);
  }
  if (undecoded > 0) warnings.push(`${undecoded} capability row(s) in ${tableName(src)(CAPS)} could not be read and were ignored`);
  const out = new Map<string, { node_type?: string; gpus?: number }>();
  for (const row of [...latest.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const host = out.get(row.computehost_id as string) ?? {};
    if (row.name === 'node_type') {
      const v = (row.value ?? '').trim();
      if (v !== '') host.node_type = v;
    } else {
      const gpus = parseGpus(row.value);
      if (gpus === undefined) warnings.push(`host ${row.computehost_id}: ${gpuName} = ${JSON.stringify(row.value)} is not an integer; counted as 0 GPUs`);
      host.gpus = gpus ?? 0;
    }
    out.set(row.computehost_id as string, host);
  }
  return { layout, capabilities: out, warnings };
};
