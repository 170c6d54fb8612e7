// Every test runs in a zone that is not UTC, with daylight saving time, so code that leans on the
// process time zone fails here (timestamps in this project are UTC everywhere).
process.env.TZ = 'America/Chicago';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  // d3 packages are ESM-only; jest runs CommonJS, so it loads their UMD bundles instead.
  moduleNameMapper: {
    '^d3-array$': '<rootDir>/node_modules/d3-array/dist/d3-array.js',
  },
};
