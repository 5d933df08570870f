#!/usr/bin/env node
// The CommonJS build of a package, for `require()` callers that cannot load ES modules: Node before 20.19, and Jest's
// default (CommonJS) module system in every version. Run from a package directory after `tsc -p tsconfig.build.json`:
// it compiles exactly the sources tsc emitted to dist/ into dist/cjs/, beside a package.json that makes .js there
// CommonJS, and copies the declarations so that `require` resolves types of the same format as the code.
//
// The same sources go through one compiler per format, with no hand-written second copy, so the two cannot drift;
// swc (not a second tsc run) because it rewrites `import.meta.url` for CommonJS and strips types without checking them
// again. Imports keep Node's ES-module semantics (`importInterop: 'node'`): a default import is `module.exports`.
import { transformFileSync } from '@swc/core';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

const packageDir = process.cwd();
const esmDir = join(packageDir, 'dist');
const cjsDir = join(esmDir, 'cjs');
const srcDir = join(packageDir, 'src');

/** Files under `dir`, relative to it, skipping `skip` (the CommonJS output inside dist/). */
function walk(dir, skip, prefix = '') {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (path === skip) return [];
    return entry.isDirectory() ? walk(path, skip, join(prefix, entry.name)) : [join(prefix, entry.name)];
  });
}

/** A path for a source map: relative, with forward slashes whatever the platform. */
const mapPath = (from, to) => relative(from, to).split(sep).join('/');

rmSync(cjsDir, { recursive: true, force: true });
const emitted = walk(esmDir, cjsDir);
let count = 0;
for (const file of emitted) {
  const out = join(cjsDir, file);
  mkdirSync(dirname(out), { recursive: true });
  if (file.endsWith('.d.ts')) {
    writeFileSync(out, readFileSync(join(esmDir, file)));
  } else if (file.endsWith('.d.ts.map')) {
    const map = JSON.parse(readFileSync(join(esmDir, file), 'utf8'));
    map.sources = map.sources.map((source) => mapPath(dirname(out), join(dirname(join(esmDir, file)), source)));
    writeFileSync(out, JSON.stringify(map));
  } else if (file.endsWith('.js')) {
    const source = join(srcDir, file.replace(/\.js$/, '.ts'));
    const { code, map } = transformFileSync(source, {
      swcrc: false,
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs', importInterop: 'node' },
      sourceMaps: true,
      sourceFileName: mapPath(dirname(out), source),
    });
    const name = `${file.split(sep).pop()}.map`;
    writeFileSync(out, `${code}\n//# sourceMappingURL=${name}\n`);
    writeFileSync(`${out}.map`, map);
    count++;
  }
}
writeFileSync(join(cjsDir, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
console.log(`build-cjs: ${count} modules to ${mapPath(packageDir, cjsDir)}/`);
