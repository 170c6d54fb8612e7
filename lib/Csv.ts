/**
 * Deterministic text rendering of output rows: CSV (RFC 4180) and JSON.
 *
 * Invariants:
 * - the same rows and columns always give the same bytes: fields in column order, `\n` line
 *   endings (also after the last line), a header line first;
 * - a field is quoted exactly when it contains a comma, a double quote, CR or LF; quotes inside
 *   are doubled;
 * - numbers are printed by {@link formatNumber}: integers as integers, other values rounded to at
 *   most 6 decimals with trailing zeros trimmed, `-0` as `0`; NaN and +-Infinity are rejected
 *   (`Left`), never written; JSON carries the same rounded numbers as CSV;
 * - `null` is an empty CSV field and a JSON `null`; a column missing from a row (`undefined`) or
 *   a value of another type (object, boolean, bigint) is rejected;
 * - one renderer: {@link csvChunks} and {@link jsonChunks} give the text in bounded chunks, for
 *   files of any size; {@link toCsv} and {@link toJson} join them. Every cell is checked before
 *   the first chunk, so a rejected table yields no text at all, never a truncated file.
 *
 * @since 0.1.0
 * @module
 */
import * as E from 'fp-ts/Either';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a cell may hold.
 *
 * @category model
 * @since 0.1.0
 */
export type Cell = string | number | null;

/** A row: any record whose columns hold cells. @category model @since 0.1.0 */
export type Row = Readonly<Record<string, unknown>>;

// -------------------------------------------------------------------------------------
// fields
// -------------------------------------------------------------------------------------

/** Six decimals: below a micro-node, finer than any count the sweep produces (Quantities.scale). */
const DECIMALS = 6;

/**
 * A number as text: integers exactly, others with at most 6 decimals and no trailing zeros.
 *
 * @example
 * assert.deepStrictEqual(formatNumber(0.1 + 0.2), E.right('0.3'))
 * assert.deepStrictEqual(formatNumber(-0), E.right('0'))
 * assert.deepStrictEqual(formatNumber(1e21), E.right('1000000000000000000000'))
 * assert.ok(E.isLeft(formatNumber(NaN)))
 * @since 0.1.0
 */
export const formatNumber = (n: number): E.Either<string, string> =>
  Number.isFinite(n) ? E.right(finiteText(n)) : E.left(`cannot write the non-finite number ${n}`);

/** {@link formatNumber} of a finite number, without the Either: it runs for every numeric cell. */
const finiteText = (n: number): string => {
  // Every double >= 2^53 is an integer; BigInt prints them without an exponent.
  if (Number.isInteger(n)) return n === 0 ? '0' : Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
  let s = n.toFixed(DECIMALS);
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48 /* 0 */) end--;
  if (s.charCodeAt(end - 1) === 46 /* . */) end--;
  s = s.slice(0, end);
  return s === '-0' ? '0' : s;
};

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * A string as a CSV field, quoted only when it must be (RFC 4180).
 *
 * @example
 * assert.strictEqual(quote('a,b'), '"a,b"')
 * assert.strictEqual(quote('say "hi"'), '"say ""hi"""')
 * @since 0.1.0
 */
export const quote = (s: string): string => (NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

const badCell = (u: unknown, row: number, column: string): string =>
  u === undefined ? `row ${row}: missing column '${column}'` : `row ${row}, column ${column}: cannot write a ${typeof u}`;

const field = (u: unknown, row: number, column: string): E.Either<string, string> => {
  if (typeof u === 'string') return E.right(quote(u));
  if (typeof u === 'number') {
    const f = formatNumber(u);
    return E.isLeft(f) ? E.left(`row ${row}, column ${column}: ${f.left}`) : f;
  }
  return u === null ? E.right('') : E.left(badCell(u, row, column));
};

// -------------------------------------------------------------------------------------
// rendering
// -------------------------------------------------------------------------------------

/**
 * Default chunk length of {@link csvChunks} and {@link jsonChunks}, in UTF-16 code units: large
 * enough that one write per chunk costs nothing next to formatting, small enough that a file of
 * any size is held as at most this much text (times 3 in UTF-8 bytes) plus one row.
 *
 * @category rendering
 * @since 0.2.0
 */
export const CHUNK_CHARS = 64 * 1024;

/** @category rendering @since 0.2.0 */
export interface ChunkOptions {
  /** A chunk is yielded once it holds at least this many UTF-16 code units (default {@link CHUNK_CHARS}). */
  readonly chunkChars?: number;
}

/**
 * The first cell that cannot be written, as its message, or `undefined`. Cheap (type checks, no
 * formatting), so rendering can fail before the first byte instead of in the middle of a file.
 */
const firstBadCell = (columns: ReadonlyArray<string>, rows: ReadonlyArray<Row>): string | undefined => {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    for (let j = 0; j < columns.length; j++) {
      const u = r[columns[j]];
      if (typeof u === 'string' || u === null || (typeof u === 'number' && Number.isFinite(u))) continue;
      // one source of the messages: the function that formats the cells
      const f = field(u, i, columns[j]);
      if (E.isLeft(f)) return f.left;
    }
  }
  return undefined;
};

/** A cell already checked by {@link firstBadCell}; a failure here means the rows changed since. */
const checked = (f: E.Either<string, string>): string => {
  if (E.isLeft(f)) throw new Error(`rows changed while being rendered: ${f.left}`);
  return f.right;
};

/**
 * The text of a cell already checked by {@link firstBadCell}, as {@link field} gives it: the
 * usual cells without an Either each (this runs for every cell of every output file).
 */
const checkedField = (u: unknown, row: number, column: string): string => {
  if (typeof u === 'string') return quote(u);
  if (u === null) return '';
  if (typeof u === 'number' && Number.isFinite(u)) return finiteText(u);
  return checked(field(u, row, column));
};

/**
 * Rendering is checked first, then lazy: the text is produced only when iterated, and every
 * iteration starts again from the first row (the value can be written twice, or retried).
 */
const checkedThenLazy = (
  columns: ReadonlyArray<string>,
  rows: ReadonlyArray<Row>,
  render: () => Generator<string, void, undefined>,
): E.Either<string, Iterable<string>> => {
  const bad = firstBadCell(columns, rows);
  return bad === undefined ? E.right({ [Symbol.iterator]: render }) : E.left(bad);
};

const concat = (chunks: Iterable<string>): string => {
  const parts: string[] = [];
  for (const c of chunks) parts.push(c);
  return parts.join('');
};

/**
 * CSV text of the rows in chunks (see {@link toCsv} for the format), for writing files of any
 * size with bounded memory. Every cell is checked before anything is produced: a `Left` means no
 * text at all, a `Right` is an iterable that cannot fail (as long as the rows are not changed
 * before it is iterated). Chunks end at line ends; each is at least `chunkChars` long but the
 * last, and shorter than `chunkChars` plus one line (the header or a row). Joined, the chunks are
 * exactly `toCsv`'s text.
 *
 * @example
 * const chunks = csvChunks(['site', 'value'], { chunkChars: 1 })([{ site: 'chi_uc', value: 0.5 }]) // right(iterable)
 * E.isRight(chunks) && [...chunks.right] // ['site,value\n', 'chi_uc,0.5\n']
 * @category rendering
 * @since 0.2.0
 */
export const csvChunks =
  (columns: ReadonlyArray<string>, options: ChunkOptions = {}) =>
  (rows: ReadonlyArray<Row>): E.Either<string, Iterable<string>> => {
    const size = options.chunkChars ?? CHUNK_CHARS;
    const header = `${columns.map(quote).join(',')}\n`;
    return checkedThenLazy(columns, rows, function* () {
      let buf = header;
      for (let i = 0; i < rows.length; i++) {
        // checked before a line is added, so the header alone can fill a chunk too
        if (buf.length >= size) {
          yield buf;
          buf = '';
        }
        const r = rows[i];
        let line = '';
        for (let j = 0; j < columns.length; j++) {
          if (j > 0) line += ',';
          line += checkedField(r[columns[j]], i, columns[j]);
        }
        buf += `${line}\n`;
      }
      // never empty: it holds the header or the last line
      yield buf;
    });
  };

/**
 * JSON text of the rows in chunks (see {@link toJson} for the format), checked first and then
 * lazy exactly like {@link csvChunks}. Chunks end after a row's closing brace (the last one after
 * the closing bracket), with the same bounds as CSV chunks plus the 3 characters that close the
 * array; joined, they are exactly `toJson`'s text: `JSON.stringify` of the row objects with
 * 2-space indent.
 *
 * @example
 * const chunks = jsonChunks(['v'])([{ v: 1 }, { v: 2 }])
 * E.isRight(chunks) && [...chunks.right].join('') // '[\n  {\n    "v": 1\n  },\n  {\n    "v": 2\n  }\n]\n'
 * @category rendering
 * @since 0.2.0
 */
export const jsonChunks =
  (columns: ReadonlyArray<string>, options: ChunkOptions = {}) =>
  (rows: ReadonlyArray<Row>): E.Either<string, Iterable<string>> => {
    const size = options.chunkChars ?? CHUNK_CHARS;
    // The keys JSON.stringify would print for an object built by assigning the columns in order:
    // a repeated column once, integer-like names first in ascending order, as JavaScript orders
    // an object's keys. Real columns are plain names; this only keeps the text identical anyway.
    const shape: Record<string, null> = {};
    for (const c of columns) shape[c] = null;
    const keys = Object.keys(shape);
    const prefixes = keys.map((k) => `    ${JSON.stringify(k)}: `);
    const value = (u: unknown, i: number, c: string): string => {
      if (typeof u === 'string') return JSON.stringify(u);
      if (u === null) return 'null';
      // through Number, like the rounded value JSON.stringify printed (1e21 reads back as 1e+21)
      return String(Number(checkedField(u, i, c)));
    };
    return checkedThenLazy(columns, rows, function* () {
      if (rows.length === 0) {
        yield '[]\n';
        return;
      }
      let buf = '[\n';
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        let obj = i > 0 ? ',\n  {' : '  {';
        if (keys.length === 0) obj += '}';
        else {
          for (let j = 0; j < keys.length; j++) obj += `${j > 0 ? ',\n' : '\n'}${prefixes[j]}${value(r[keys[j]], i, keys[j])}`;
          obj += '\n  }';
        }
        buf += obj;
        if (buf.length >= size) {
          yield buf;
          buf = '';
        }
      }
      yield `${buf}\n]\n`;
    });
  };

/**
 * CSV text of the rows, with a header line, fields in `columns` order; columns of a row not in
 * `columns` are not written (validate rows first to reject them). The joined {@link csvChunks}.
 *
 * @example
 * toCsv(['site', 'value'])([{ site: 'chi_uc', value: 0.1 + 0.2 }]) // right('site,value\nchi_uc,0.3\n')
 * @category rendering
 * @since 0.1.0
 */
export const toCsv =
  (columns: ReadonlyArray<string>) =>
  (rows: ReadonlyArray<Row>): E.Either<string, string> =>
    E.map(concat)(csvChunks(columns)(rows));

/**
 * JSON text of the rows: an array of objects with keys in `columns` order, numbers rounded as in
 * CSV, 2-space indent, trailing newline. The joined {@link jsonChunks}.
 *
 * @example
 * toJson(['site', 'value'])([{ value: 1, site: 'chi_uc' }]) // right('[\n  {\n    "site": "chi_uc",\n    "value": 1\n  }\n]\n')
 * @category rendering
 * @since 0.1.0
 */
export const toJson =
  (columns: ReadonlyArray<string>) =>
  (rows: ReadonlyArray<Row>): E.Either<string, string> =>
    E.map(concat)(jsonChunks(columns)(rows));
