// Executes every runnable code block of the documentation and every example, so that none of them rots.
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
// first; turbo's `test` task of @ddar/docs depends on `^build`). A failing block is reported as `<file>.md:<line>`,
// the line of its opening fence. Examples run with DDAR_EXAMPLE_TINY=1, which keeps them to a few seconds.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const docsDir = __dirname;
const repoDir = path.dirname(docsDir);
const runDir = path.join(docsDir, '.run');
const runner = path.join(docsDir, 'scripts', 'run-ts.mjs');
const examplesDir = path.join(repoDir, 'examples');
/** Per process; a snippet is meant to take a few seconds. */
const SNIPPET_TIMEOUT_MS = 90_000;

interface Snippet {
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

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
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
function tail(text: string, lines = 40): string {
  return text
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((line) => (line.length > 400 ? `${line.slice(0, 200)} ...[${line.length - 400} chars]... ${line.slice(-200)}` : line))
    .join('\n');
}

const markdownFiles = readdirSync(docsDir)
  .filter((f) => f.endsWith('.md'))
  .sort();
const exampleDirs = existsSync(examplesDir)
  ? readdirSync(examplesDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
  : [];
const snippets = markdownFiles.flatMap((f) => extractSnippets(readFileSync(path.join(docsDir, f), 'utf8'), f));

beforeAll(() => {
  const built = ['backend', 'datasets', 'backbones', 'losses', 'disentangle', 'attacks', 'training'].filter(
    (p) => !existsSync(path.join(repoDir, 'packages', p, 'dist', 'index.js')),
  );
  if (built.length > 0) {
    throw new Error(`build the packages first (pnpm build): no dist/index.js in ${built.map((p) => `packages/${p}`).join(', ')}`);
  }
  mkdirSync(runDir, { recursive: true });
});

describe('extractSnippets', () => {
  it('finds `ts run` blocks with the line of their fence and ignores other blocks', () => {
    const md = ['# t', '```ts', 'skip();', '```', '', '```ts run', 'a();', '  b();', '```', '~~~ts run', 'c();', '~~~'].join('\n');
    expect(extractSnippets(md, 'x.md')).toEqual([
      { file: 'x.md', line: 6, code: 'a();\n  b();\n' },
      { file: 'x.md', line: 10, code: 'c();\n' },
    ]);
  });

  it('the docs hold runnable snippets', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(10);
  });
});

describe('relative links in the docs and examples point to existing files', () => {
  const files = [
    ...markdownFiles.map((f) => path.join(docsDir, f)),
    ...exampleDirs.map((d) => path.join(examplesDir, d, 'README.md')).filter(existsSync),
  ];
  it.each(files.map((f) => [path.relative(repoDir, f), f]))('%s', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
      const clean = decodeURIComponent(target.split('#')[0]);
      // api/ is generated by `pnpm --filter @ddar/docs api` and git-ignored.
      if (clean.startsWith('api/') || clean === 'api') continue;
      if (!existsSync(path.resolve(path.dirname(file), clean))) broken.push(target);
    }
    expect(broken).toEqual([]);
  });
});

describe('doc snippets', () => {
  it.each(snippets.map((s) => [`${s.file}:${s.line}`, s]))('%s', async (name, snippet) => {
    const file = path.join(runDir, `${snippet.file.replace(/\.md$/, '')}-L${snippet.line}.ts`);
    writeFileSync(file, snippet.code);
    try {
      const { code, output } = await run([file]);
      if (code !== 0) {
        throw new Error(`snippet ${name} (docs/${snippet.file}, block at line ${snippet.line}) exited with ${code}:\n${tail(output)}`);
      }
    } finally {
      rmSync(file, { force: true });
    }
  });
});

describe('types', () => {
  // Types are checked against the packages' published declarations (dist/*.d.ts), as a user's compiler would see them.
  it('every snippet and example type-checks', async () => {
    const dir = path.join(runDir, 'typecheck');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const s of snippets) {
      // `export {}` makes each block a module, so that top-level await is allowed and blocks do not share names.
      writeFileSync(path.join(dir, `${s.file.replace(/\.md$/, '')}-L${s.line}.ts`), `${s.code}export {};\n`);
    }
    for (const d of exampleDirs) {
      const main = path.join(examplesDir, d, 'main.ts');
      if (existsSync(main)) writeFileSync(path.join(dir, `example-${d}.ts`), readFileSync(main, 'utf8'));
    }
    const tsc = require.resolve('typescript/bin/tsc', { paths: [repoDir] });
    const output = await new Promise<string | null>((resolve) => {
      execFile(process.execPath, [tsc, '-p', path.join(docsDir, 'tsconfig.snippets.json')], { cwd: docsDir, maxBuffer: 16 << 20 },
        (error, stdout, stderr) => resolve(error === null ? null : `${stdout}${stderr}`));
    });
    rmSync(dir, { recursive: true, force: true });
    // Error lines read `.run/typecheck/<doc>-L<fence line>.ts(<line in block>,<col>)`: the doc's block and its line.
    expect(output).toBeNull();
  });
});

describe('examples', () => {
  it.each(exampleDirs.map((d) => [`examples/${d}`, d]))('%s runs (tiny)', async (name, dir) => {
    const main = ['main.ts', 'main.mjs'].map((f) => path.join(examplesDir, dir, f)).find(existsSync);
    if (main === undefined) throw new Error(`${name} has no main.ts`);
    const { code, output } = await run([main], { DDAR_EXAMPLE_TINY: '1' });
    if (code !== 0) throw new Error(`${name}/${path.basename(main)} exited with ${code}:\n${tail(output)}`);
  });
});
