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
 *   a value of another type (object, boolean, bigint) is rejected.
 *
 * @since 0.1.0
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
export const formatNumber = (n: number): E.Either<string, string> => {
  if (!Number.isFinite(n)) return E.left(`cannot write the non-finite number ${n}`);
  // Every double >= 2^53 is an integer; BigInt prints them without an exponent.
  if (Number.isInteger(n)) return E.right(n === 0 ? '0' : Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString());
  let s = n.toFixed(DECIMALS);
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48 /* 0 */) end--;
  if (s.charCodeAt(end - 1) === 46 /* . */) end--;
  s = s.slice(0, end);
  return E.right(s === '-0' ? '0' : s);
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
 * CSV text of the rows, with a header line, fields in `columns` order; columns of a row not in
 * `columns` are not written (validate rows first to reject them).
 *
 * @example
 * toCsv(['site', 'value'])([{ site: 'chi_uc', value: 0.1 + 0.2 }]) // right('site,value\nchi_uc,0.3\n')
 * @category rendering
 * @since 0.1.0
 */
export const toCsv =
  (columns: ReadonlyArray<string>) =>
  (rows: ReadonlyArray<Row>): E.Either<string, string> => {
    const lines: string[] = [columns.map(quote).join(',')];
    const cells: string[] = new Array<string>(columns.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      for (let j = 0; j < columns.length; j++) {
        const f = field(r[columns[j]], i, columns[j]);
        if (E.isLeft(f)) return f;
        cells[j] = f.right;
      }
      lines.push(cells.join(','));
    }
    return E.right(`${lines.join('\n')}\n`);
  };

/**
 * JSON text of the rows: an array of objects with keys in `columns` order, numbers rounded as in
 * CSV, 2-space indent, trailing newline.
 *
 * @example
 * toJson(['site', 'value'])([{ value: 1, site: 'chi_uc' }]) // right('[\n  {\n    "site": "chi_uc",\n    "value": 1\n  }\n]\n')
 * @category rendering
 * @since 0.1.0
 */
export const toJson =
  (columns: ReadonlyArray<string>) =>
  (rows: ReadonlyArray<Row>): E.Either<string, string> => {
    const out: Array<Record<string, Cell>> = [];
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      const o: Record<string, Cell> = {};
      for (const c of columns) {
        const u = r[c];
        if (typeof u === 'string' || u === null) o[c] = u;
        else if (typeof u === 'number') {
          const f = formatNumber(u);
          if (E.isLeft(f)) return E.left(`row ${i}, column ${c}: ${f.left}`);
          o[c] = Number(f.right);
        } else return E.left(badCell(u, i, c));
      }
      out.push(o);
    }
    return E.right(`${JSON.stringify(out, null, 2)}\n`);
  };
