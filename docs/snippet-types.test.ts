// Type-checks every `ts run` block of docs/*.md and every example's main.ts against the packages' published
// declarations (dist/*.d.ts), as a user's compiler would see them (tsconfig.snippets.json).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { docsDir, exampleDirs, examplesDir, repoDir, requireBuiltPackages, runDir, snippetFileName, snippets } from './scripts/snippets';

beforeAll(requireBuiltPackages);

describe('types', () => {
  it('every snippet and example type-checks', async () => {
    const dir = path.join(runDir, 'typecheck');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const s of snippets) {
      // `export {}` makes each block a module, so that top-level await is allowed and blocks do not share names.
      writeFileSync(path.join(dir, snippetFileName(s)), `${s.code}export {};\n`);
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
