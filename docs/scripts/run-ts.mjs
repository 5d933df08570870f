#!/usr/bin/env node
/* global process, console */
// Runs a TypeScript file (a docs snippet or an example) against the BUILT @ddar packages:
//   node docs/scripts/run-ts.mjs examples/custom-backbone/main.ts [args...]
// Types are stripped with @swc/core, the result is written as an ES module into docs/.run/ (so that
// `@ddar/*` and `@tensorflow/*` resolve through the docs workspace package's node_modules) and imported.
// Build the packages first: `pnpm build`.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const docsDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const swc = require('@swc/core');

const [file, ...args] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: node docs/scripts/run-ts.mjs <file.ts> [args...]');
  process.exit(2);
}
const source = path.resolve(file);
const code = readFileSync(source, 'utf8');
const { code: js } = swc.transformSync(code, {
  filename: source,
  sourceMaps: 'inline',
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  module: { type: 'es6' },
});
const runDir = path.join(docsDir, '.run');
mkdirSync(runDir, { recursive: true });
const hash = createHash('sha256').update(source).update(String(process.pid)).digest('hex').slice(0, 12);
const out = path.join(runDir, `${path.basename(source, path.extname(source))}-${hash}.mjs`);
writeFileSync(out, js);
const cleanup = () => rmSync(out, { force: true });
process.on('exit', cleanup);
process.argv = [process.argv[0], source, ...args];
process.setSourceMapsEnabled(true);
try {
  await import(pathToFileURL(out).href);
} catch (error) {
  cleanup();
  throw error;
}
