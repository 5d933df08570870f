// What the docs tests share: the `ts run` blocks of docs/*.md, the examples/ directories, and a runner that executes
// a TypeScript file in its own `node` process against the BUILT packages.
//
// A runnable block is a fence whose info string is `ts run` (GitHub renders it as TypeScript):
//
//   ```ts run
//   import { initBackend } from '@ddar/backend';
//   await initBackend();
//   ```
//
// Each block is a self-contained ES module (top-level await allowed). It is written to docs/.run/, its types are
// stripped by scripts/run-ts.mjs and it runs in its own `node` process against the BUILT packages (`pnpm build`
// first; turbo's `test` task of @ddar/docs depends on `^build`).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export const docsDir = path.dirname(__dirname);
export const repoDir = path.dirname(docsDir);
/** Scratch directory of the snippet runs and the type check (git-ignored). */
export const runDir = path.join(docsDir, '.run');
export const examplesDir = path.join(repoDir, 'examples');
const runner = path.join(docsDir, 'scripts', 'run-ts.mjs');
/** Per process; a snippet is meant to take a few seconds. */
export const SNIPPET_TIMEOUT_MS = 90_000;

export interface Snippet {
  file: string;
  line: number;
  code: string;
}

/** Fenced blocks whose info string is exactly `ts run` (or `typescript run`), with the line of the opening fence. */
export function extractSnippets(markdown: string, file: string): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(ts|typescript)\s+run\s*$/.exec(lines[i]);
    if (open === null) continue;
    const [, indent, fence] = open;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^\\s*${fence[0]}{${fence.length},}\\s*$`).test(lines[j])) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
      j++;
    }
    if (j === lines.length) throw new Error(`${file}:${i + 1}: unterminated \`ts run\` block`);
    snippets.push({ file, line: i + 1, code: body.join('\n') + '\n' });
    i = j;
  }
  return snippets;
}

/** docs/*.md, by name. */
export const markdownFiles = readdirSync(docsDir)
  .filter((f) => f.endsWith('.md'))
  .sort();

/** The directories under examples/, by name. */
export const exampleDirs = existsSync(examplesDir)
  ? readdirSync(examplesDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
  : [];

/** Every `ts run` block of docs/*.md. */
export const snippets = markdownFiles.flatMap((f) => extractSnippets(readFileSync(path.join(docsDir, f), 'utf8'), f));

/** Scratch file name of a snippet: `<doc>-L<fence line>.ts`, so errors point back to the doc's block. */
export function snippetFileName(snippet: Snippet): string {
  return `${snippet.file.replace(/\.md$/, '')}-L${snippet.line}.ts`;
}

/** For a `beforeAll`: fails unless every package is built, and creates docs/.run/. */
export function requireBuiltPackages(): void {
  const built = ['backend', 'datasets', 'backbones', 'losses', 'disentangle', 'attacks', 'training'].filter(
    (p) => !existsSync(path.join(repoDir, 'packages', p, 'dist', 'index.js')),
  );
  if (built.length > 0) {
    throw new Error(`build the packages first (pnpm build): no dist/index.js in ${built.map((p) => `packages/${p}`).join(', ')}`);
  }
  mkdirSync(runDir, { recursive: true });
}

/** Runs `node scripts/run-ts.mjs ...args` from docs/ with `env` added to this process's environment. */
export function runTs(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [runner, ...args],
      { cwd: docsDir, env: { ...process.env, ...env }, timeout: SNIPPET_TIMEOUT_MS, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        const killed = error !== null && error.killed ? `\n(killed after ${SNIPPET_TIMEOUT_MS / 1000} s)` : '';
        resolve({ code, output: `${stdout}${stderr}${killed}` });
      },
    );
  });
}

/** The last lines of a child's output, each cut short (the WASM runtime prints its whole minified source on a crash). */
export function tail(text: string, lines = 40): string {
  return text
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((line) => (line.length > 400 ? `${line.slice(0, 200)} ...[${line.length - 400} chars]... ${line.slice(-200)}` : line))
    .join('\n');
}
