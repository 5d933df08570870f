const base = require('../../jest.preset.cjs')(__dirname);

// vega, vega-lite and their d3 dependencies ship ESM only; swc compiles them to CommonJS for jest like our sources.
const esmOnly = ['vega', 'd3', 'delaunator', 'robust-predicates', 'internmap', 'topojson', 'json-stringify-pretty-compact'];
module.exports = {
  ...base,
  moduleNameMapper: { '^vega-canvas$': '<rootDir>/jest/vega-canvas.cjs', ...base.moduleNameMapper },
  transform: {
    ...base.transform,
    '^.+\\.m?js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!\\.pnpm|${esmOnly.join('|')})`, `/node_modules/\\.pnpm/(?!(${esmOnly.join('|')}))`],
};
