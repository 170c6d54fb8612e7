// Every test runs in a zone that is not UTC, with daylight saving time, so code that leans on the
// process time zone fails here (timestamps in this project are UTC everywhere).
process.env.TZ = 'America/Chicago';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // A shared 2-core machine under load (CI, parallel work) runs the database tests slower than
  // jest's 5 s default; a test that hangs still fails, after 60 s.
  testTimeout: 60_000,
  // one test file per core: jest's default (cores - 1) ran the files one at a time on the 2-core
  // CI machine, 584 s of the 866 s CI; most files wait on MariaDB, child processes or disk, so two
  // at a time took 337 s there (docs/decisions.md)
  maxWorkers: '100%',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  // d3 packages are ESM-only; jest runs CommonJS, so it loads their UMD bundles instead.
  moduleNameMapper: {
    '^(d3-array|d3-scale|d3-interpolate|d3-format|d3-time|d3-time-format|d3-color)$': '<rootDir>/node_modules/$1/dist/$1.js',
    '^internmap$': '<rootDir>/node_modules/internmap/dist/internmap.js',
  },
};
