// Runs every `ts run` block of docs/*.md in its own `node` process against the built packages (see scripts/snippets.ts).
// A failing block is reported as `<file>.md:<line>`, the line of its opening fence.
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { requireBuiltPackages, runDir, runTs, snippetFileName, snippets, tail } from './scripts/snippets';

beforeAll(requireBuiltPackages);

describe('doc snippets', () => {
  it.each(snippets.map((s) => [`${s.file}:${s.line}`, s]))('%s', async (name, snippet) => {
    const file = path.join(runDir, snippetFileName(snippet));
    writeFileSync(file, snippet.code);
    try {
      const { code, output } = await runTs([file]);
      if (code !== 0) {
        throw new Error(`snippet ${name} (docs/${snippet.file}, block at line ${snippet.line}) exited with ${code}:\n${tail(output)}`);
      }
    } finally {
      rmSync(file, { force: true });
    }
  });
});
