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
