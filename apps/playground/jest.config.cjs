// The headless Chromium suite starts a browser: files run one at a time.
module.exports = require('../../jest.preset.cjs')(__dirname, { maxWorkers: 1 });
