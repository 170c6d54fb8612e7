import fc from 'fast-check';
import * as E from 'fp-ts/Either';
import * as C from '../lib/Csv';

const right = <A>(e: E.Either<string, A>): A => {
  if (E.isLeft(e)) throw new Error(e.left);
  return e.right;
};

/** A minimal RFC 4180 reader, written independently of the writer, used as an oracle. */
const parseCsv = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let f = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        f += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i++;
      } else {
        f += ch;
        i++;
      }
    } else if (ch === '"') {
      quoted = true;
      i++;
    } else if (ch === ',') {
      row.push(f);
      f = '';
      i++;
    } else if (ch === '\n') {
      row.push(f);
      rows.push(row);
      row = [];
      f = '';
      i++;
    } else {
      f += ch;
      i++;
    }
  }
  return rows;
};

describe('Csv.formatNumber', () => {
  it.each([
    [0, '0'],
    [-0, '0'],
    [42, '42'],
    [-7, '-7'],
    [0.1 + 0.2, '0.3'],
    [1 / 3, '0.333333'],
    [2 / 3, '0.666667'],
    [1.5, '1.5'],
    [-2.25, '-2.25'],
    [1.9999999, '2'],
    [-0.0000001, '0'],
    [0.000001, '0.000001'],
    [1e-7, '0'],
    [123456789.125, '123456789.125'],
    [2 ** 53, '9007199254740992'],
    [1e21, '1000000000000000000000'],
    [-1e22, '-10000000000000000000000'],
  ])('prints %p as %p', (n, s) => {
    expect(C.formatNumber(n)).toEqual(E.right(s));
  });

  it.each([[Number.NaN], [Infinity], [-Infinity]])('rejects %p', (n) => {
    expect(E.isLeft(C.formatNumber(n))).toBe(true);
  });

  it('prints text that reads back within half a millionth and never uses an exponent', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e15, max: 1e15, noNaN: true }), (n) => {
        const s = right(C.formatNumber(n));
        return !/e/i.test(s) && Math.abs(Number(s) - n) <= 5e-7 + Math.abs(n) * 1e-15 && s !== '-0';
      }),
    );
  });
});

describe('Csv.toCsv', () => {
  it('writes a header line, fields in column order and a newline after every line', () => {
    const csv = right(C.toCsv(['site', 'value'])([{ value: 1, site: 'chi_uc' }, { value: 0.5, site: 'chi_tacc' }]));
    expect(csv).toBe('site,value\nchi_uc,1\nchi_tacc,0.5\n');
  });

  it('writes only the header for no rows', () => {
    expect(C.toCsv(['a', 'b'])([])).toEqual(E.right('a,b\n'));
  });

  it('quotes fields with a comma, a quote, CR or LF and doubles inner quotes', () => {
    const csv = right(C.toCsv(['x'])([{ x: 'a,b' }, { x: 'say "hi"' }, { x: 'line\nbreak' }, { x: 'cr\rhere' }, { x: 'plain text' }, { x: '' }]));
    expect(csv).toBe('x\n"a,b"\n"say ""hi"""\n"line\nbreak"\n"cr\rhere"\nplain text\n\n');
  });

  it('quotes header fields by the same rule', () => {
    expect(C.toCsv(['a,b', 'c'])([])).toEqual(E.right('"a,b",c\n'));
  });

  it('writes null as an empty field', () => {
    expect(C.toCsv(['a', 'b', 'c'])([{ a: null, b: 1, c: null }])).toEqual(E.right('a,b,c\n,1,\n'));
  });

  it('rejects NaN, Infinity, a missing column and a value of another type, naming the row and column', () => {
    expect(C.toCsv(['v'])([{ v: 1 }, { v: Number.NaN }])).toEqual(E.left('row 1, column v: cannot write the non-finite number NaN'));
    expect(E.isLeft(C.toCsv(['v'])([{ v: Infinity }]))).toBe(true);
    expect(C.toCsv(['v', 'w'])([{ v: 1 }])).toEqual(E.left("row 0: missing column 'w'"));
    expect(C.toCsv(['v'])([{ v: true }])).toEqual(E.left('row 0, column v: cannot write a boolean'));
  });

  const cell = fc.oneof(fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'é') }), fc.integer(), fc.constant(null));
  const table = fc.array(fc.tuple(cell, cell), { maxLength: 20 }).map((rs) => rs.map(([x, y]) => ({ x, y })));

  it('reads back field for field with an RFC 4180 reader', () => {
    fc.assert(
      fc.property(table, (rows) => {
        const parsed = parseCsv(right(C.toCsv(['x', 'y'])(rows)));
        const expected = [['x', 'y'], ...rows.map((r) => [r.x, r.y].map((v) => (v === null ? '' : String(v))))];
        expect(parsed).toEqual(expected);
      }),
    );
  });

  it('is deterministic: the same rows give the same text, whatever the key order of each row', () => {
    fc.assert(
      fc.property(table, (rows) => {
        const reordered = rows.map((r) => ({ y: r.y, x: r.x }));
        const a = C.toCsv(['x', 'y'])(rows);
        return E.isRight(a) && a.right === right(C.toCsv(['x', 'y'])(rows)) && a.right === right(C.toCsv(['x', 'y'])(reordered));
      }),
    );
  });
});

describe('Csv.toJson', () => {
  it('writes keys in column order, rounded numbers, 2-space indent and a trailing newline', () => {
    const json = right(C.toJson(['site', 'value', 'note'])([{ note: null, value: 0.1 + 0.2, site: 'chi_uc' }]));
    expect(json).toBe('[\n  {\n    "site": "chi_uc",\n    "value": 0.3,\n    "note": null\n  }\n]\n');
  });

  it('writes an empty array for no rows', () => {
    expect(C.toJson(['a'])([])).toEqual(E.right('[]\n'));
  });

  it('rejects non-finite numbers and missing columns', () => {
    expect(E.isLeft(C.toJson(['v'])([{ v: -Infinity }]))).toBe(true);
    expect(C.toJson(['v'])([{}])).toEqual(E.left("row 0: missing column 'v'"));
  });

  it('carries the same numbers as the CSV', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e9, max: 1e9, noNaN: true }), { maxLength: 10 }), (vs) => {
        const rows = vs.map((v) => ({ v }));
        const fromJson = (JSON.parse(right(C.toJson(['v'])(rows))) as Array<{ v: number }>).map((r) => r.v);
        const fromCsv = right(C.toCsv(['v'])(rows)).split('\n').slice(1, -1).map(Number);
        expect(fromJson).toEqual(fromCsv);
      }),
    );
  });
});

// -------------------------------------------------------------------------------------
// chunked rendering
// -------------------------------------------------------------------------------------

/**
 * The whole-string renderers as they were before the chunked ones (0.1.0), kept verbatim as the
 * oracle of byte identity, error messages included.
 */
const before = {
  toCsv:
    (columns: ReadonlyArray<string>) =>
    (rows: ReadonlyArray<C.Row>): E.Either<string, string> => {
      const lines: string[] = [columns.map(C.quote).join(',')];
      for (let i = 0; i < rows.length; i++) {
        const cells: string[] = [];
        for (const c of columns) {
          const u = rows[i][c];
          if (typeof u === 'string') cells.push(C.quote(u));
          else if (typeof u === 'number') {
            const f = C.formatNumber(u);
            if (E.isLeft(f)) return E.left(`row ${i}, column ${c}: ${f.left}`);
            cells.push(f.right);
          } else if (u === null) cells.push('');
          else return E.left(u === undefined ? `row ${i}: missing column '${c}'` : `row ${i}, column ${c}: cannot write a ${typeof u}`);
        }
        lines.push(cells.join(','));
      }
      return E.right(`${lines.join('\n')}\n`);
    },
  toJson:
    (columns: ReadonlyArray<string>) =>
    (rows: ReadonlyArray<C.Row>): E.Either<string, string> => {
      const out: Array<Record<string, C.Cell>> = [];
      for (let i = 0; i < rows.length; i++) {
        const o: Record<string, C.Cell> = {};
        for (const c of columns) {
          const u = rows[i][c];
          if (typeof u === 'string' || u === null) o[c] = u;
          else if (typeof u === 'number') {
            const f = C.formatNumber(u);
            if (E.isLeft(f)) return E.left(`row ${i}, column ${c}: ${f.left}`);
            o[c] = Number(f.right);
          } else return E.left(u === undefined ? `row ${i}: missing column '${c}'` : `row ${i}, column ${c}: cannot write a ${typeof u}`);
        }
        out.push(o);
      }
      return E.right(`${JSON.stringify(out, null, 2)}\n`);
    },
};

const joined = (e: E.Either<string, Iterable<string>>): E.Either<string, string> => E.map((cs: Iterable<string>) => [...cs].join(''))(e);

const chunksOf = (e: E.Either<string, Iterable<string>>): string[] => {
  if (E.isLeft(e)) throw new Error(e.left);
  return [...e.right];
};

/** Checks the documented bounds: chunks end on a piece boundary, reach `size` (but the last) and no piece later than needed. */
const expectBounded = (chunks: ReadonlyArray<string>, boundaries: ReadonlyArray<number>, size: number): void => {
  const ends = new Set(boundaries);
  let start = 0;
  chunks.forEach((c, k) => {
    const end = start + c.length;
    expect(ends.has(end)).toBe(true);
    if (k < chunks.length - 1) expect(c.length).toBeGreaterThanOrEqual(size);
    // the chunk was still short of `size` before its last piece
    const previous = Math.max(start, ...boundaries.filter((b) => b < end));
    expect(previous - start).toBeLessThan(size);
    start = end;
  });
};

const offsets = (pieces: ReadonlyArray<string>): number[] => {
  const out = [0];
  for (const p of pieces) out.push(out[out.length - 1] + p.length);
  return out;
};

describe('Csv.csvChunks and Csv.jsonChunks', () => {
  // duplicates and integer-like names change how an object's keys are ordered: JSON must follow
  const column = fc.constantFrom('site', 'value', 'note', '1', '0', 'a,b', 'say "hi"', 'é');
  const columns = fc.array(column, { maxLength: 5 });
  const goodCell = fc.oneof(
    fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' ', 'é', '😀', '\u2028', '\\') }),
    fc.integer(),
    fc.double({ min: -1e22, max: 1e22, noNaN: true }),
    fc.constantFrom(-0, 1e21, 2 ** 53 + 2, 1e-7),
    fc.constant(null),
  );
  const badCell = fc.constantFrom<unknown>(Number.NaN, Infinity, -Infinity, undefined, true, {}, [], 10n);
  const row = (cell: fc.Arbitrary<unknown>) => fc.record({ site: cell, value: cell, note: cell, '1': cell, '0': cell, 'a,b': cell, 'say "hi"': cell, é: cell });
  const rows = fc.array(row(goodCell), { maxLength: 25 });
  const size = fc.integer({ min: 1, max: 300 });

  const project = (cols: ReadonlyArray<string>, r: C.Row): Record<string, C.Cell> => {
    const o: Record<string, C.Cell> = {};
    for (const c of cols) {
      const u = r[c] as C.Cell;
      o[c] = typeof u === 'number' ? Number(right(C.formatNumber(u))) : u;
    }
    return o;
  };

  it('join to the text JSON.stringify gives of the projected rows, for any chunk size', () => {
    fc.assert(
      fc.property(columns, rows, size, (cols, rs, n) => {
        const oracle = `${JSON.stringify(rs.map((r) => project(cols, r)), null, 2)}\n`;
        expect(joined(C.jsonChunks(cols, { chunkChars: n })(rs))).toEqual(E.right(oracle));
        expect(C.toJson(cols)(rs)).toEqual(E.right(oracle));
      }),
    );
  });

  it('join to the same bytes and the same errors as the whole-string renderers of 0.1.0', () => {
    const anyRows = fc.array(row(fc.oneof({ weight: 20, arbitrary: goodCell }, { weight: 1, arbitrary: badCell })), { maxLength: 25 });
    fc.assert(
      fc.property(columns, anyRows, size, (cols, rs, n) => {
        expect(joined(C.csvChunks(cols, { chunkChars: n })(rs))).toEqual(before.toCsv(cols)(rs));
        expect(joined(C.jsonChunks(cols, { chunkChars: n })(rs))).toEqual(before.toJson(cols)(rs));
        expect(C.toCsv(cols)(rs)).toEqual(before.toCsv(cols)(rs));
        expect(C.toJson(cols)(rs)).toEqual(before.toJson(cols)(rs));
      }),
    );
  });

  it('cut CSV only at line ends, each chunk reaching the chunk size but the last, and none longer than the size plus one line', () => {
    fc.assert(
      fc.property(columns, rows, size, (cols, rs, n) => {
        const header = right(before.toCsv(cols)([]));
        const pieces = [header, ...rs.map((r) => right(before.toCsv(cols)([r])).slice(header.length))];
        const chunks = chunksOf(C.csvChunks(cols, { chunkChars: n })(rs));
        expect(chunks.join('')).toBe(pieces.join(''));
        expectBounded(chunks, offsets(pieces), n);
      }),
    );
  });

  it('cut JSON only after a row, with the same bounds', () => {
    fc.assert(
      fc.property(columns, rows, size, (cols, rs, n) => {
        // one object as JSON.stringify prints it inside an array: indented two more spaces
        const objects = rs.map((r) => `  ${JSON.stringify(project(cols, r), null, 2).split('\n').join('\n  ')}`);
        const pieces = rs.length === 0 ? ['[]\n'] : [`[\n${objects[0]}`, ...objects.slice(1).map((o) => `,\n${o}`), '\n]\n'];
        const chunks = chunksOf(C.jsonChunks(cols, { chunkChars: n })(rs));
        expect(chunks.join('')).toBe(pieces.join(''));
        expectBounded(chunks, offsets(pieces), n);
      }),
    );
  });

  it('give the whole text in one chunk when it is shorter than the chunk size, and cut a large table into many', () => {
    const table = Array.from({ length: 10_000 }, (_, i) => ({ site: 'chi_uc', value: i / 3 }));
    expect(chunksOf(C.csvChunks(['site', 'value'])(table.slice(0, 3)))).toEqual(['site,value\nchi_uc,0\nchi_uc,0.333333\nchi_uc,0.666667\n']);
    const chunks = chunksOf(C.csvChunks(['site', 'value'], { chunkChars: 4096 })(table));
    expect(chunks.length).toBeGreaterThan(30);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(4096 + 20);
    expect(chunksOf(C.jsonChunks(['site', 'value'])(table)).length).toBeGreaterThan(5);
  });

  it('produce the same chunks every time they are iterated', () => {
    const e = C.jsonChunks(['site', 'value'], { chunkChars: 10 })([{ site: 'a', value: 1 }, { site: 'b', value: 2.5 }]);
    expect(chunksOf(e)).toEqual(chunksOf(e));
    expect(chunksOf(e).length).toBe(3);
  });

  it('reject a bad cell before producing any text, with the message of the first bad cell in row and column order', () => {
    const rs = [{ v: 1, w: 'a' }, { v: 2, w: true }, { v: Number.NaN, w: 'b' }];
    expect(C.csvChunks(['v', 'w'])(rs)).toEqual(E.left('row 1, column w: cannot write a boolean'));
    expect(C.jsonChunks(['w', 'v'])(rs)).toEqual(E.left('row 1, column w: cannot write a boolean'));
    expect(C.jsonChunks(['v'])(rs)).toEqual(E.left('row 2, column v: cannot write the non-finite number NaN'));
    expect(C.csvChunks(['v', 'x'])(rs)).toEqual(E.left("row 0: missing column 'x'"));
  });

  it('throw, rather than write a wrong cell, when the rows change between the check and the iteration', () => {
    const rs: Array<Record<string, unknown>> = [{ v: 1 }, { v: 2 }];
    const e = C.csvChunks(['v'], { chunkChars: 1 })(rs);
    rs[1].v = Infinity;
    if (E.isLeft(e)) throw new Error(e.left);
    const it = e.right[Symbol.iterator]();
    expect(it.next()).toEqual({ done: false, value: 'v\n' });
    expect(it.next()).toEqual({ done: false, value: '1\n' });
    expect(() => it.next()).toThrow('rows changed while being rendered: row 1, column v: cannot write the non-finite number Infinity');
  });
});
