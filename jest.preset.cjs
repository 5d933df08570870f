// Shared jest configuration. Tests run against package sources (not dist/), so `pnpm test`
// needs no build step; @swc/jest strips types quickly and `pnpm typecheck` does the type work.
const path = require('node:path');

module.exports = function jestConfig(packageDir, overrides = {}) {
  return {
    rootDir: packageDir,
    testEnvironment: 'node',
    roots: ['<rootDir>/src'],
    testMatch: ['**/*.test.ts'],
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
          module: { type: 'commonjs' },
        },
      ],
    },
    moduleNameMapper: {
      '^@ddar/bench$': path.join(__dirname, 'apps/bench/src/index.ts'),
      '^@ddar/([a-z-]+)$': path.join(__dirname, 'packages/$1/src/index.ts'),
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
    testTimeout: 120000,
    ...overrides,
  };
};
