/**
 * The reference pipeline's raw input schemas as plain facts: for each parquet file it reads
 * (`<schema>.<table>.parquet`, from `sources.py`), the pandera model (`ingest/rawschemas.py`) and
 * its columns with their declared type, nullability and coercion.
 *
 * Read from the unpacked source (`parseRawSchemas`), or from the committed copy
 * `bench/peer/schema-facts.json` (made by `node dist-bench/bench/peer/schemaFacts.js SRC > ...`),
 * which names the commit it was read from. The parquet writer (`write_parquet.py`) writes exactly
 * these columns with these types.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A column's declared type in a pandera polars model. */
export type PeerType = 'str' | 'int' | 'float' | 'datetime' | 'date';

export interface PeerColumn {
  readonly name: string;
  readonly type: PeerType;
  readonly nullable: boolean;
  readonly coerce: boolean;
}

export interface PeerTable {
  /** `<schema>.<table>`, the parquet file's name without `.parquet`. */
  readonly file: string;
  readonly model: string;
  readonly columns: ReadonlyArray<PeerColumn>;
}

export interface SchemaFacts {
  readonly commit: string;
  readonly tables: ReadonlyArray<PeerTable>;
}

const typeOf = (t: string): PeerType | undefined =>
  t === 'str' ? 'str' : t === 'int' ? 'int' : t === 'float' ? 'float' : t === 'pl.Datetime' ? 'datetime' : t === 'pl.Date' ? 'date' : undefined;

/** Columns of every `class X(BaseRaw)` model in `rawschemas.py`. */
export const parseModels = (src: string): ReadonlyMap<string, ReadonlyArray<PeerColumn>> => {
  const out = new Map<string, PeerColumn[]>();
  let current: PeerColumn[] | undefined;
  for (const line of src.split('\n')) {
    const cls = /^class (\w+)\((\w+)\):/.exec(line);
    if (cls !== null) {
      current = cls[2] === 'BaseRaw' ? [] : undefined;
      if (current !== undefined) out.set(cls[1], current);
      continue;
    }
    if (current === undefined) continue;
    const field = /^ {4}(\w+): ([\w.]+)(?:\s*=\s*(pa\.Field\(.*\)))?\s*(?:#.*)?$/.exec(line);
    if (field === null) continue;
    const type = typeOf(field[2]);
    if (type === undefined) throw new Error(`rawschemas.py: unknown type ${field[2]} of ${field[1]}`);
    const opts = field[3] ?? '';
    current.push({ name: field[1], type, nullable: /nullable=True/.test(opts), coerce: /coerce=True/.test(opts) });
  }
  return out;
};

/** `SourceSpec("schema", "table", raw.Model)` entries of `sources.py`, in order. */
export const parseSources = (src: string): ReadonlyArray<{ readonly file: string; readonly model: string }> =>
  [...src.matchAll(/SourceSpec\(\s*"(\w+)",\s*"(\w+)",\s*raw\.(\w+)\s*,?\s*\)/g)].map((m) => ({ file: `${m[1]}.${m[2]}`, model: m[3] }));

/** The facts from an unpacked source tree (the folder holding `src/chameleon_usage`). */
export const parseRawSchemas = (root: string, commit: string): SchemaFacts => {
  const pkg = path.join(root, 'src', 'chameleon_usage');
  const models = parseModels(fs.readFileSync(path.join(pkg, 'ingest', 'rawschemas.py'), 'utf8'));
  const sources = parseSources(fs.readFileSync(path.join(pkg, 'sources.py'), 'utf8'));
  return {
    commit,
    tables: sources.map((s) => {
      const columns = models.get(s.model);
      if (columns === undefined) throw new Error(`sources.py names ${s.model}, which rawschemas.py does not define`);
      return { file: s.file, model: s.model, columns };
    }),
  };
};

/** The committed copy. */
export const FACTS_FILE = ((): string => {
  const here = path.join(__dirname, 'schema-facts.json');
  // compiled to dist-bench/bench/peer/: the JSON stays in the source tree
  return fs.existsSync(here) ? here : path.resolve(__dirname, '..', '..', '..', 'bench', 'peer', 'schema-facts.json');
})();
export const readFacts = (file = FACTS_FILE): SchemaFacts => JSON.parse(fs.readFileSync(file, 'utf8')) as SchemaFacts;

if (require.main === module) {
  const [root, commit] = process.argv.slice(2);
  if (root === undefined || commit === undefined) {
    process.stderr.write('usage: node schemaFacts.js UNPACKED_SOURCE COMMIT > bench/peer/schema-facts.json\n');
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(parseRawSchemas(root, commit), null, 2)}\n`);
}
