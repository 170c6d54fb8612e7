// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const effects = ['knex', 'mysql2', 'mysql2/*', 'better-sqlite3', 'fs', 'fs/*', 'node:fs', 'node:fs/*',
  'chart.js', 'chart.js/*', 'chartjs-node-canvas', 'canvas', 'child_process', 'node:child_process'];

export default tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'docs/api/**', 'node_modules/**', 'coverage/**', 'output/**', '.cache/**', '*.js', '*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core is pure: no database drivers, no file system, no rendering.
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: effects.filter((p) => !p.includes('*')).map((name) => ({
          name, message: 'lib/ is the pure core: effects live in adapters/ and cli/.',
        })),
        patterns: [{ group: effects.filter((p) => p.includes('*')), message: 'lib/ is the pure core.' }],
      }],
    },
  },
);
