// The docs tests (docs/*.test.ts): snippet extraction, relative links, every `ts run` block of docs/*.md run and
// type-checked against the built packages, every example run (scripts/snippets.ts holds what these share), and
// architecture.md's package table against the packages' imports (scripts/architecture.ts).
// The files run one at a time, as each spawns node or tsc processes of its own.
module.exports = require('../jest.preset.cjs')(__dirname, {
  roots: ['<rootDir>'],
  testMatch: ['<rootDir>/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/\\.run/', '/api/'],
  testTimeout: 180000,
  maxWorkers: 1,
});
