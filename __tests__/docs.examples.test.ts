/**
 * Every `@example` block of a doc comment in lib/ and adapters/ type-checks against the package's
 * sources (the TypeScript compiler API, the project's compiler options).
 *
 * How an example becomes a file: it is placed beside its source file (so `./Module` resolves), its
 * `import` lines are kept at the top, and the rest becomes the body of an async function (examples
 * may `await`). It sees, besides its own imports, every export of its own module, `assert`
 * (node:assert), `E`, `O`, `TE` (fp-ts), `t` (io-ts), `T` (lib/Time) and `'chameleon-usage'`,
 * `'chameleon-usage/adapters'` (the package's entry points). A name it still does not find is:
 * - imported when some module of lib/ or adapters/ exports it (its own folder first);
 * - else, when it is called or constructed, an error (an API that does not exist);
 * - else declared `any`: it stands for the reader's data (`events`, `options`, `src`), which the
 *   example does not build. Calls, arities and the types of what the example does build are
 *   still checked.
 * A failure names the file, the example's line and the compiler's message, and shows the example.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

jest.setTimeout(120_000);

const ROOT = path.join(__dirname, '..');
const FOLDERS = ['lib', 'adapters'];

interface Example {
  readonly source: string; // e.g. lib/Csv.ts
  readonly line: number; // 1-based line of the @example tag
  readonly code: string;
  readonly file: string; // absolute path of the virtual file
}

/** The `@example` blocks of a file's doc comments: the lines after the tag up to the next tag. */
const examplesOf = (rel: string): ReadonlyArray<Example> => {
  const text = fs.readFileSync(path.join(ROOT, rel), 'utf8');
  const out: Example[] = [];
  const comment = /\/\*\*([\s\S]*?)\*\//g;
  for (let m = comment.exec(text); m !== null; m = comment.exec(text)) {
    const firstLine = text.slice(0, m.index).split('\n').length;
    const lines = m[1].split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i].trim().startsWith('@example')) continue;
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length && !lines[j].trim().startsWith('@'); j++) body.push(lines[j]);
      const n = out.length;
      const base = path.basename(rel, '.ts');
      out.push({ source: rel, line: firstLine + i, code: body.join('\n').trim(), file: path.join(ROOT, path.dirname(rel), `__example__${base}_${n}.ts`) });
      i = j - 1;
    }
  }
  return out;
};

const sources = FOLDERS.flatMap((d) =>
  fs
    .readdirSync(path.join(ROOT, d))
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => `${d}/${f}`),
);
const examples = sources.flatMap(examplesOf);

const rel = (from: string, to: string): string => {
  const r = path.relative(path.dirname(from), to).replace(/\.ts$/, '');
  return r.startsWith('.') ? r : `./${r}`;
};

const PRELUDE = (ex: Example): string =>
  [
    "import * as assert from 'node:assert';",
    "import * as E from 'fp-ts/Either';",
    "import * as O from 'fp-ts/Option';",
    "import * as TE from 'fp-ts/TaskEither';",
    "import * as t from 'io-ts';",
    `import * as T from '${rel(ex.file, path.join(ROOT, 'lib/Time.ts'))}';`,
  ].join('\n');

/** The virtual file of an example: prelude, its imports, extra lines, then its body in an async function. */
const render = (ex: Example, own: ReadonlyArray<string>, extra: ReadonlyArray<string>): string => {
  const lines = ex.code.split('\n');
  const imports = lines.filter((l) => /^\s*import\s/.test(l));
  const body = lines.filter((l) => !/^\s*import\s/.test(l));
  const taken = new Set(imports.flatMap((l) => (/\{([^}]*)\}/.exec(l)?.[1] ?? '').split(',').map((x) => x.trim().replace(/^type\s+/, ''))));
  const ownNames = own.filter((n) => !taken.has(n) && !['assert', 'E', 'O', 'TE', 't', 'T'].includes(n));
  return [
    PRELUDE(ex),
    ownNames.length > 0 ? `import { ${ownNames.join(', ')} } from '${rel(ex.file, path.join(ROOT, ex.source))}';` : '',
    ...imports,
    ...extra,
    'export async function example(): Promise<void> {',
    ...body,
    '}',
    '',
  ].join('\n');
};

const options = (): ts.CompilerOptions => {
  const cfg = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), (f) => ts.sys.readFile(f));
  const parsed = ts.parseJsonConfigFileContent(cfg.config, ts.sys, ROOT);
  return {
    ...parsed.options,
    noEmit: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
    allowUnreachableCode: true,
    baseUrl: ROOT,
    paths: { 'chameleon-usage': ['lib/index.ts'], 'chameleon-usage/adapters': ['adapters/index.ts'] },
  };
};

describe('the @example blocks of lib/ and adapters/', () => {
  it('finds them', () => {
    expect(examples.length).toBeGreaterThan(60);
    expect(new Set(examples.map((e) => e.source.split('/')[0]))).toEqual(new Set(FOLDERS));
  });

  it('every example type-checks against the sources', () => {
    const opts = options();
    const files = new Map<string, string>();
    const extra = new Map<string, string[]>(examples.map((e) => [e.file, []]));
    const host = ts.createCompilerHost(opts);
    const readFile = host.readFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    host.readFile = (f) => files.get(path.resolve(f)) ?? readFile(f);
    host.fileExists = (f) => files.has(path.resolve(f)) || fileExists(f);
    host.getSourceFile = (f, v, onError, create) => {
      const text = files.get(path.resolve(f));
      return text !== undefined ? ts.createSourceFile(f, text, v, true) : getSourceFile(f, v, onError, create);
    };

    // the exports of every module, to import a name an example uses from another module
    const base = ts.createProgram(
      sources.map((s) => path.join(ROOT, s)),
      opts,
    );
    const checker = base.getTypeChecker();
    const exportsOf = new Map<string, ReadonlyArray<string>>();
    for (const s of sources) {
      const sf = base.getSourceFile(path.join(ROOT, s));
      const sym = sf === undefined ? undefined : checker.getSymbolAtLocation(sf);
      exportsOf.set(s, sym === undefined ? [] : checker.getExportsOfModule(sym).map((x) => x.name));
    }
    const exporter = (name: string, ex: Example): string | undefined => {
      const folder = path.dirname(ex.source);
      const order = [...sources.filter((s) => path.dirname(s) === folder), ...sources.filter((s) => path.dirname(s) !== folder)];
      return order.find((s) => s !== ex.source && !s.endsWith('index.ts') && (exportsOf.get(s) ?? []).includes(name));
    };

    let program: ts.Program | undefined;
    let failures: string[] = [];
    for (let round = 0; round < 4; round++) {
      for (const ex of examples) files.set(ex.file, render(ex, exportsOf.get(ex.source) ?? [], extra.get(ex.file) ?? []));
      program = ts.createProgram([...files.keys()], opts, host, program);
      failures = [];
      let added = 0;
      for (const ex of examples) {
        const sf = program.getSourceFile(ex.file);
        if (sf === undefined) throw new Error(`no source file for ${ex.file}`);
        const diags = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
        const seen = new Set<string>();
        for (const d of diags) {
          const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
          if ((d.code === 2304 || d.code === 2552 || d.code === 18004) && d.start !== undefined) {
            const name = /'([^']+)'/.exec(message)?.[1] ?? '';
            // a shorthand property (`{ start }`) is a name the example uses as a value
            if (seen.has(name)) continue;
            seen.add(name);
            const from = exporter(name, ex);
            if (from !== undefined) {
              extra.get(ex.file)?.push(`import { ${name} } from '${rel(ex.file, path.join(ROOT, from))}';`);
              added++;
              continue;
            }
            // the node at the error: a called or constructed name must exist
            const node = (function find(n: ts.Node): ts.Node | undefined {
              if (d.start !== undefined && n.getStart(sf) === d.start && ts.isIdentifier(n)) return n;
              return ts.forEachChild(n, find);
            })(sf);
            const parent = node?.parent;
            const called = parent !== undefined && (ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression === node;
            if (!called) {
              extra.get(ex.file)?.push(`declare const ${name}: any;`);
              added++;
              continue;
            }
          }
          const line = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line;
          const bodyStart = sf.text.split('\n').findIndex((l) => l.startsWith('export async function example')) + 1;
          failures.push(`${ex.source}:${ex.line} @example, line ${line - bodyStart + 1}: TS${d.code} ${message}\n${ex.code.replace(/^/gm, '    ')}`);
        }
      }
      if (added === 0) break;
    }
    expect(failures).toEqual([]);
  });
});
