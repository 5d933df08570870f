// The docs tests (docs/*.test.ts): snippet extraction, relative links, every `ts run` block of docs/*.md run and
// type-checked against the built packages, and every example run; scripts/snippets.ts holds what they share.
// The files run one at a time, as each spawns node or tsc processes of its own.
module.exports = require('../jest.preset.cjs')(__dirname, {
  roots: ['<rootDir>'],
  testMatch: ['<rootDir>/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/\\.run/', '/api/'],
  testTimeout: 180000,
  maxWorkers: 1,
});
