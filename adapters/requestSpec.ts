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
 * the same answer. Parsing never throws: invalid JSON or a spec of the wrong shape is "no
 * reservation" with a `note` saying why.
 *
 * {@link reservationOf} reads every instance's spec (2 to 5 KB in Nova), so it does not build the
 * spec's objects: one pass over the characters checks the whole text is JSON and keeps only where
 * the two values it needs are. {@link reservationOfByParse}, the same rules over `JSON.parse`, is
 * the reference it is tested against: both give the same result for every string.
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
 * - `invalid_spec`: the spec is not JSON;
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
// reference: JSON.parse
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
 * The reservation of an instance from its request spec text, by `JSON.parse`: the definition of
 * {@link reservationOf}, which gives the same result without building the spec's objects.
 *
 * @example
 * reservationOfByParse('{"nova_object.data":{"scheduler_hints":{"reservation":["r1"]}}}')
 * // { reservationId: 'r1', from: 'scheduler_hint' }
 * @since 0.1.0
 */
export const reservationOfByParse = (spec: string | null): ReservationLink => {
  if (spec === null) return { reservationId: null, from: 'no_request_spec' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(spec);
  } catch {
    // SyntaxError; V8 parses any nesting depth without recursion, but never crash the read.
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

// -------------------------------------------------------------------------------------
// scanner
// -------------------------------------------------------------------------------------

// Character codes.
const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;
const PLUS = 43;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const SLASH = 47;
const ZERO = 48;
const NINE = 57;
const COLON = 58;
const UPPER_E = 69;
const LBRACKET = 91;
const BACKSLASH = 92;
const RBRACKET = 93;
const LOWER_A = 97;
const LOWER_E = 101;
const LOWER_F = 102;
const LOWER_L = 108;
const LOWER_N = 110;
const LOWER_R = 114;
const LOWER_S = 115;
const LOWER_T = 116;
const LOWER_U = 117;
const LBRACE = 123;
const RBRACE = 125;
/** The first code unit `String.prototype.trim` removes above SPACE (NO-BREAK SPACE). */
const NBSP = 0xa0;

/*
 * Where a value or container stands on the paths read (`$` is the top-level value):
 * ROOT `$`, DATA `$['nova_object.data']`, HINTS `.scheduler_hints`, RESERVATION
 * `.scheduler_hints.reservation`, FIRST its element 0, FLAVOR `.flavor`, FLAVOR_DATA
 * `.flavor['nova_object.data']`, NAME `.flavor['nova_object.data'].name`; NONE anywhere else.
 */
const NONE = 0;
const ROOT = 1;
const DATA = 2;
const HINTS = 3;
const RESERVATION = 4;
const FIRST = 5;
const FLAVOR = 6;
const FLAVOR_DATA = 7;
const NAME = 8;

/** Low bit of a stack entry; the rest is the container's node. */
const OBJECT = 0;
const ARRAY = 1;

/** A key the scanner looks for, as text (for keys written with escapes) and as code units. */
interface Key {
  readonly text: string;
  readonly codes: Uint16Array;
}

const key = (text: string): Key => {
  const codes = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  return { text, codes };
};

const NOVA_OBJECT_DATA = key('nova_object.data');
const SCHEDULER_HINTS = key('scheduler_hints');
const FLAVOR_KEY = key('flavor');
const RESERVATION_KEY = key('reservation');
const NAME_KEY = key('name');

/**
 * The spec's UTF-16 code units, then a 0 (see {@link unitsOf}). Reading a string with
 * `charCodeAt` costs about as much as `JSON.parse` itself (V8 checks the string's representation
 * on every call); one native copy into a typed array, read there, is about 3 times cheaper.
 * Reused across calls: the scan is synchronous and never re-entered.
 */
let units = new Uint16Array(8192);
let unitBytes = Buffer.from(units.buffer);
/** Above this many code units a spec gets a buffer of its own, so that one huge spec does not keep a large buffer alive. */
const MAX_SCRATCH_UNITS = 1 << 20;
/** One entry per open container; a deeper spec grows a copy of its own. */
const scratchStack = new Uint8Array(64);

/**
 * Buffer.write('utf16le') writes little-endian code units; a Uint16Array reads them in the
 * platform's order. On a big-endian platform {@link reservationOf} is {@link reservationOfByParse}.
 */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/*
 * What a scan found, in module state so that a call allocates nothing until the result: whether
 * the last `$['nova_object.data']` is an object, and the bounds of the hint and flavor name
 * strings (contents without quotes; start -1: none), with whether they hold escapes.
 */
let dataIsObject = false;
let hintStart = -1;
let hintEnd = -1;
let hintEscaped = false;
let nameStart = -1;
let nameEnd = -1;
let nameEscaped = false;
/** The index after the last string scanned that held an escape: strings without one cost no write. */
let lastEscapedEnd = -1;
/** Set by {@link readKey}: the node of the value after the key. */
let nextNode = NONE;

/**
 * The code units of `s` followed by a 0. JSON allows a U+0000 nowhere outside an escape, so the
 * 0 stops every loop at the end as an invalid character would: no loop needs a bounds check, and
 * a read past the end is always a read of the 0, since every lookahead stops at the first
 * mismatch.
 */
const unitsOf = (s: string): Uint16Array => {
  const n = s.length;
  let u = units;
  let bytes = unitBytes;
  if (n >= MAX_SCRATCH_UNITS) {
    u = new Uint16Array(n + 1);
    bytes = Buffer.from(u.buffer);
  } else if (n >= u.length) {
    let size = u.length;
    while (size <= n) size *= 2;
    u = units = new Uint16Array(size);
    bytes = unitBytes = Buffer.from(u.buffer);
  }
  bytes.write(s, 0, 'utf16le');
  u[n] = 0;
  return u;
};

const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;

const isHex = (c: number): boolean => (c >= ZERO && c <= NINE) || ((c | 0x20) >= LOWER_A && (c | 0x20) <= LOWER_F);

const hexValue = (c: number): number => (c <= NINE ? c - ZERO : (c | 0x20) - LOWER_A + 10);

/** The index of the first unit from `i` that is not JSON whitespace (JSON's four, not JS's). */
const skipWhitespace = (u: Uint16Array, i: number): number => {
  // Nova writes no whitespace: one comparison decides in the common case.
  for (let c = u[i]; c <= SPACE && (c === SPACE || c === LF || c === CR || c === TAB); c = u[++i]);
  return i;
};

/** The character a one-letter escape stands for (`\n` -> LF), or -1 when it is not one. */
const unescapeChar = (e: number): number => {
  switch (e) {
    case QUOTE:
    case BACKSLASH:
    case SLASH:
      return e;
    case 98: // b
      return 8;
    case LOWER_F:
      return 12;
    case LOWER_N:
      return LF;
    case LOWER_R:
      return CR;
    case LOWER_T:
      return TAB;
    default:
      return -1;
  }
};

/** {@link scanString} from the first backslash or control character at `i`; sets {@link lastEscapedEnd}. */
const scanEscapedString = (u: Uint16Array, i: number): number => {
  for (; ; i++) {
    const c = u[i];
    if (c === QUOTE) return (lastEscapedEnd = i + 1);
    if (c === BACKSLASH) {
      const e = u[++i];
      if (e === LOWER_U) {
        if (!(isHex(u[i + 1]) && isHex(u[i + 2]) && isHex(u[i + 3]) && isHex(u[i + 4]))) return -1;
        i += 4;
      } else if (unescapeChar(e) < 0) return -1;
    } else if (c < SPACE) return -1;
  }
};

/** The index after the string whose opening quote is at `i`, or -1. */
const scanString = (u: Uint16Array, i: number): number => {
  for (;;) {
    const c = u[++i];
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH || c < SPACE) return scanEscapedString(u, i);
  }
};

/** The value of a string's contents `[start, end)` that holds escapes, as `JSON.parse` decodes it. */
const unescapeString = (s: string, start: number, end: number): string => {
  let out = '';
  let run = start;
  for (let i = start; i < end; i++) {
    if (s.charCodeAt(i) !== BACKSLASH) continue;
    out += s.slice(run, i);
    const e = s.charCodeAt(++i);
    if (e === LOWER_U) {
      // Code units, not code points: a lone surrogate stays one, as in JSON.parse.
      out += String.fromCharCode(
        (hexValue(s.charCodeAt(i + 1)) << 12) | (hexValue(s.charCodeAt(i + 2)) << 8) | (hexValue(s.charCodeAt(i + 3)) << 4) | hexValue(s.charCodeAt(i + 4)),
      );
      i += 4;
    } else out += String.fromCharCode(unescapeChar(e));
    run = i + 1;
  }
  return out + s.slice(run, end);
};

/** The index after the number that starts at `i` (JSON's grammar), or -1. */
const scanNumber = (u: Uint16Array, i: number): number => {
  let c = u[i];
  if (c === MINUS) c = u[++i];
  if (c === ZERO) c = u[++i];
  else if (c > ZERO && c <= NINE) while (isDigit((c = u[++i])));
  else return -1;
  if (c === DOT) {
    if (!isDigit(u[++i])) return -1;
    while (isDigit((c = u[++i])));
  }
  if (c === LOWER_E || c === UPPER_E) {
    c = u[++i];
    if (c === PLUS || c === MINUS) c = u[++i];
    if (!isDigit(c)) return -1;
    while (isDigit(u[++i]));
  }
  return i;
};

/** The index after `true`, `false` or `null` at `i`, or -1. */
const scanLiteral = (u: Uint16Array, i: number): number => {
  const c = u[i];
  if (c === LOWER_T) return u[i + 1] === LOWER_R && u[i + 2] === LOWER_U && u[i + 3] === LOWER_E ? i + 4 : -1;
  if (c === LOWER_F) return u[i + 1] === LOWER_A && u[i + 2] === LOWER_L && u[i + 3] === LOWER_S && u[i + 4] === LOWER_E ? i + 5 : -1;
  if (c === LOWER_N) return u[i + 1] === LOWER_U && u[i + 2] === LOWER_L && u[i + 3] === LOWER_L ? i + 4 : -1;
  return -1;
};

/** Whether the key whose contents are `[start, end)` is `k`. */
const keyIs = (s: string, u: Uint16Array, start: number, end: number, escaped: boolean, k: Key): boolean => {
  if (escaped) return unescapeString(s, start, end) === k.text;
  const codes = k.codes;
  if (end - start !== codes.length) return false;
  // From the end: `nova_object.name` and `nova_object.data` differ only there.
  for (let j = codes.length - 1; j >= 0; j--) if (u[start + j] !== codes[j]) return false;
  return true;
};

/** The node of the value under the key `[start, end)` of an object whose node is `parent`. */
const childOf = (parent: number, s: string, u: Uint16Array, start: number, end: number, escaped: boolean): number => {
  switch (parent) {
    case ROOT:
      return keyIs(s, u, start, end, escaped, NOVA_OBJECT_DATA) ? DATA : NONE;
    case DATA:
      return keyIs(s, u, start, end, escaped, SCHEDULER_HINTS) ? HINTS : keyIs(s, u, start, end, escaped, FLAVOR_KEY) ? FLAVOR : NONE;
    case HINTS:
      return keyIs(s, u, start, end, escaped, RESERVATION_KEY) ? RESERVATION : NONE;
    case FLAVOR:
      return keyIs(s, u, start, end, escaped, NOVA_OBJECT_DATA) ? FLAVOR_DATA : NONE;
    case FLAVOR_DATA:
      return keyIs(s, u, start, end, escaped, NAME_KEY) ? NAME : NONE;
    default:
      return NONE;
  }
};

/** Reads `"key" :` at `i` in an object whose node is `parent`: the index of the value, or -1; sets {@link nextNode}. */
const readKey = (s: string, u: Uint16Array, i: number, parent: number): number => {
  if (u[i] !== QUOTE) return -1;
  const end = scanString(u, i);
  if (end < 0) return -1;
  nextNode = parent === NONE ? NONE : childOf(parent, s, u, i + 1, end - 1, end === lastEscapedEnd);
  const colon = skipWhitespace(u, end);
  return u[colon] === COLON ? skipWhitespace(u, colon + 1) : -1;
};

/** The node a container keeps when it sits at `node`: the paths go through objects, and through the reservation list. */
const containerNode = (node: number, kind: number): number =>
  kind === ARRAY ? (node === RESERVATION ? RESERVATION : NONE) : node === ROOT || node === DATA || node === HINTS || node === FLAVOR || node === FLAVOR_DATA ? node : NONE;

/**
 * Whether `s` is JSON, checked as `JSON.parse` does, recording on the way what
 * {@link reservationOfByParse} reads. JSON.parse keeps the last of duplicate keys, so a value
 * that starts at a node forgets what an earlier value at that node had set below it.
 */
const scan = (s: string): boolean => {
  const u = unitsOf(s);
  const n = s.length;
  dataIsObject = false;
  hintStart = nameStart = lastEscapedEnd = -1;
  let stack = scratchStack;
  let depth = 0;
  let i = skipWhitespace(u, 0);
  let node = ROOT;
  for (;;) {
    // A value starts at i; node says where it stands.
    const c = u[i];
    if (node === NONE) {
      // most values: nothing to record
    } else if (node === DATA) {
      dataIsObject = c === LBRACE;
      hintStart = nameStart = -1;
    } else if (node === HINTS || node === RESERVATION) hintStart = -1;
    else if (node === FLAVOR || node === FLAVOR_DATA || node === NAME) nameStart = -1;

    if (c === QUOTE) {
      const end = scanString(u, i);
      if (end < 0) return false;
      if (node === NONE) {
        // most strings: nothing to record
      } else if (node === RESERVATION || node === FIRST) {
        hintStart = i + 1;
        hintEnd = end - 1;
        hintEscaped = end === lastEscapedEnd;
      } else if (node === NAME) {
        nameStart = i + 1;
        nameEnd = end - 1;
        nameEscaped = end === lastEscapedEnd;
      }
      i = end;
    } else if (c === LBRACE || c === LBRACKET) {
      const kind = c === LBRACE ? OBJECT : ARRAY;
      const own = containerNode(node, kind);
      if (depth === stack.length) {
        const grown = new Uint8Array(stack.length * 2);
        grown.set(stack);
        stack = grown;
      }
      stack[depth++] = (own << 1) | kind;
      i = skipWhitespace(u, i + 1);
      const close = u[i];
      if (kind === OBJECT && close !== RBRACE) {
        i = readKey(s, u, i, own);
        if (i < 0) return false;
        node = nextNode;
        continue;
      }
      if (kind === ARRAY && close !== RBRACKET) {
        node = own === RESERVATION ? FIRST : NONE;
        continue;
      }
      depth--;
      i++;
    } else {
      i = c === LOWER_T || c === LOWER_F || c === LOWER_N ? scanLiteral(u, i) : scanNumber(u, i);
      if (i < 0) return false;
    }

    // After a value: close containers until a comma starts the next value.
    for (;;) {
      i = skipWhitespace(u, i);
      if (depth === 0) return i === n;
      const top = stack[depth - 1];
      const d = u[i];
      if (d === COMMA) {
        i = skipWhitespace(u, i + 1);
        if ((top & 1) === ARRAY) node = NONE;
        else {
          i = readKey(s, u, i, top >> 1);
          if (i < 0) return false;
          node = nextNode;
        }
        break;
      }
      if (d !== ((top & 1) === OBJECT ? RBRACE : RBRACKET)) return false;
      depth--;
      i++;
    }
  }
};

const FLAVOR_PREFIX = 'reservation:';

/** `FLAVOR_RE`'s `(.+)$` by hand: at least one character and no line terminator (`.` matches none). */
const flavorReservation = (name: string): string | null => {
  if (name.length <= FLAVOR_PREFIX.length || !name.startsWith(FLAVOR_PREFIX)) return null;
  for (let i = FLAVOR_PREFIX.length; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === LF || c === CR || c === 0x2028 || c === 0x2029) return null;
  }
  return name.slice(FLAVOR_PREFIX.length);
};

/** A recorded string's value, trimmed as `String.prototype.trim` does. */
const trimmed = (s: string, start: number, end: number, escaped: boolean): string => (escaped ? unescapeString(s, start, end) : s.slice(start, end)).trim();

/** The reservation id in the recorded flavor name, or null. */
const recordedFlavor = (s: string): string | null => {
  // Most names are ordinary flavors: refused in place, not copied. trim() removes only units up
  // to SPACE or from NBSP on, so a name starting with any other unit but `r` keeps that start.
  // An empty name's first unit is its closing quote, also refused here.
  const first = s.charCodeAt(nameStart);
  if (!nameEscaped && first > SPACE && first < NBSP && first !== LOWER_R) return null;
  return flavorReservation(trimmed(s, nameStart, nameEnd, nameEscaped));
};

// The results without a reservation are shared: one allocation less per on-demand instance.
const NO_REQUEST_SPEC: ReservationLink = Object.freeze({ reservationId: null, from: 'no_request_spec' });
const INVALID_SPEC: ReservationLink = Object.freeze({ reservationId: null, from: 'invalid_spec' });
const NOT_AN_OBJECT: ReservationLink = Object.freeze({ reservationId: null, from: 'not_an_object' });
const ON_DEMAND: ReservationLink = Object.freeze({ reservationId: null, from: 'none' });

/**
 * The reservation of an instance from its request spec text. Same result as
 * {@link reservationOfByParse} for every string, without building the spec's objects.
 *
 * @example
 * reservationOf('{"nova_object.data":{"scheduler_hints":{"reservation":["r1"]}}}')
 * // { reservationId: 'r1', from: 'scheduler_hint' }
 * reservationOf(null) // { reservationId: null, from: 'no_request_spec' }
 * reservationOf('{oops') // { reservationId: null, from: 'invalid_spec' }
 * @since 0.1.0
 */
export const reservationOf = (spec: string | null): ReservationLink => {
  if (spec === null) return NO_REQUEST_SPEC;
  if (!LITTLE_ENDIAN) return reservationOfByParse(spec);
  if (!scan(spec)) return INVALID_SPEC;
  if (!dataIsObject) return NOT_AN_OBJECT;
  if (hintStart >= 0) {
    const hint = trimmed(spec, hintStart, hintEnd, hintEscaped);
    if (hint !== '') return { reservationId: hint, from: 'scheduler_hint' };
  }
  if (nameStart >= 0) {
    const id = recordedFlavor(spec);
    if (id !== null) return { reservationId: id, from: 'flavor' };
  }
  return ON_DEMAND;
};
