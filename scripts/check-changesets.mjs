#!/usr/bin/env node
// Dry run of `changeset version` on a copy of the repository: the pending changesets must apply cleanly, and every
// published package must come out of it with a CHANGELOG.md. Nothing in the working tree changes.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const copy = mkdtempSync(join(tmpdir(), 'ddar-changesets-'));
let failed = false;
try {
  const tracked = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const file of tracked) {
    if (existsSync(join(root, file))) cpSync(join(root, file), join(copy, file), { recursive: true });
  }
  const changesetBin = join(root, 'node_modules', '.bin', 'changeset');
  execFileSync(changesetBin, ['version'], { cwd: copy, stdio: ['ignore', 'pipe', 'inherit'] });
  for (const name of readdirSync(join(copy, 'packages'))) {
    const manifest = JSON.parse(readFileSync(join(copy, 'packages', name, 'package.json'), 'utf8'));
    const before = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
    const changelog = join(copy, 'packages', name, 'CHANGELOG.md');
    const hasChangelog = existsSync(changelog);
    const bumped = manifest.version !== before.version;
    console.log(`${hasChangelog ? 'ok  ' : 'FAIL'} ${manifest.name}: ${bumped ? `${before.version} -> ${manifest.version}` : `${before.version} (no pending changeset)`}${hasChangelog ? '' : ', no CHANGELOG.md'}`);
    if (!hasChangelog) failed = true;
  }
} finally {
  rmSync(copy, { recursive: true, force: true });
}
if (failed) {
  console.error('check-changesets: a published package has no CHANGELOG.md and no pending changeset to create one; add one with `pnpm changeset`');
  process.exit(1);
}
