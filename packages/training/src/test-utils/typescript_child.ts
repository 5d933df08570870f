import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';

const PACKAGES_DIR = path.resolve(__dirname, '../../..');

/**
 * A CommonJS preload that lets a plain `node` process run this monorepo's TypeScript sources the way jest does:
 * `.ts` files are compiled by swc on require, `@ddar/<pkg>` maps to `packages/<pkg>/src/index.ts`, and NodeNext-style
 * `./file.js` imports resolve to `./file.ts`. No build step, so the child runs exactly the code under test.
 */
function preloadSource(): string {
  return `
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require(${JSON.stringify(require.resolve('@swc/core'))});
const packages = ${JSON.stringify(PACKAGES_DIR)};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const scoped = /^@ddar\\/([a-z-]+)$/.exec(request);
  if (scoped) return path.join(packages, scoped[1], 'src', 'index.ts');
  if (request.startsWith('.') && request.endsWith('.js') && parent && parent.filename && parent.filename.endsWith('.ts')) {
    const candidate = path.resolve(path.dirname(parent.filename), request.slice(0, -3) + '.ts');
    if (fs.existsSync(candidate)) return candidate;
  }
  return resolve.call(this, request, parent, ...rest);
};
require.extensions['.ts'] = function (module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
`;
}

/** Writes the preload of {@link preloadSource} into `workDirectory` and returns its path. */
export function writeTypeScriptPreload(workDirectory: string): string {
  const preload = path.join(workDirectory, 'typescript-preload.cjs');
  writeFileSync(preload, preloadSource());
  return preload;
}

/** Starts `node` on a TypeScript file of this repository; stdout is piped, stderr inherited unless asked for. */
export function spawnTypeScript(file: string, args: string[], workDirectory: string, options: { stderr?: 'inherit' | 'pipe' } = {}): ChildProcess {
  const preload = writeTypeScriptPreload(workDirectory);
  // The entry goes through require too: given to node directly, a .ts file in a "type": "module" package is refused.
  const entry = path.join(workDirectory, 'typescript-entry.cjs');
  writeFileSync(entry, `require(${JSON.stringify(file)});\n`);
  return spawn(process.execPath, ['--require', preload, entry, ...args], {
    cwd: workDirectory,
    stdio: ['ignore', 'pipe', options.stderr ?? 'inherit'],
  });
}
