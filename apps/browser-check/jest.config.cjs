// One suite, which starts Chromium: files run one at a time.
module.exports = require('../../jest.preset.cjs')(__dirname, { maxWorkers: 1 });
