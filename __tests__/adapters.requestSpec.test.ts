import fc from 'fast-check';
import { reservationOf, reservationOfByParse } from '../adapters/requestSpec';

const spec = (data: unknown): string => JSON.stringify({ 'nova_object.name': 'RequestSpec', 'nova_object.data': data });

/** reservationOf and its JSON.parse reference agree on `s` (the text is in the message when they do not). */
const expectSameAsParse = (s: string): void => {
  expect([s, reservationOf(s)]).toEqual([s, reservationOfByParse(s)]);
};

describe('reservationOf', () => {
  it('reads scheduler_hints.reservation[0]', () => {
    expect(reservationOf(spec({ scheduler_hints: { reservation: ['r-1', 'r-2'] } }))).toEqual({ reservationId: 'r-1', from: 'scheduler_hint' });
  });

  it('accepts a bare string reservation hint, as the blazar-nova filter does', () => {
    expect(reservationOf(spec({ scheduler_hints: { reservation: 'r-1' } }))).toEqual({ reservationId: 'r-1', from: 'scheduler_hint' });
  });

  it('reads the reservation from a flavor named reservation:<id> when there is no hint', () => {
    const s = spec({ scheduler_hints: {}, flavor: { 'nova_object.data': { name: 'reservation:abc-123', flavorid: 'abc-123' } } });
    expect(reservationOf(s)).toEqual({ reservationId: 'abc-123', from: 'flavor' });
  });

  it('prefers the hint over the flavor name', () => {
    const s = spec({ scheduler_hints: { reservation: ['hint'] }, flavor: { 'nova_object.data': { name: 'reservation:flav' } } });
    expect(reservationOf(s).reservationId).toBe('hint');
  });

  it('gives on-demand for an ordinary flavor and no hint', () => {
    expect(reservationOf(spec({ scheduler_hints: { group: ['g'] }, flavor: { 'nova_object.data': { name: 'm1.small' } } }))).toEqual({
      reservationId: null,
      from: 'none',
    });
  });

  it('gives on-demand for an empty hint list or an empty string', () => {
    expect(reservationOf(spec({ scheduler_hints: { reservation: [] } })).reservationId).toBeNull();
    expect(reservationOf(spec({ scheduler_hints: { reservation: [''] } })).reservationId).toBeNull();
  });

  it('says no_request_spec when the instance has no spec row', () => {
    expect(reservationOf(null)).toEqual({ reservationId: null, from: 'no_request_spec' });
  });

  it('says invalid_spec for text that is not JSON, without throwing', () => {
    expect(reservationOf('{"nova_object.data": {"scheduler_hints": ')).toEqual({ reservationId: null, from: 'invalid_spec' });
  });

  it('reads a spec nested hundreds of thousands of levels deep as JSON.parse does, which parses it', () => {
    // V8's JSON.parse is not recursive (it parsed 20 million levels when this was written); the
    // scanner keeps its stack in a growing array, so neither throws and both say the same.
    const deep = '['.repeat(300_000) + ']'.repeat(300_000);
    expect(reservationOf(deep)).toEqual({ reservationId: null, from: 'not_an_object' });
    const deepObj = '{"nova_object.data":' + '{"a":'.repeat(200_000) + '1' + '}'.repeat(200_000) + '}';
    expect(reservationOf(deepObj)).toEqual({ reservationId: null, from: 'none' });
    const deepHint = spec({ scheduler_hints: { reservation: 'X' } }).replace('"X"', '['.repeat(100_000) + '"r"' + ']'.repeat(100_000));
    expect(reservationOf(deepHint)).toEqual({ reservationId: null, from: 'none' });
    expect(reservationOf(deep.slice(1))).toEqual({ reservationId: null, from: 'invalid_spec' });
    for (const s of [deep, deepObj, deepHint, deep.slice(1)]) expectSameAsParse(s);
  });

  it('says not_an_object for JSON that is not a RequestSpec primitive', () => {
    expect(reservationOf('"just a string"').from).toBe('not_an_object');
    expect(reservationOf('{"nova_object.data": [1]}').from).toBe('not_an_object');
  });
});

describe('reservationOf without JSON.parse', () => {
  it('reads keys and values written with escapes as JSON.parse decodes them', () => {
    expect(reservationOf('{"nova_object.data":{"scheduler_hints":{"\\u0072eservation":["r\\u002d1"]}}}')).toEqual({ reservationId: 'r-1', from: 'scheduler_hint' });
    expect(reservationOf('{"nova\\u005fobject.data":{"flavor":{"nova_object.data":{"n\\u0061me":"reservation\\u003a\\"x\\"\\/\\\\"}}}}')).toEqual({
      reservationId: '"x"/\\',
      from: 'flavor',
    });
    // An escaped line feed inside the id: the flavor regex's `.` does not match it.
    expect(reservationOf('{"nova_object.data":{"flavor":{"nova_object.data":{"name":"reservation:a\\nb"}}}}').from).toBe('none');
    // A lone surrogate stays one.
    expect(reservationOf('{"nova_object.data":{"scheduler_hints":{"reservation":"\\ud800"}}}').reservationId).toBe('\ud800');
  });

  it('keeps the last of duplicate keys, at every level of the path', () => {
    const hints = (r: string) => `"scheduler_hints":{"reservation":${r}}`;
    const cases: ReadonlyArray<[string, string | null]> = [
      [`{"nova_object.data":{${hints('"a"')},${hints('[]')}}}`, null],
      [`{"nova_object.data":{"scheduler_hints":{"reservation":"a","reservation":"b"}}}`, 'b'],
      [`{"nova_object.data":{"scheduler_hints":{"reservation":"a","reservation":1}}}`, null],
      [`{"nova_object.data":{${hints('"a"')}},"nova_object.data":{}}`, null],
      [`{"nova_object.data":{${hints('"a"')}},"nova_object.data":[]}`, null],
      [`{"nova_object.data":{},"nova_object.data":{${hints('"a"')}}}`, 'a'],
      [`{"nova_object.data":{"flavor":{"nova_object.data":{"name":"reservation:f"}},"flavor":null}}`, null],
      [`{"nova_object.data":{"flavor":{"nova_object.data":{"name":"reservation:f"},"nova_object.data":{}}}}`, null],
      [`{"nova_object.data":{"flavor":{"nova_object.data":{"name":"reservation:f","name":"m1"}}}}`, null],
      [`{"nova_object.data":{"flavor":{"nova_object.data":{"name":"m1","name":"reservation:g"}}}}`, 'g'],
    ];
    for (const [s, id] of cases) {
      expect([s, reservationOf(s).reservationId]).toEqual([s, id]);
      expectSameAsParse(s);
    }
  });

  it('trims the ids as String.prototype.trim does, and only JSON whitespace may sit between tokens', () => {
    expect(reservationOf(spec({ scheduler_hints: { reservation: '\u00a0\ufeff r \u2028\u3000' } })).reservationId).toBe('r');
    expect(reservationOf(spec({ scheduler_hints: { reservation: ['\t\n'] }, flavor: { 'nova_object.data': { name: ' reservation:f\u2029' } } })).reservationId).toBe('f');
    expect(reservationOf(spec({ flavor: { 'nova_object.data': { name: '\u00a0 reservation: ' } } })).from).toBe('none');
    expect(reservationOf(spec({ flavor: { 'nova_object.data': { name: '\u00a0reservation:f' } } })).reservationId).toBe('f');
    expect(reservationOf(' \t\r\n{ "nova_object.data" :\n{ } }\n').from).toBe('none');
    for (const ws of ['\u00a0', '\ufeff', '\u000b', '\u000c', '\u2028']) {
      expect(reservationOf(`{${ws}"nova_object.data":{}}`).from).toBe('invalid_spec');
      expect(reservationOf(`${ws}{}`).from).toBe('invalid_spec');
    }
  });

  it('reads a flavor name starting with any code unit as JSON.parse and trim do', () => {
    // Names are refused in place by their first unit, which must then be one trim() keeps.
    const differ: number[] = [];
    for (let c = 0; c < 0x10000; c++) {
      const s = spec({ flavor: { 'nova_object.data': { name: `${String.fromCharCode(c)}reservation:x` } } });
      const [a, b] = [reservationOf(s), reservationOfByParse(s)];
      if (a.from !== b.from || a.reservationId !== b.reservationId) differ.push(c);
    }
    expect(differ).toEqual([]);
    expect(reservationOf(spec({ flavor: { 'nova_object.data': { name: '\u3000reservation:x' } } })).reservationId).toBe('x');
  });

  it('takes only a string as the id: numbers, booleans, null, lists and objects are no reservation', () => {
    for (const v of ['1', 'true', 'null', '{}', '[1,"r"]', '[["r"]]', '[{}]', '[null]', '-0.5e3']) {
      expect([v, reservationOf(`{"nova_object.data":{"scheduler_hints":{"reservation":${v}}}}`).from]).toEqual([v, 'none']);
      expect([v, reservationOf(`{"nova_object.data":{"flavor":{"nova_object.data":{"name":${v}}}}}`).from]).toEqual([v, 'none']);
    }
  });

  it('checks the whole text, also far from the values it reads', () => {
    const valid = spec({ scheduler_hints: { reservation: ['r'] }, extra: [1, -0, 0.5, 1e3, 2E-2, true, false, null, 'a\u0000'] });
    expect(reservationOf(valid).from).toBe('scheduler_hint');
    for (const bad of ['01', '1.', '.5', '1e', '+1', '-', 'tru', 'nul', 'NaN', '"\\x"', '"\\u12g4"', '"\u0000"', '[1,]', '{"a":1,}', '{"a"}', '1 2']) {
      const s = valid.replace(']}', `,${bad}]}`);
      expect([bad, reservationOf(s).from]).toEqual([bad, 'invalid_spec']);
      expectSameAsParse(s);
    }
  });

  it('gives the same answer for a spec read after a longer one, whose text its buffer still holds', () => {
    const long = spec({ scheduler_hints: { reservation: ['r'] }, pad: 'x'.repeat(20_000) });
    expect(reservationOf(long).from).toBe('scheduler_hint');
    const prefix = long.slice(0, long.indexOf('"pad"'));
    expect(reservationOf(prefix).from).toBe('invalid_spec');
    expect(reservationOf('').from).toBe('invalid_spec');
  });

  it('reads a spec too long for the reused buffer, then short ones again', () => {
    const huge = spec({ pad: '\u00e9'.repeat(1_200_000), scheduler_hints: { reservation: ['r-huge'] } });
    expect(reservationOf(huge)).toEqual({ reservationId: 'r-huge', from: 'scheduler_hint' });
    expect(reservationOf(huge.slice(0, -1)).from).toBe('invalid_spec');
    expect(reservationOf(spec({ scheduler_hints: { reservation: 'r' } })).reservationId).toBe('r');
  });
});

// -------------------------------------------------------------------------------------
// properties: the scanner against JSON.parse
// -------------------------------------------------------------------------------------

/** JSON text built by hand, so that it can hold what JSON.stringify never writes: duplicate keys, escapes, whitespace. */
type Doc =
  | { readonly t: 'obj'; readonly entries: ReadonlyArray<readonly [Str, Doc]>; readonly ws: string }
  | { readonly t: 'arr'; readonly items: ReadonlyArray<Doc>; readonly ws: string }
  | { readonly t: 'raw'; readonly text: string }
  | Str;

/** A string and how its characters are written: as JSON.stringify does, with `/` as `\/`, the first or every one as `\uXXXX`. */
interface Str {
  readonly t: 'str';
  readonly v: string;
  readonly style: 'plain' | 'slash' | 'first' | 'all' | 'ALL';
}

const hex4 = (c: number, upper: boolean): string => {
  const h = c.toString(16).padStart(4, '0');
  return `\\u${upper ? h.toUpperCase() : h}`;
};

const writeStr = (s: Str): string => {
  if (s.style === 'plain' || s.v === '') return JSON.stringify(s.v);
  if (s.style === 'slash') return JSON.stringify(s.v).replace(/\//g, '\\/');
  if (s.style === 'first') return `"${hex4(s.v.charCodeAt(0), false)}${JSON.stringify(s.v.slice(1)).slice(1)}`;
  let out = '"';
  for (let i = 0; i < s.v.length; i++) out += hex4(s.v.charCodeAt(i), s.style === 'ALL');
  return out + '"';
};

const write = (d: Doc): string => {
  switch (d.t) {
    case 'str':
      return writeStr(d);
    case 'raw':
      return d.text;
    case 'arr':
      return `[${d.ws}${d.items.map(write).join(`${d.ws},${d.ws}`)}${d.ws}]`;
    case 'obj':
      return `{${d.ws}${d.entries.map(([k, v]) => `${writeStr(k)}${d.ws}:${d.ws}${write(v)}`).join(`${d.ws},${d.ws}`)}${d.ws}}`;
  }
};

const style = fc.constantFrom<Str['style']>('plain', 'plain', 'plain', 'slash', 'first', 'all', 'ALL');
const ws = fc.constantFrom('', '', '', ' ', '\n', '\t', '\r\n ');
const str = (v: fc.Arbitrary<string>): fc.Arbitrary<Str> => fc.record({ t: fc.constant('str' as const), v, style });
const raw = (text: fc.Arbitrary<string>): fc.Arbitrary<Doc> => text.map((t) => ({ t: 'raw' as const, text: t }));
const obj = (entries: fc.Arbitrary<ReadonlyArray<readonly [Str, Doc]>>): fc.Arbitrary<Doc> => fc.record({ t: fc.constant('obj' as const), entries, ws });
const arr = (items: fc.Arbitrary<ReadonlyArray<Doc>>): fc.Arbitrary<Doc> => fc.record({ t: fc.constant('arr' as const), items, ws });
/** An entry under `key` (or a near miss of it, sometimes), whose value comes from `value`. */
const entry = (key: string, value: fc.Arbitrary<Doc>): fc.Arbitrary<readonly [Str, Doc]> =>
  fc.tuple(str(fc.oneof({ weight: 8, arbitrary: fc.constant(key) }, { weight: 1, arbitrary: fc.constantFrom(`${key} `, key.toUpperCase(), key.slice(1), `${key}\u0000`) })), value);
/** Arbitrary JSON, as another value of a key. */
const anyValue: fc.Arbitrary<Doc> = raw(fc.json({ maxDepth: 2 }));
const other: fc.Arbitrary<readonly [Str, Doc]> = fc.tuple(str(fc.constantFrom('instance_uuid', 'id', 'group', 'nova_object.name', 'vcpus', 'extra_specs', 'name', 'data')), anyValue);

/** Ids as Blazar writes them, and the odd ones trim and the flavor regex decide on. */
const id = fc.oneof(
  { weight: 4, arbitrary: fc.uuid() },
  { weight: 2, arbitrary: fc.constantFrom('', ' ', ' r1 ', '\u00a0r\u2028', 'a\nb', 'a\u2029b', '\ufeff', 'r"\\/', '\ud800', 'x\u0000y') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
);
const flavorName = fc.oneof(
  { weight: 3, arbitrary: id.map((r) => `reservation:${r}`) },
  fc.constantFrom('m1.tiny', 'baremetal', 'reservation:a/b', 'reservation:', 'reservation: ', ' reservation:x ', 'xreservation:1', 'Reservation:1', 'reservation:a\rb', '\treservation:t', '\u3000reservation:u', '\ufeffreservation:v'),
  id,
);
const hintValue: fc.Arbitrary<Doc> = fc.oneof(
  { weight: 4, arbitrary: arr(fc.array(fc.oneof({ weight: 4, arbitrary: str(id) }, { weight: 1, arbitrary: anyValue }), { maxLength: 3 })) },
  { weight: 2, arbitrary: str(id) },
  { weight: 1, arbitrary: anyValue },
);
const hints = fc.oneof(
  { weight: 5, arbitrary: obj(fc.array(fc.oneof({ weight: 3, arbitrary: entry('reservation', hintValue) }, { weight: 1, arbitrary: other }), { maxLength: 3 })) },
  { weight: 1, arbitrary: anyValue },
);
const flavorData = fc.oneof(
  { weight: 5, arbitrary: obj(fc.array(fc.oneof({ weight: 3, arbitrary: entry('name', fc.oneof({ weight: 5, arbitrary: str(flavorName) }, { weight: 1, arbitrary: anyValue })) }, { weight: 1, arbitrary: other }), { minLength: 1, maxLength: 3 })) },
  { weight: 1, arbitrary: anyValue },
);
const flavor = fc.oneof(
  { weight: 5, arbitrary: obj(fc.array(fc.oneof({ weight: 3, arbitrary: entry('nova_object.data', flavorData) }, { weight: 1, arbitrary: other }), { minLength: 1, maxLength: 3 })) },
  { weight: 1, arbitrary: anyValue },
);
const data = fc.oneof(
  { weight: 8, arbitrary: obj(fc.array(fc.oneof({ weight: 2, arbitrary: entry('scheduler_hints', hints) }, { weight: 4, arbitrary: entry('flavor', flavor) }, { weight: 1, arbitrary: other }), { minLength: 1, maxLength: 5 })) },
  { weight: 1, arbitrary: anyValue },
);
/**
 * Request specs shaped like Nova's: keys in any order, missing or repeated, written with or
 * without escapes and whitespace, with the values read anywhere from right to absurd.
 */
const novaSpec: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(
      { weight: 12, arbitrary: obj(fc.array(fc.oneof({ weight: 4, arbitrary: entry('nova_object.data', data) }, { weight: 1, arbitrary: other }), { minLength: 1, maxLength: 4 })) },
      { weight: 1, arbitrary: arr(fc.array(data, { maxLength: 2 })) },
      { weight: 1, arbitrary: anyValue },
    ),
    ws,
    ws,
  )
  .map(([d, before, after]) => before + write(d) + after);

/** One character inserted, replaced or removed, or the text cut short. */
const mutated: fc.Arbitrary<string> = fc
  .tuple(novaSpec, fc.nat(), fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', ' ', '0', '-', 'e', '.', 't', 'n', 'u', '\u0000', '\u00a0', 'x'), fc.constantFrom('insert', 'replace', 'remove', 'cut'))
  .map(([s, at, c, how]) => {
    const i = s.length === 0 ? 0 : at % s.length;
    return how === 'insert' ? s.slice(0, i) + c + s.slice(i) : how === 'replace' ? s.slice(0, i) + c + s.slice(i + 1) : how === 'remove' ? s.slice(0, i) + s.slice(i + 1) : s.slice(0, i);
  });

describe('reservationOf against JSON.parse', () => {
  it('agrees on request specs shaped like Nova\'s, with duplicate keys, escapes and whitespace', () => {
    fc.assert(fc.property(novaSpec, expectSameAsParse), { numRuns: 5_000 });
  });

  it('agrees on any JSON value, alone or where the spec\'s values are read', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expectSameAsParse(JSON.stringify(v));
        expectSameAsParse(JSON.stringify({ 'nova_object.data': v }));
        expectSameAsParse(spec({ scheduler_hints: { reservation: v }, flavor: { 'nova_object.data': { name: v } } }));
        expectSameAsParse(spec({ scheduler_hints: v, flavor: { 'nova_object.data': v } }));
      }),
      { numRuns: 2_000 },
    );
    fc.assert(fc.property(fc.json(), expectSameAsParse), { numRuns: 2_000 });
  });

  it('agrees on nearly valid specs: one character inserted, replaced or removed, or cut short', () => {
    fc.assert(fc.property(mutated, expectSameAsParse), { numRuns: 5_000 });
  });

  it('agrees on arbitrary strings, of any characters or of JSON\'s', () => {
    const jsonish = fc.string({ unit: fc.constantFrom(...'{}[]":,0123456789 -+.eEtrufalsn\\/bu\t\n\r\u0000\u00a0'.split('')), maxLength: 40 });
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), jsonish), expectSameAsParse), { numRuns: 5_000 });
  });
});
