#!/usr/bin/env node
// The "install one package" promise, checked: pack every published package, install each tarball with plain npm into
// an empty project outside the workspace (no workspace links), and run a small script against it there.
// Needs `pnpm build` first (turbo's `check-packs` task depends on it).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packagesDir = join(root, 'packages');
const work = mkdtempSync(join(tmpdir(), 'ddar-packs-'));
const tarballs = join(work, 'tarballs');

// One script per package; each imports only its package (plus tfjs) and exercises the public API a little.
const smokeScripts = JSON.parse(readFileSync(join(root, 'scripts', 'pack-smoke.json'), 'utf8'));

function run(command, args, cwd) {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

let failures = 0;
try {
  const all = readdirSync(packagesDir).filter((name) => !name.startsWith('.'));
  for (const name of all) {
    run('pnpm', ['pack', '--pack-destination', tarballs], join(packagesDir, name));
  }
  // Arguments narrow which packages are tried (all are packed: they may be each other's dependencies).
  const only = process.argv.slice(2);
  const names = all.filter((name) => only.length === 0 || only.includes(name));
  const files = readdirSync(tarballs);
  for (const name of names) {
    const manifest = JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8'));
    const script = smokeScripts[manifest.name];
    if (script === undefined) {
      console.error(`check-packs: no smoke script for ${manifest.name} in scripts/pack-smoke.json`);
      failures++;
      continue;
    }
    // The package's own @ddar dependencies come from their tarballs too: none is on a registry yet.
    const wanted = new Set([manifest.name, ...Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith('@ddar/'))]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const dep of [...wanted]) {
        const depDir = dep.replace('@ddar/', '');
        const depManifest = JSON.parse(readFileSync(join(packagesDir, depDir, 'package.json'), 'utf8'));
        for (const sub of Object.keys(depManifest.dependencies ?? {})) {
          if (sub.startsWith('@ddar/') && !wanted.has(sub)) {
            wanted.add(sub);
            grew = true;
          }
        }
      }
    }
    const tgz = [...wanted].map((dep) => {
      const prefix = `ddar-${dep.replace('@ddar/', '')}-`;
      const file = files.find((f) => f.startsWith(prefix) && /^\d/.test(f.slice(prefix.length)));
      return join(tarballs, file);
    });
    const project = mkdtempSync(join(work, `${name}-`));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: `try-${name}`, private: true, type: 'module' }));
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tgz, ...script.peers], project);
    writeFileSync(join(project, 'smoke.mjs'), script.code);
    const result = spawnSync(process.execPath, ['smoke.mjs'], { cwd: project, encoding: 'utf8' });
    // A second copy of tfjs-core, or a kernel registered twice, shows up as these warnings.
    const duplicate = /already registered|has already been set|more than one copy/i.exec(result.stderr);
    if (result.status !== 0 || duplicate !== null) {
      failures++;
      console.error(`FAIL ${manifest.name}:\n${result.stdout}${result.stderr}`);
    } else {
      console.log(`ok   ${manifest.name}: ${result.stdout.trim().split('\n').pop()}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (failures > 0) {
  console.error(`check-packs: ${failures} package(s) failed`);
  process.exit(1);
}
