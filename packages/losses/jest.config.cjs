module.exports = require('../../jest.preset.cjs')(__dirname, { setupFiles: ['<rootDir>/jest.setup.cjs'] });
