// Runs every examples/<name>/main.ts (or main.mjs) against the built packages with DDAR_EXAMPLE_TINY=1, which keeps
// each to a few seconds.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { exampleDirs, examplesDir, requireBuiltPackages, runTs, tail } from './scripts/snippets';

beforeAll(requireBuiltPackages);

describe('examples', () => {
  it.each(exampleDirs.map((d) => [`examples/${d}`, d]))('%s runs (tiny)', async (name, dir) => {
    const main = ['main.ts', 'main.mjs'].map((f) => path.join(examplesDir, dir, f)).find(existsSync);
    if (main === undefined) throw new Error(`${name} has no main.ts`);
    const { code, output } = await runTs([main], { DDAR_EXAMPLE_TINY: '1' });
    if (code !== 0) throw new Error(`${name}/${path.basename(main)} exited with ${code}:\n${tail(output)}`);
  });
});
