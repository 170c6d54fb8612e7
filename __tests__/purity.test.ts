import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
const eslintBin = path.join(root, 'node_modules', '.bin', 'eslint');

/** Lints `code` as if it were `file`; returns the messages of the import restriction rule. */
const restrictedImports = (file: string, code: string): ReadonlyArray<string> => {
  const r = spawnSync(eslintBin, ['--format', 'json', '--stdin', '--stdin-filename', file], { cwd: root, input: code, encoding: 'utf8' });
  const [result] = JSON.parse(r.stdout) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
};

const forbidden = ['knex', 'mysql2', 'better-sqlite3', 'fs', 'node:fs', 'fs/promises', 'chart.js', 'chartjs-node-canvas'];
const importing = (mods: ReadonlyArray<string>) =>
  mods.map((m, i) => `import * as m${i} from '${m}';`).join('\n') + `\nexport const all = [${mods.map((_, i) => `m${i}`).join(', ')}];\n`;

describe('the pure core', () => {
  it('may not import a database driver, the file system or the chart renderer', () => {
    expect(restrictedImports('lib/Probe.ts', importing(forbidden))).toHaveLength(forbidden.length);
  }, 60_000);

  it('may import fp-ts, io-ts and d3-array', () => {
    expect(restrictedImports('lib/Probe.ts', importing(['fp-ts/Option', 'io-ts', 'd3-array']))).toEqual([]);
  }, 60_000);

  it('leaves adapters free to import knex', () => {
    expect(restrictedImports('adapters/Probe.ts', importing(['knex', 'mysql2']))).toEqual([]);
  }, 60_000);
});
