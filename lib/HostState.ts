/**
 * Host state history from the audit tables (reconstruction rules, section 15): each snapshot of
 * a host gives its state from the snapshot's time until the next snapshot of the same
 * `hypervisor_hostname`, chained across Blazar ids (a host re-enrolled keeps its name).
 *
 * Laws (tested as properties):
 * - the pieces of one hostname never overlap and are sorted by start;
 * - every piece lies at or after the coverage start (earlier state is unknown, not "as now");
 * - a piece is `[start, end)` with `start < end` (a NULL end is open);
 * - two states of one hostname at once are a conflict, resolved by the later `auditId` (its
 *   state wins where they overlap), and counted;
 * - a DELETE row ends its entity's state; a snapshot whose `deletedAt` is set ends it there if
 *   that comes first (a Blazar soft delete).
 *
 * `usable = reservable and not disabled`; `status` is kept on the piece.
 *
 * @since 0.4.0
 * @module
 */
import type { Millis } from './Time';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One decoded snapshot of an audited entity.
 *
 * @category model
 * @since 0.4.0
 */
export interface StateRow {
  readonly auditId: number;
  /** The source row's id (Blazar host id, Nova service id, ...). */
  readonly id: string;
  /** The key the states are chained by (a hypervisor_hostname). */
  readonly key: string;
  readonly kind: 'INSERT' | 'UPDATE' | 'DELETE';
  /** The event time, UTC. */
  readonly time: Millis;
  readonly usable: boolean;
  readonly status: string;
  /** `data.deleted_at` of the snapshot, when set. */
  readonly deletedAt: Millis | null;
}

/**
 * A stretch of one key's state: `[start, end)`, `end` null while it lasts.
 *
 * @category model
 * @since 0.4.0
 */
export interface Piece {
  readonly start: Millis;
  readonly end: Millis | null;
  readonly usable: boolean;
  readonly status: string;
  /** The entity whose snapshot gave the state. */
  readonly id: string;
  readonly auditId: number;
}

/**
 * The chained states of every key, and what the chaining noticed.
 *
 * @category model
 * @since 0.4.0
 */
export interface HostStates {
  /** Pieces per key, sorted, disjoint, at or after `coverageStart`. */
  readonly pieces: ReadonlyMap<string, ReadonlyArray<Piece>>;
  /** When auditing began observing (earliest `audit_changed_at`), UTC; null: no rows. */
  readonly coverageStart: Millis | null;
  /** Overlaps of two entities' states of one key, resolved by the later audit id. */
  readonly conflicts: number;
  /** Snapshots of one entity at the instant of the next one (a zero-length state). */
  readonly sameInstant: number;
  /** UPDATE rows with no INSERT row of their entity before them. */
  readonly updateBeforeInsert: number;
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

const endLt = (a: number | null, b: number | null): boolean => a !== null && (b === null || a < b);

/** Paints `p` over sorted, disjoint `xs` (p wins), keeping the result sorted and disjoint. */
const paint = (xs: Piece[], p: Piece): { out: Piece[]; overlapped: boolean } => {
  // the common case: a piece after every earlier one (one entity's states in order)
  const lastPiece = xs[xs.length - 1];
  if (lastPiece === undefined || (lastPiece.end !== null && lastPiece.end <= p.start)) {
    xs.push(p);
    return { out: xs, overlapped: false };
  }
  const out: Piece[] = [];
  let overlapped = false;
  for (const x of xs) {
    const before = p.start; // x's part before p
    const after = p.end; // x's part after p
    const overlaps = endLt(p.start, x.end) && (after === null || x.start < after);
    if (!overlaps) {
      out.push(x);
      continue;
    }
    overlapped = true;
    if (x.start < before) out.push({ ...x, end: before });
    if (after !== null && endLt(after, x.end)) out.push({ ...x, start: after });
  }
  out.push(p);
  out.sort((a, b) => a.start - b.start);
  return { out, overlapped };
};

/**
 * The state pieces of one entity's snapshots (sorted by time, then audit id), before chaining.
 * Returns the pieces and the counts of zero-length states and UPDATEs before any INSERT.
 *
 * @category folding
 * @since 0.4.0
 */
export const entityPieces = (rows: ReadonlyArray<StateRow>): { readonly pieces: ReadonlyArray<Piece & { readonly key: string }>; readonly sameInstant: number; readonly updateBeforeInsert: number } => {
  const pieces: Array<Piece & { key: string }> = [];
  let sameInstant = 0;
  let updateBeforeInsert = 0;
  let inserted = false;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r.kind === 'INSERT') inserted = true;
    if (r.kind === 'UPDATE' && !inserted) updateBeforeInsert += 1;
    if (r.kind === 'DELETE') continue;
    const next = rows[i + 1];
    let end: number | null = next === undefined ? null : next.time;
    if (r.deletedAt !== null && (end === null || r.deletedAt < end)) end = r.deletedAt;
    if (end !== null && end <= r.time) {
      sameInstant += 1;
      continue;
    }
    pieces.push({ key: r.key, start: r.time, end: end as Millis | null, usable: r.usable, status: r.status, id: r.id, auditId: r.auditId });
  }
  return { pieces, sameInstant, updateBeforeInsert };
};

/**
 * Chains the snapshots of every entity by key and clips them to the coverage start.
 * `rows` need not be sorted: they are ordered by (id, time, audit id) here.
 *
 * @example
 * import { unsafeMillis as ms } from './Time'
 * const s = chain(ms(0))([{ auditId: 1, id: 'h1', key: 'n1', kind: 'INSERT', time: ms(10), usable: true, status: 'UP', deletedAt: null }])
 * s.pieces.get('n1')?.[0].start === 10
 * @category folding
 * @since 0.4.0
 */
export const chain =
  (coverageStart: Millis | null) =>
  (rows: ReadonlyArray<StateRow>): HostStates => {
    const byId = new Map<string, StateRow[]>();
    for (const r of rows) {
      const list = byId.get(r.id);
      if (list === undefined) byId.set(r.id, [r]);
      else list.push(r);
    }
    let sameInstant = 0;
    let updateBeforeInsert = 0;
    const all: Array<Piece & { key: string }> = [];
    for (const id of [...byId.keys()].sort()) {
      const list = (byId.get(id) as StateRow[]).sort((a, b) => a.time - b.time || a.auditId - b.auditId);
      const e = entityPieces(list);
      sameInstant += e.sameInstant;
      updateBeforeInsert += e.updateBeforeInsert;
      for (const p of e.pieces) all.push(p);
    }
    // paint in audit id order: a later snapshot's state wins where two entities overlap
    all.sort((a, b) => a.auditId - b.auditId || a.start - b.start);
    const byKey = new Map<string, Piece[]>();
    let conflicts = 0;
    for (const p of all) {
      let clipped: Piece = { start: p.start, end: p.end, usable: p.usable, status: p.status, id: p.id, auditId: p.auditId };
      if (coverageStart !== null && clipped.start < coverageStart) {
        if (clipped.end !== null && clipped.end <= coverageStart) continue;
        clipped = { ...clipped, start: coverageStart };
      }
      const { out, overlapped } = paint(byKey.get(p.key) ?? [], clipped);
      if (overlapped) conflicts += 1;
      byKey.set(p.key, out);
    }
    const pieces = new Map<string, ReadonlyArray<Piece>>();
    for (const k of [...byKey.keys()].sort()) pieces.set(k, byKey.get(k) as Piece[]);
    return { pieces, coverageStart, conflicts, sameInstant, updateBeforeInsert };
  };

/**
 * The parts of `[start, end)` in each state of a key's pieces: `[from, to, usable]` triples,
 * sorted; parts in no piece (unknown state) are left out.
 *
 * @example
 * import { unsafeMillis as ms } from './Time'
 * const parts = split([{ start: ms(0), end: ms(10), usable: false, status: 'UP', id: 'h', auditId: 1 }], ms(5), null)
 * parts[0][0] === 5 && parts[0][1] === 10 && parts[0][2] === false
 * @category combinators
 * @since 0.4.0
 */
export const split = (
  pieces: ReadonlyArray<Piece>,
  start: Millis,
  end: Millis | null,
): ReadonlyArray<readonly [Millis, Millis | null, boolean]> => {
  const out: Array<readonly [Millis, Millis | null, boolean]> = [];
  for (const p of pieces) {
    const s = p.start > start ? p.start : start;
    const e = p.end === null ? end : end === null ? p.end : p.end < end ? p.end : end;
    if (e !== null && e <= s) continue;
    out.push([s, e, p.usable]);
  }
  return out;
};
