/**
 * Shared reading of Chameleon's trigger-based audit tables (`openstack_audit.audit_<name>`,
 * facts in `openstack-audit.md`; reconstruction rules, section 15), used by every audit adapter.
 *
 * - **Layout**, detected per table from its columns (`information_schema` on MySQL,
 *   `PRAGMA table_info` on SQLite): `generic` (a `data` JSON column; `audit_event_time` exists
 *   from v2 on) or `explicit` (the older `audit_blazar_computehosts` with the source columns as
 *   real columns and no `data`).
 * - **Time**: `audit_event_time` when the column exists, else `audit_changed_at`, read as naive
 *   text. On MySQL `@@global.time_zone` (and `@@system_time_zone` under `SYSTEM`) is read once per
 *   site: a zone other than UTC means audit times are converted from it to UTC (the report says
 *   so). The audit query runs with the session zone set to the global one, so `TIMESTAMP` columns
 *   (layouts before v3) read as the `DATETIME`s of v3 do, whatever the client session's zone. Backfill rows (`audit_changed_by = 'backfill'`) keep their event time as read: the
 *   backfill copies it from an OpenStack column, which is UTC already.
 * - **Order**: (id, time, audit_id).
 * - **Decoding**: `data` is parsed (MariaDB JSON is LONGTEXT: a string) and decoded with an
 *   io-ts codec per table; a row that does not decode is a rejection that names its path
 *   (`data.reservable: expected a TINYINT(1) boolean`), never a crash.
 *
 * @since 0.4.0
 * @module
 */
import * as Ei from 'fp-ts/Either';
import type { Knex } from 'knex';
import * as t from 'io-ts';
import type { Event } from '../lib/Event';
import type { StateRow } from '../lib/HostState';
import { countByReason, rejection, type Rejection } from '../lib/Rejection';
import * as T from '../lib/Time';
import { describeErrors, failingColumn, Int, nullable, Str, struct } from './codecs';
import type { SourceReport } from './runner';
import { auditName, columnsOf, probeTable, tableName, type Source, type TableRef } from './Source';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The table of audit table family `name` (`audit_<name>` in the logical db `openstack_audit`).
 *
 * @category constructors
 * @since 0.4.0
 */
export const auditTable = (name: string): TableRef => ({ db: 'openstack_audit', table: `audit_${name}` });

/** @category model @since 0.4.0 */
export type Layout = 'generic' | 'explicit';

/**
 * What the columns of an audit table say: its layout and its time column.
 *
 * @category model
 * @since 0.4.0
 */
export interface Shape {
  readonly layout: Layout;
  readonly timeColumn: 'audit_event_time' | 'audit_changed_at';
  readonly columns: ReadonlySet<string>;
}

/**
 * The layout of an audit table from its (lower-case) column names; `undefined` when it is
 * neither (no `audit_id`/`id`/`audit_event_type`/`audit_changed_at`).
 *
 * @example
 * shapeOf(new Set(['audit_id', 'id', 'audit_event_type', 'audit_changed_at', 'data']))?.timeColumn === 'audit_changed_at'
 * @category constructors
 * @since 0.4.0
 */
export const shapeOf = (columns: ReadonlySet<string>): Shape | undefined => {
  for (const c of ['audit_id', 'id', 'audit_event_type', 'audit_changed_at']) if (!columns.has(c)) return undefined;
  return {
    layout: columns.has('data') ? 'generic' : 'explicit',
    timeColumn: columns.has('audit_event_time') ? 'audit_event_time' : 'audit_changed_at',
    columns,
  };
};

/**
 * The server's time zone as audit times need it: `utc` when no conversion is needed, else a
 * function from a naive wall-clock time (read as if UTC) to the UTC instant.
 *
 * @category model
 * @since 0.4.0
 */
export interface Zone {
  readonly name: string;
  readonly utc: boolean;
  readonly toUtc: (naive: T.Millis) => T.Millis;
  /** What the report says about it (empty when UTC). */
  readonly note: string;
}

/** @category constructors @since 0.4.0 */
export const utcZone: Zone = { name: 'UTC', utc: true, toUtc: (x) => x, note: '' };

const OFFSET = /^([+-])(\d{1,2}):(\d{2})$/;

/** The offset in ms of IANA zone `zone` at UTC instant `t`, or undefined if `zone` is unknown. */
const ianaOffset = (zone: string, t: number): number | undefined => {
  let f: Intl.DateTimeFormat;
  try {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  } catch {
    return undefined;
  }
  const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return wall - Math.floor(t / 1000) * 1000;
};

/**
 * A zone from a MySQL time zone value: `UTC`, `+00:00` and the like need no conversion; a fixed
 * offset (`+02:00`) or an IANA name (`Europe/Berlin`) converts; anything else (an abbreviation
 * such as `CEST`) converts by `fallbackOffsetMs` (the server's current offset), said in the note.
 *
 * @example
 * zoneOf('+02:00', 0).toUtc(T.unsafeMillis(2 * 3600 * 1000)) === 0
 * @category constructors
 * @since 0.4.0
 */
export const zoneOf = (name: string, fallbackOffsetMs: number): Zone => {
  const n = name.trim();
  if (/^(utc|z|gmt|etc\/utc|etc\/gmt|universal|[+-]0?0:00)$/i.test(n)) return { ...utcZone, name: n };
  const m = OFFSET.exec(n);
  if (m !== null) {
    const off = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
    if (off === 0) return { ...utcZone, name: n };
    return { name: n, utc: false, toUtc: (x) => T.unsafeMillis(x - off), note: `audit times converted from the server time zone ${n} to UTC` };
  }
  if (ianaOffset(n, 0) !== undefined) {
    // the offset in force at the instant: two passes settle DST edges
    const toUtc = (x: T.Millis): T.Millis => {
      const first = x - (ianaOffset(n, x) ?? 0);
      return T.unsafeMillis(x - (ianaOffset(n, first) ?? 0));
    };
    return { name: n, utc: false, toUtc, note: `audit times converted from the server time zone ${n} to UTC` };
  }
  if (fallbackOffsetMs === 0) return { ...utcZone, name: n, note: `server time zone ${n} is unknown here; its current offset is 0: audit times read as UTC` };
  return {
    name: n,
    utc: false,
    toUtc: (x) => T.unsafeMillis(x - fallbackOffsetMs),
    note: `audit times converted from the server time zone ${n} to UTC by its current offset (${fallbackOffsetMs / 60_000} min; daylight saving changes are not followed)`,
  };
};

/**
 * The server's zone for audit times: `@@global.time_zone`, or `@@system_time_zone` under
 * `SYSTEM`, read once. SQLite snapshots hold what `extract` copied: UTC.
 *
 * @since 0.4.0
 */
export const readZone = async (src: Source): Promise<Zone> => {
  if (src.dialect !== 'mysql') return utcZone;
  const res = await src.knex.raw('select @@global.time_zone as g, @@system_time_zone as s, timestampdiff(second, utc_timestamp(), now()) as off');
  const row = (res[0] as Array<{ g: unknown; s: unknown; off: unknown }>)[0] ?? { g: 'SYSTEM', s: 'UTC', off: 0 };
  const g = String(row.g ?? 'SYSTEM');
  const name = g.toUpperCase() === 'SYSTEM' ? String(row.s ?? 'UTC') : g;
  return zoneOf(name, Number(row.off ?? 0) * 1000);
};

// -------------------------------------------------------------------------------------
// rows
// -------------------------------------------------------------------------------------

/**
 * The columns every audit row has, whatever its layout (time as naive text).
 *
 * @category model
 * @since 0.4.0
 */
export const AuditColumns = struct({
  audit_id: Int,
  id: Str,
  audit_event_type: nullable(Str),
  audit_time: nullable(Str),
  audit_changed_at: nullable(Str),
  audit_changed_by: nullable(Str),
});

/**
 * One audit row, decoded: its kind, its UTC times and its snapshot (`data` parsed, or the
 * explicit layout's columns).
 *
 * @category model
 * @since 0.4.0
 */
export interface AuditRow {
  readonly auditId: number;
  readonly id: string;
  readonly kind: 'INSERT' | 'UPDATE' | 'DELETE';
  readonly time: T.Millis;
  readonly changedAt: T.Millis;
  readonly backfill: boolean;
  readonly data: Readonly<Record<string, unknown>>;
}

const KINDS = new Set(['INSERT', 'UPDATE', 'DELETE']);

/** A naive DATETIME text as if UTC; null when missing or unparseable. */
const naive = (s: string | null): T.Millis | null => (s === null ? null : T.fromIsoNullable(s));

/**
 * A raw audit row (as `readAudit` selects it) as an `AuditRow`, or a rejection: `decode_error`
 * (a column), `bad_json` (`data` is not a JSON object), `unknown_event_type`, `no_time`.
 *
 * @category constructors
 * @since 0.4.0
 */
export const decodeAuditRow =
  (o: { readonly site: string; readonly table: string; readonly layout: Layout; readonly zone: Zone }) =>
  (raw: unknown): Ei.Either<Rejection, AuditRow> => {
    const rawId = String((raw as { audit_id?: unknown } | null)?.audit_id ?? '?');
    const reject = (reason: string, detail: string, entityId?: string, time?: T.Millis) =>
      Ei.left(rejection({ site: o.site, source: { table: o.table, id: rawId }, reason, detail, entityId, time }));
    const cols = AuditColumns.decode(raw);
    if (Ei.isLeft(cols)) return reject('decode_error', `${failingColumn(cols.left)}: ${describeErrors(cols.left)}`);
    const c = cols.right;
    const kind = (c.audit_event_type ?? '').toUpperCase();
    if (!KINDS.has(kind)) return reject('unknown_event_type', `audit_event_type ${JSON.stringify(c.audit_event_type)} is not INSERT, UPDATE or DELETE`, c.id);
    const backfill = c.audit_changed_by === 'backfill';
    const changedNaive = naive(c.audit_changed_at);
    const timeNaive = naive(c.audit_time) ?? changedNaive;
    if (timeNaive === null || changedNaive === null) return reject('no_time', 'audit row without a valid event time or audit_changed_at (NULL, zero or unparseable)', c.id);
    let data: Record<string, unknown>;
    if (o.layout === 'generic') {
      const d = (raw as { data?: unknown }).data;
      let parsed: unknown = d;
      if (typeof d === 'string' || Buffer.isBuffer(d)) {
        try {
          parsed = JSON.parse(String(d));
        } catch (e) {
          return reject('bad_json', `data: not JSON (${e instanceof Error ? e.message : String(e)})`, c.id);
        }
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return reject('bad_json', `data: expected a JSON object, got ${JSON.stringify(parsed)?.slice(0, 60)}`, c.id);
      data = parsed as Record<string, unknown>;
    } else {
      const { audit_id: _a, id: _i, audit_event_type: _k, audit_time: _t, audit_changed_at: _c, audit_changed_by: _b, ...rest } = raw as Record<string, unknown>;
      data = { id: c.id, ...rest };
    }
    return Ei.right({
      auditId: c.audit_id,
      id: c.id,
      kind: kind as AuditRow['kind'],
      time: backfill ? timeNaive : o.zone.toUtc(timeNaive),
      changedAt: o.zone.toUtc(changedNaive),
      backfill,
      data,
    });
  };

/**
 * Decodes a snapshot with `codec`, or a `decode_error` rejection naming the path under `data`.
 *
 * @category constructors
 * @since 0.4.0
 */
export const decodeData =
  <A>(codec: t.Decoder<unknown, A>, o: { readonly site: string; readonly table: string }) =>
  (row: AuditRow): Ei.Either<Rejection, A> => {
    const d = codec.decode(row.data);
    if (Ei.isRight(d)) return d;
    return Ei.left(
      rejection({
        site: o.site,
        source: { table: o.table, id: String(row.auditId) },
        reason: 'decode_error',
        detail: `data.${failingColumn(d.left)}: ${describeErrors(d.left)}`,
        entityId: row.id,
        time: row.time,
      }),
    );
  };

/**
 * The (id, time, audit_id) order of decoded rows.
 *
 * @category instances
 * @since 0.4.0
 */
export const byIdTime = (a: AuditRow, b: AuditRow): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.time - b.time || a.auditId - b.auditId);

/**
 * Every raw row of an audit table read as `readAudit` gave it, decoded: the rows, and the
 * rejections of those that do not decode, in the table's order.
 *
 * @example
 * const { rows, rejections } = decodeAuditRows(read.raw, { site: 'chi_uc', table: read.name, layout: 'generic', zone: UTC })
 * @since 0.5.0
 */
export const decodeAuditRows = (
  raw: ReadonlyArray<unknown>,
  o: Parameters<typeof decodeAuditRow>[0],
): { readonly rows: ReadonlyArray<AuditRow>; readonly rejections: ReadonlyArray<Rejection> } => {
  const dec = decodeAuditRow(o);
  const rows: AuditRow[] = [];
  const rejections: Rejection[] = [];
  for (const x of raw) {
    const r = dec(x);
    if (Ei.isLeft(r)) rejections.push(r.left);
    else rows.push(r.right);
  }
  return { rows, rejections };
};

/**
 * What reading one audit table gave: its probe state, shape and raw rows (an audit table is small:
 * one row per change of a watched column).
 *
 * @category model
 * @since 0.4.0
 */
export interface AuditRead {
  readonly ref: TableRef;
  /** `database.table` as the report names it. */
  readonly name: string;
  readonly state: 'ok' | 'missing' | 'denied' | 'unknown_layout';
  readonly shape?: Shape;
  readonly raw: ReadonlyArray<unknown>;
  /**
   * The rows of the table, when `readAudit` was asked to leave out the ids of a source table
   * (`raw` then holds only the others): `rows - raw.length` rows were read as the source's.
   */
  readonly rows?: number;
}

/**
 * Probes and reads one audit table whole: the id, kind, time columns (the time column as text
 * aliased `audit_time`), `data` or the explicit columns. A table with an unknown layout is read
 * as nothing (`unknown_layout`).
 *
 * `exceptIdsOf`: a readable source table (same site) whose ids the caller does not need (the
 * source wins over the audit for them): the server leaves their rows out and `rows` counts the
 * table's rows (on a live site most audit rows are of ids the source still has: at CHI@TACC's
 * scale 1.1 M rows of 1.1 M, 7 s of reading).
 *
 * @since 0.4.0
 */
export const readAudit = async (src: Source, ref: TableRef, exceptIdsOf?: TableRef): Promise<AuditRead> => {
  const name = auditName(src.site)(ref);
  let cols: ReadonlySet<string>;
  try {
    cols = await columnsOf(src, ref);
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    if (/DENIED/.test(code)) return { ref, name, state: 'denied', raw: [] };
    throw e;
  }
  if (cols.size === 0) {
    // information_schema shows no column: absent, or not visible to this account (an account
    // without a grant on a table cannot tell it from an absent one, and `grants` cannot grant a
    // table that does not exist): read as absent either way, as the other optional sources
    return { ref, name, state: 'missing', raw: [] };
  }
  const shape = shapeOf(cols);
  if (shape === undefined) return { ref, name, state: 'unknown_layout', raw: [] };
  const text = (c: string) => (src.dialect === 'mysql' ? `cast(${c} as char) as ` : `${c} as `);
  const select = [
    'audit_id',
    'id',
    'audit_event_type',
    `${text(shape.timeColumn)}audit_time`,
    `${text('audit_changed_at')}audit_changed_at`,
    cols.has('audit_changed_by') ? 'audit_changed_by' : 'null as audit_changed_by',
    ...(shape.layout === 'generic' ? ['data'] : [...cols].filter((c) => !['audit_id', 'id', 'audit_event_type', 'audit_event_time', 'audit_changed_at', 'audit_changed_by'].includes(c)).sort()),
  ];
  try {
    const table = tableName(src)(ref);
    const source = exceptIdsOf === undefined ? undefined : tableName(src)(exceptIdsOf);
    // SQLite tests each row of the audit table itself, reading its data (most of the table's
    // pages) to keep 4 rows of 400 k: asked for the rowids first, it scans the (id, ...) index
    // instead, then fetches the rows it keeps by their rowid (3x faster at CHI@TACC's scale).
    // MySQL leaves the source's ids out in `mysqlExcept`.
    const except = source === undefined ? '' : ` where rowid in (select a.rowid from ${table} a where not exists (select 1 from ${source} s where s.id = a.id))`;
    const sql = `select ${select.join(', ')} from ${table}${except} order by audit_id`;
    const count = `select count(*) as n from ${table}`;
    const [raw, rows]: [ReadonlyArray<unknown>, number | undefined] =
      src.dialect === 'mysql'
        ? // TIMESTAMP columns (layouts before v3) are shown in the session's zone: read them in
          // the global zone, as DATETIMEs were written, so one conversion fits both
          await src.knex.transaction(async (trx) => {
            await trx.raw('SET SESSION time_zone = @@global.time_zone');
            const r = source === undefined ? ((await trx.raw(sql)) as unknown[][])[0] : await mysqlExcept(trx, table, source, select);
            return [r, source === undefined ? undefined : Number((((await trx.raw(count)) as Array<Array<{ n: unknown }>>)[0])[0].n)];
          })
        : [(await src.knex.raw(sql)) as unknown[], source === undefined ? undefined : Number(((await src.knex.raw(count)) as Array<{ n: unknown }>)[0].n)];
    return { ref, name, state: 'ok', shape, raw, ...(rows === undefined ? {} : { rows }) };
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    if (/DENIED/.test(code)) return { ref, name, state: 'denied', raw: [] };
    if (code === 'ER_NO_SUCH_TABLE' || code === 'ER_BAD_DB_ERROR' || /no such table/i.test(String(e))) return { ref, name, state: 'missing', raw: [] };
    throw e;
  }
};

/**
 * MySQL: the audit rows whose id the source table no longer has, in `audit_id` order. Not with
 * `not exists` in SQL: the audit tables are utf8mb4 and Blazar's own utf8mb3 on a real site (and
 * in the testbed), and MariaDB compares the two in utf8mb4, so the source's key cannot be used and
 * each audit row scanned the source table (found by the 10M benchmark: at half of CHI@TACC's
 * size the query was still running after 20 minutes). So the ids are matched here, exactly
 * (as the lease index does, docs/decisions.md), and the rows kept are read by their key.
 */
const mysqlExcept = async (trx: Knex.Transaction, table: string, source: string, select: ReadonlyArray<string>): Promise<unknown[]> => {
  const known = new Set<string>();
  for (const r of ((await trx.raw(`select id from ${source}`)) as Array<Array<{ id: unknown }>>)[0]) known.add(String(r.id));
  const keep: unknown[] = [];
  for (const r of ((await trx.raw(`select audit_id, id from ${table} order by audit_id`)) as Array<Array<{ audit_id: unknown; id: unknown }>>)[0]) {
    if (r.id === null || !known.has(String(r.id))) keep.push(r.audit_id);
  }
  const out: unknown[] = [];
  for (let i = 0; i < keep.length; i += 1000) {
    const chunk = keep.slice(i, i + 1000);
    const rows = ((await trx.raw(`select ${select.join(', ')} from ${table} where audit_id in (${chunk.map(() => '?').join(', ')}) order by audit_id`, chunk as never)) as unknown[][])[0];
    for (const r of rows) out.push(r);
  }
  return out;
};

// -------------------------------------------------------------------------------------
// state tables
// -------------------------------------------------------------------------------------

/**
 * What a state table's audit gave: its report entry, rejections, the state rows and the earliest
 * `audit_changed_at` (its coverage start; null when not read or empty).
 *
 * @category model
 * @since 0.4.0
 */
export interface StateRead {
  readonly report: SourceReport;
  readonly rejections: ReadonlyArray<Rejection>;
  readonly rows: ReadonlyArray<StateRow>;
  readonly changedMin: T.Millis | null;
}

/**
 * Reads an audit table of states (Nova services, Ironic nodes): each decoded snapshot becomes a
 * `StateRow` through `toState` (its key and whether it is usable), or a rejection.
 *
 * @since 0.4.0
 */
export const readStates = async <A>(
  src: Source,
  ref: TableRef,
  zone: Zone,
  codec: t.Decoder<unknown, A>,
  toState: (snap: A) => { readonly key: string; readonly usable: boolean; readonly status: string },
): Promise<StateRead> => {
  const site = src.site.site;
  const read = await readAudit(src, ref);
  if (read.state !== 'ok' || read.shape === undefined) return { report: unreadAuditReport(site, read), rejections: [], rows: [], changedMin: null };
  const dec = decodeAuditRow({ site, table: read.name, layout: read.shape.layout, zone });
  const data = decodeData(codec, { site, table: read.name });
  const rows: StateRow[] = [];
  const rejections: Rejection[] = [];
  let changedMin: number | null = null;
  for (const raw of read.raw) {
    const r = dec(raw);
    if (Ei.isLeft(r)) {
      rejections.push(r.left);
      continue;
    }
    if (changedMin === null || r.right.changedAt < changedMin) changedMin = r.right.changedAt;
    const d = data(r.right);
    if (Ei.isLeft(d)) {
      rejections.push(d.left);
      continue;
    }
    const s = toState(d.right);
    if (s.key === '') {
      rejections.push(rejection({ site, source: { table: read.name, id: String(r.right.auditId) }, reason: 'no_key', detail: 'snapshot without the key its states are chained by', entityId: r.right.id, time: r.right.time }));
      continue;
    }
    rows.push({ auditId: r.right.auditId, id: r.right.id, key: s.key, kind: r.right.kind, time: r.right.time, usable: s.usable, status: s.status, deletedAt: null });
  }
  return {
    report: {
      site,
      source: read.name,
      status: 'read',
      detail: [`layout ${read.shape.layout}, time ${read.shape.timeColumn}`, zone.note].filter((x) => x !== '').join('; '),
      rows_read: read.raw.length,
      rows_folded: rows.length,
      rows_rejected: rejections.length,
      rejected_by_reason: countByReason(rejections),
      optional_missing: [],
    },
    rejections,
    rows,
    changedMin: changedMin as T.Millis | null,
  };
};

const ABSENT = 'optional audit table ';

/**
 * Whether a source report is an optional audit table that is absent (the site reads as
 * without it; summaries leave it out of the missing sources).
 *
 * @since 0.4.0
 */
export const isAbsentAudit = (s: { readonly status: string; readonly detail: string }): boolean => s.status === 'missing_table' && s.detail.startsWith(ABSENT);

/**
 * The report entry of an audit table that was not read (absent, denied, unknown layout).
 *
 * @since 0.4.0
 */
export const unreadAuditReport = (site: string, read: AuditRead): SourceReport => ({
  site,
  source: read.name,
  status: read.state === 'denied' ? 'no_select_grant' : 'missing_table',
  detail:
    read.state === 'unknown_layout'
      ? `${read.name}: not an audit table layout (no audit_id/id/audit_event_type/audit_changed_at); not read`
      : read.state === 'denied'
        ? `${ABSENT}${read.name} not readable (no SELECT grant); read without it`
        : `${ABSENT}${read.name} absent (not in information_schema); read without it`,
  rows_read: 0,
  rows_folded: 0,
  rows_rejected: 0,
  rejected_by_reason: {},
  optional_missing: [],
});

// -------------------------------------------------------------------------------------
// entity tables (hard deletes)
// -------------------------------------------------------------------------------------

/**
 * What folding the audit rows of entities gone from their source tables gave (`auditNova`'s
 * compute nodes, `auditInstances`' instances).
 *
 * @category model
 * @since 0.4.0
 */
export interface AuditOnly {
  readonly events: ReadonlyArray<Event>;
  readonly rejections: ReadonlyArray<Rejection>;
  /** How many entities came only from the audit table. */
  readonly entities: number;
}

/**
 * The audit rows of the entities the source no longer has (ids not in `known`), decoded and
 * grouped per id in event order (pure): the entities sorted by id, each with its rows and
 * snapshots; a snapshot that does not decode is one rejection.
 *
 * @category folding
 * @since 0.4.0
 */
export const entitiesOf = <A>(
  rows: ReadonlyArray<AuditRow>,
  known: ReadonlySet<string>,
  decode: (row: AuditRow) => Ei.Either<Rejection, A>,
): { readonly entities: ReadonlyArray<{ readonly id: string; readonly list: ReadonlyArray<{ readonly row: AuditRow; readonly snap: A }> }>; readonly rejections: ReadonlyArray<Rejection> } => {
  const byId = new Map<string, Array<{ row: AuditRow; snap: A }>>();
  const rejections: Rejection[] = [];
  for (const row of [...rows].sort(byIdTime)) {
    if (known.has(row.id)) continue;
    const d = decode(row);
    if (Ei.isLeft(d)) {
      rejections.push(d.left);
      continue;
    }
    const list = byId.get(row.id);
    if (list === undefined) byId.set(row.id, [{ row, snap: d.right }]);
    else list.push({ row, snap: d.right });
  }
  return { entities: [...byId.keys()].sort().map((id) => ({ id, list: byId.get(id) as Array<{ row: AuditRow; snap: A }> })), rejections };
};

/**
 * Reads an audit table of entities, the ids its source tables still have (`sources`: the live
 * and shadow tables), folds the rows with `fold` (which leaves the ids the source has: the source
 * wins), and makes the table's report entry (`rows_read = rows_folded + rows_rejected`; one
 * verdict per row: a rejected entity's other rows stay folded, they were read into it).
 *
 * @since 0.4.0
 */
export const readEntityAudit = async (
  src: Source,
  o: {
    readonly ref: TableRef;
    readonly sources: ReadonlyArray<TableRef>;
    readonly zone: Zone;
    /** What an entity is, for the report (`compute node(s)`, `instance(s)`). */
    readonly what: string;
    readonly fold: (x: { readonly table: string; readonly rows: ReadonlyArray<AuditRow>; readonly known: ReadonlySet<string> }) => AuditOnly;
  },
): Promise<{ readonly report: SourceReport; readonly rejections: ReadonlyArray<Rejection>; readonly events: ReadonlyArray<Event> }> => {
  const site = src.site.site;
  const read = await readAudit(src, o.ref);
  if (read.state !== 'ok' || read.shape === undefined) return { report: unreadAuditReport(site, read), rejections: [], events: [] };
  const { rows, rejections: rej } = decodeAuditRows(read.raw, { site, table: read.name, layout: read.shape.layout, zone: o.zone });
  const known = new Set<string>();
  for (const ref of o.sources) {
    if ((await probeTable(src, ref)) !== 'ok') continue;
    for (const r of (await src.knex.select('id').from(tableName(src)(ref))) as Array<{ id: unknown }>) known.add(String(r.id));
  }
  const f = o.fold({ table: read.name, rows, known });
  const all = [...rej, ...f.rejections];
  return {
    report: {
      site,
      source: read.name,
      status: 'read',
      detail: [`layout ${read.shape.layout}, time ${read.shape.timeColumn}`, o.zone.note, `${f.entities} ${o.what} only in the audit table (hard-deleted), counted with extra.from = audit`]
        .filter((x) => x !== '')
        .join('; '),
      rows_read: read.raw.length,
      rows_folded: read.raw.length - all.length,
      rows_rejected: all.length,
      rejected_by_reason: countByReason(all),
      optional_missing: [],
    },
    rejections: all,
    events: f.events,
  };
};
