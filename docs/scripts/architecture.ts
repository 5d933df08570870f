// Checks docs/architecture.md against the code: the packages' table (its "depends on" column and the order of its
// rows, which is the layer order), its mermaid graph, and every import in every workspace package's sources against
// that package's package.json. architecture.test.ts runs it; the functions are exported so it can test them too.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import * as ts from 'typescript';

// ---------------------------------------------------------------------------------------------------------------
// Imports of one source file

export interface ImportSite {
  specifier: string;
  /** 1-based. */
  line: number;
  /** `import type`, `export type ... from`, `import('x').T` in a type. */
  typeOnly: boolean;
}

function scriptKind(fileName: string): ts.ScriptKind {
  if (/\.tsx$/.test(fileName)) return ts.ScriptKind.TSX;
  if (/\.[cm]?ts$/.test(fileName)) return ts.ScriptKind.TS;
  if (/\.jsx$/.test(fileName)) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}

/**
 * Every module specifier a file names: `import ... from`, `import type ... from`, `import 'x'`, `export ... from`,
 * `import x = require('x')`, `import('x')`, `require('x')`, `require.resolve('x')` and `import('x')` types. Comments and
 * strings that merely contain such text are not imports (the file is parsed, not grepped); computed specifiers are skipped.
 */
export function findImports(source: string, fileName = 'file.ts'): ImportSite[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false, scriptKind(fileName));
  const found: ImportSite[] = [];
  const add = (node: ts.Node | undefined, typeOnly: boolean) => {
    if (node === undefined || !ts.isStringLiteralLike(node)) return;
    const line = file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
    found.push({ specifier: node.text, line, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(node.moduleSpecifier, node.importClause?.isTypeOnly ?? false);
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument)) add(argument.literal, true);
    } else if (ts.isCallExpression(node) && node.arguments.length >= 1) {
      const callee = node.expression;
      const isDynamicImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      const isRequireResolve =
        ts.isPropertyAccessExpression(callee) &&
        ts.isIdentifier(callee.expression) &&
        callee.expression.text === 'require' &&
        callee.name.text === 'resolve';
      if (isDynamicImport || isRequire || isRequireResolve) add(node.arguments[0], false);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

const builtins = new Set(builtinModules);

/**
 * The package a bare specifier names (`@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`), or null for a
 * relative or absolute path, a URL, or a Node builtin (`node:fs`, `fs`, `fs/promises`).
 */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(specifier)) return null; // node:, data:, file:, https:
  const parts = specifier.split('/');
  if (specifier.startsWith('@')) return parts.length >= 2 ? `${parts[0]}/${parts[1]}` : null;
  if (builtins.has(parts[0]) || builtins.has(specifier)) return null;
  return parts[0];
}

// ---------------------------------------------------------------------------------------------------------------
// The workspace

export interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface PackageImport {
  /** The package imported. */
  pkg: string;
  specifier: string;
  line: number;
  typeOnly: boolean;
  /** A relative specifier that reaches into another workspace package's directory. */
  relative: boolean;
}

export interface SourceFile {
  /** Relative to the repository, with `/`. */
  file: string;
  /**
   * Tests and their helpers (`*.test.*`, `*.spec.*`, `test-utils/`, `__mocks__/`, `jest/`, `jest.*` files) and the
   * package's development scripts (a top-level `scripts/` folder, which no package ships).
   */
  test: boolean;
  imports: PackageImport[];
}

export interface WorkspacePackage {
  name: string;
  /** Relative to the repository, e.g. `packages/training`. */
  dir: string;
  manifest: Manifest;
  files: SourceFile[];
}

const SOURCE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage']);

/**
 * Whether a file (path relative to its package) is a test, a test helper or a development script (top-level
 * `scripts/`), whose imports may be devDependencies.
 */
export function isTestFile(relativePath: string): boolean {
  const parts = relativePath.split(/[\\/]/);
  const base = parts[parts.length - 1];
  if (parts.length > 1 && parts[0] === 'scripts') return true;
  if (/\.(?:test|spec)\.[cm]?[jt]sx?$/.test(base) || base.startsWith('jest.')) return true;
  return parts.slice(0, -1).some((d) => d === 'test-utils' || d === '__mocks__' || d === '__tests__' || d === 'jest');
}

function walk(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...walk(full));
    else if (entry.isFile() && SOURCE_FILE.test(entry.name)) files.push(full);
  }
  return files;
}

const toPosix = (p: string) => p.split(path.sep).join('/');

/**
 * Every workspace package under `groups` (default packages/* and apps/*) with the imports of each of its source files
 * (every directory but node_modules, dist, coverage and dot-directories).
 */
export function readWorkspace(repoDir: string, groups: string[] = ['packages', 'apps']): WorkspacePackage[] {
  const packages: WorkspacePackage[] = [];
  for (const group of groups) {
    const groupDir = path.join(repoDir, group);
    if (!existsSync(groupDir)) continue;
    for (const entry of readdirSync(groupDir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const manifestPath = path.join(groupDir, entry.name, 'package.json');
      if (!entry.isDirectory() || !existsSync(manifestPath)) continue;
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
      packages.push({ name: manifest.name, dir: `${group}/${entry.name}`, manifest, files: [] });
    }
  }
  const owner = (absolute: string) =>
    packages.find((p) => {
      const relative = path.relative(path.join(repoDir, p.dir), absolute);
      return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
    });
  for (const p of packages) {
    const packageDir = path.join(repoDir, p.dir);
    for (const absolute of walk(packageDir).sort()) {
      const imports: PackageImport[] = [];
      for (const site of findImports(readFileSync(absolute, 'utf8'), absolute)) {
        let pkg = packageOf(site.specifier);
        let relative = false;
        if (pkg === null && site.specifier.startsWith('.')) {
          const target = owner(path.resolve(path.dirname(absolute), site.specifier));
          if (target !== undefined && target !== p) [pkg, relative] = [target.name, true];
        }
        if (pkg !== null && pkg !== p.name) imports.push({ pkg, relative, ...site });
      }
      p.files.push({ file: toPosix(path.relative(repoDir, absolute)), test: isTestFile(path.relative(packageDir, absolute)), imports });
    }
  }
  return packages;
}

const RUNTIME_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'] as const;
const ALL_FIELDS = [...RUNTIME_FIELDS, 'devDependencies'] as const;
type DependencyField = (typeof ALL_FIELDS)[number];

function declared(manifest: Manifest, fields: readonly DependencyField[]): Set<string> {
  return new Set(fields.flatMap((f) => Object.keys(manifest[f] ?? {})));
}

function describeImport(i: PackageImport): string {
  if (i.relative) return `${i.pkg} by the relative path '${i.specifier}'`;
  return i.specifier === i.pkg ? i.pkg : `${i.pkg} (as '${i.specifier}')`;
}

/** One entry per (file, package): the first import site. */
function distinctImports(file: SourceFile): PackageImport[] {
  const seen = new Map<string, PackageImport>();
  for (const i of file.imports) if (!seen.has(i.pkg)) seen.set(i.pkg, i);
  return [...seen.values()];
}

/**
 * Imports of packages the importing package does not declare: non-test sources need dependencies or peerDependencies
 * (what a user installs); tests may also use devDependencies. Type-only imports count (the published .d.ts need them).
 */
export function undeclaredImports(packages: WorkspacePackage[]): string[] {
  const problems: string[] = [];
  for (const p of packages) {
    const runtime = declared(p.manifest, RUNTIME_FIELDS);
    const all = declared(p.manifest, ALL_FIELDS);
    for (const file of p.files) {
      for (const i of distinctImports(file)) {
        if ((file.test ? all : runtime).has(i.pkg)) continue;
        const devOnly = !file.test && all.has(i.pkg) ? ' in dependencies or peerDependencies (only in devDependencies, which its users do not install)' : '';
        problems.push(`${file.file} imports ${describeImport(i)}, which ${p.dir}/package.json does not declare${devOnly}`);
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// docs/architecture.md

export interface TableRow {
  /** The first `code` span of the "package" cell. */
  name: string;
  /** 1-based line in the markdown. */
  line: number;
  /** The "depends on" cell's comma-separated entries without backticks; `—`, `-` or an empty cell is none. */
  dependsOn: string[];
}

function cells(line: string): string[] {
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
}

/** The rows of the first table whose header has a "package" and a "depends on" column, in order. */
export function parseTable(markdown: string): TableRow[] {
  const lines = markdown.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i].trim().startsWith('|')) continue;
    const header = cells(lines[i]).map((c) => c.toLowerCase());
    const packageColumn = header.indexOf('package');
    const dependsColumn = header.indexOf('depends on');
    if (packageColumn < 0 || dependsColumn < 0) continue;
    const rows: TableRow[] = [];
    for (let j = i + 2; j < lines.length && lines[j].trim().startsWith('|'); j++) {
      const row = cells(lines[j]);
      const name = /`([^`]+)`/.exec(row[packageColumn] ?? '')?.[1];
      if (name === undefined) throw new Error(`docs/architecture.md:${j + 1}: the "package" cell names no \`package\``);
      const dependsOn = (row[dependsColumn] ?? '')
        .split(',')
        .map((entry) => entry.replace(/`/g, '').trim())
        .filter((entry) => entry !== '' && entry !== '—' && entry !== '-');
      rows.push({ name, line: j + 1, dependsOn });
    }
    return rows;
  }
  throw new Error('docs/architecture.md has no table with a "package" and a "depends on" column');
}

/** The edges of the first ```mermaid block, by node label (`id[label]`; a node without a label is its id). */
export function parseMermaidEdges(markdown: string): Array<[string, string]> {
  const block = /```mermaid\n([\s\S]*?)```/.exec(markdown)?.[1];
  if (block === undefined) throw new Error('docs/architecture.md has no mermaid graph');
  const node = /^\s*([A-Za-z0-9_]+)\s*(?:\[\s*"?([^\]"]*)"?\s*\])?\s*$/;
  const labels = new Map<string, string>();
  const chains: string[][] = [];
  for (const raw of block.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('%%') || /^(graph|flowchart)\b/.test(line)) continue;
    const ids = line.split('-->').map((part) => {
      const match = node.exec(part);
      if (match === null) throw new Error(`docs/architecture.md: cannot read the mermaid line '${line}' (write edges as a[label] --> b[label])`);
      if (match[2] !== undefined) labels.set(match[1], match[2].trim());
      return match[1];
    });
    chains.push(ids);
  }
  const label = (id: string) => labels.get(id) ?? id;
  return chains.flatMap((ids) => ids.slice(1).map((to, k): [string, string] => [label(ids[k]), label(to)]));
}

/** A cycle in `edges` as `a -> b -> a`, or null. */
export function findCycle(edges: Map<string, string[]>): string | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string | null => {
    if (state.get(n) === 'done') return null;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n].join(' -> ');
    state.set(n, 'open');
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      const cycle = visit(m);
      if (cycle !== null) return cycle;
    }
    stack.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of edges.keys()) {
    const cycle = visit(n);
    if (cycle !== null) return cycle;
  }
  return null;
}

const DOC = 'docs/architecture.md';

/**
 * The table against the workspace: every package has a row; a row's workspace entries in "depends on" are exactly
 * the workspace packages its non-test sources import plus those its dependencies/peerDependencies declare; its other
 * entries are declared dependencies (`tfjs-core` may stand for `@tensorflow/tfjs-core`); the column has no cycle;
 * and the mermaid graph draws the column: every drawn edge is in the table, and every edge of the table is drawn or
 * follows from a path of drawn edges.
 */
export function tableProblems(packages: WorkspacePackage[], rows: TableRow[], mermaidEdges: Array<[string, string]>): string[] {
  const problems: string[] = [];
  const byName = new Map(packages.map((p) => [p.name, p]));
  const rowOf = new Map(rows.map((r) => [r.name, r]));
  for (const p of packages) {
    if (!rowOf.has(p.name)) problems.push(`${p.dir} (${p.name}) has no row in ${DOC}'s table`);
  }
  for (const r of rows) {
    if (!byName.has(r.name)) problems.push(`${DOC}:${r.line} lists ${r.name}, which is not a workspace package under packages/ or apps/`);
  }
  const graph = new Map<string, string[]>();
  for (const r of rows) {
    const p = byName.get(r.name);
    if (p === undefined) continue;
    const where = `${DOC}:${r.line}, the "depends on" column of ${p.name},`;
    // What the code does: workspace packages that non-test sources import or that dependencies/peerDependencies declare.
    const evidence = new Map<string, string>();
    for (const field of RUNTIME_FIELDS) {
      for (const dep of Object.keys(p.manifest[field] ?? {})) {
        if (byName.has(dep) && !evidence.has(dep)) evidence.set(dep, `${p.dir}/package.json declares it in ${field}`);
      }
    }
    for (const file of p.files.filter((f) => !f.test)) {
      for (const i of file.imports) {
        if (byName.has(i.pkg) && !evidence.has(i.pkg)) evidence.set(i.pkg, `${file.file} imports it`);
      }
    }
    const runtime = declared(p.manifest, RUNTIME_FIELDS);
    const listed = new Set<string>();
    for (const entry of r.dependsOn) {
      if (byName.has(entry)) {
        listed.add(entry);
        if (!evidence.has(entry)) {
          problems.push(`${where} lists ${entry}, but no non-test source of ${p.dir} imports it and ${p.dir}/package.json declares it in neither dependencies nor peerDependencies`);
        }
      } else if (packages.some((q) => q.name.endsWith(`/${entry}`))) {
        const full = packages.find((q) => q.name.endsWith(`/${entry}`))!.name;
        problems.push(`${where} names '${entry}'; write workspace packages by their full name, \`${full}\``);
      } else if (!runtime.has(entry) && ![...runtime].some((dep) => dep.endsWith(`/${entry}`))) {
        problems.push(`${where} names '${entry}', which is neither a workspace package nor a dependency or peerDependency of ${p.name}`);
      }
    }
    for (const [dep, why] of evidence) {
      if (!listed.has(dep)) problems.push(`${where} does not list ${dep}, but ${why}`);
    }
    graph.set(p.name, [...listed]);
  }
  const cycle = findCycle(graph);
  if (cycle !== null) problems.push(`${DOC}'s "depends on" column has a cycle: ${cycle}`);

  // The graph may leave out an edge that a path through other drawn edges implies (bench --> training --> losses).
  const drawn = new Map<string, Set<string>>();
  for (const [a, b] of mermaidEdges) drawn.set(a, (drawn.get(a) ?? new Set()).add(b));
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
    if (seen.has(from)) return false;
    seen.add(from);
    return [...(drawn.get(from) ?? [])].some((next) => next === to || reaches(next, to, seen));
  };
  const tabled = new Set(rows.flatMap((r) => r.dependsOn.map((d) => `${r.name} --> ${d}`)));
  for (const r of rows) {
    for (const d of r.dependsOn) {
      if (!reaches(r.name, d)) problems.push(`${DOC}'s mermaid graph has no path ${r.name} --> ${d}, which its table lists`);
    }
  }
  for (const [a, b] of mermaidEdges) {
    if (!tabled.has(`${a} --> ${b}`)) problems.push(`${DOC}'s mermaid graph has the edge ${a} --> ${b}, which its table does not list`);
  }
  return problems;
}

/** An import the checks let pass for now: a structural debt with its reason, to be removed with its cause. */
export interface KnownException {
  /** Files under this directory (relative to the repository, ending in `/`)... */
  under: string;
  /** ...importing a workspace package by a relative path into its directory. */
  relativeImportsOf: string[];
  reason: string;
}

/**
 * `packages` without the imports that `exceptions` let pass, and the exceptions that let nothing pass (stale ones,
 * which should be deleted).
 */
export function withoutExceptions(packages: WorkspacePackage[], exceptions: KnownException[]): { packages: WorkspacePackage[]; unused: KnownException[] } {
  const used = new Set<KnownException>();
  const excepted = (file: SourceFile, i: PackageImport) => {
    const match = exceptions.find((e) => i.relative && file.file.startsWith(e.under) && e.relativeImportsOf.includes(i.pkg));
    if (match !== undefined) used.add(match);
    return match !== undefined;
  };
  const filtered = packages.map((p) => ({
    ...p,
    files: p.files.map((file) => ({ ...file, imports: file.imports.filter((i) => !excepted(file, i)) })),
  }));
  return { packages: filtered, unused: exceptions.filter((e) => !used.has(e)) };
}

/**
 * Upward imports: a package may import, and declare in any dependency field (devDependencies included, as turbo
 * builds those first too), only the workspace packages listed above its own row of the table.
 */
export function upwardImports(packages: WorkspacePackage[], rows: TableRow[]): string[] {
  const problems: string[] = [];
  const layer = new Map(rows.map((r, index) => [r.name, index]));
  const isWorkspace = new Set(packages.map((p) => p.name));
  const upward = (from: string, to: string) => isWorkspace.has(to) && layer.has(from) && layer.has(to) && layer.get(to)! >= layer.get(from)!;
  const rule = (p: WorkspacePackage) => `which is not above ${p.name} in ${DOC}'s table (a package may use only the packages listed above it)`;
  for (const p of packages) {
    for (const field of ALL_FIELDS) {
      for (const dep of Object.keys(p.manifest[field] ?? {})) {
        if (upward(p.name, dep)) problems.push(`${p.dir}/package.json declares ${dep} in ${field}, ${rule(p)}`);
      }
    }
    for (const file of p.files) {
      for (const i of distinctImports(file)) {
        if (upward(p.name, i.pkg)) problems.push(`${file.file} imports ${describeImport(i)}, ${rule(p)}`);
      }
    }
  }
  return problems;
}
