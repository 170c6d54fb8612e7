/**
 * The Blazar reservation of a Nova instance, read from its `nova_api.request_specs.spec`
 * (reconstruction rules, section 5).
 *
 * - `scheduler_hints.reservation[0]` in `$['nova_object.data']` (a Blazar `physical:host` boot);
 *   a bare string is accepted too, as the blazar-nova filter does;
 * - else the flavor name `reservation:<id>` in `$['nova_object.data'].flavor['nova_object.data'].name`
 *   (a `virtual:instance` / `flavor:instance` reservation's private flavor);
 * - else the instance is on-demand. `instances.reservation_id` is Nova's multi-create id and is
 *   never read.
 *
 * The spec is parsed here in TypeScript, not with SQL `JSON_EXTRACT`: an invalid spec must not
 * stop the read (SQLite's `json_extract` raises on malformed JSON), and both dialects then give
 * the same answer. Parsing never throws: invalid JSON, a spec nested deeper than the engine can
 * parse, or a spec of the wrong shape is "no reservation" with a `note` saying why.
 *
 * @since 0.1.0
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Why the reservation is what it is:
 * - `scheduler_hint`, `flavor`: found there;
 * - `none`: a valid spec with neither (on-demand);
 * - `no_request_spec`: the instance has no request_specs row (archived, or never written);
 * - `request_specs_missing`: the site has no readable `nova_api.request_specs` table;
 * - `invalid_spec`: the spec is not JSON (or too deeply nested to parse);
 * - `not_an_object`: the spec is JSON but not a `RequestSpec` primitive.
 *
 * @category model
 * @since 0.1.0
 */
export type ReservationFrom =
  | 'scheduler_hint'
  | 'flavor'
  | 'none'
  | 'no_request_spec'
  | 'request_specs_missing'
  | 'invalid_spec'
  | 'not_an_object';

/**
 * @category model
 * @since 0.1.0
 */
export interface ReservationLink {
  /** The Blazar reservation id, or `null` for on-demand. */
  readonly reservationId: string | null;
  readonly from: ReservationFrom;
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const FLAVOR_RE = /^reservation:(.+)$/;

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

const nonEmpty = (u: unknown): string | null => (typeof u === 'string' && u.trim() !== '' ? u.trim() : null);

/** `reservation: ["id"]` or `reservation: "id"`. */
const fromHint = (data: Record<string, unknown>): string | null => {
  const hints = data['scheduler_hints'];
  if (!isRecord(hints)) return null;
  const r = hints['reservation'];
  return Array.isArray(r) ? nonEmpty(r[0]) : nonEmpty(r);
};

const fromFlavor = (data: Record<string, unknown>): string | null => {
  const flavor = data['flavor'];
  const fdata = isRecord(flavor) ? flavor['nova_object.data'] : undefined;
  const name = isRecord(fdata) ? nonEmpty(fdata['name']) : null;
  const m = name === null ? null : FLAVOR_RE.exec(name);
  return m === null ? null : m[1];
};

/**
 * The reservation of an instance from its request spec text.
 *
 * @example
 * reservationOf('{"nova_object.data":{"scheduler_hints":{"reservation":["r1"]}}}')
 * // { reservationId: 'r1', from: 'scheduler_hint' }
 * reservationOf(null) // { reservationId: null, from: 'no_request_spec' }
 * reservationOf('{oops') // { reservationId: null, from: 'invalid_spec' }
 * @since 0.1.0
 */
export const reservationOf = (spec: string | null): ReservationLink => {
  if (spec === null) return { reservationId: null, from: 'no_request_spec' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(spec);
  } catch {
    // SyntaxError, or RangeError on pathological nesting: never crash the read.
    return { reservationId: null, from: 'invalid_spec' };
  }
  const data = isRecord(parsed) ? parsed['nova_object.data'] : undefined;
  if (!isRecord(data)) return { reservationId: null, from: 'not_an_object' };
  const hint = fromHint(data);
  if (hint !== null) return { reservationId: hint, from: 'scheduler_hint' };
  const flavor = fromFlavor(data);
  if (flavor !== null) return { reservationId: flavor, from: 'flavor' };
  return { reservationId: null, from: 'none' };
};
