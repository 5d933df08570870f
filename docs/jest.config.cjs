// The docs test runs every `ts run` block of docs/*.md and every example against the built packages.
module.exports = require('../jest.preset.cjs')(__dirname, {
  roots: ['<rootDir>'],
  testMatch: ['<rootDir>/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/\\.run/', '/api/'],
  testTimeout: 180000,
});
