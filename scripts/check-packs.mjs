#!/usr/bin/env node
// The "install one package" promise, checked: pack every published package, install each tarball with plain npm into
// an empty project outside the workspace (no workspace links), and there
// - check what ships beside the code: the LICENSE (the repository's, byte for byte: pnpm packs the workspace root's
//   LICENSE into a package that has none, so there is one copy to keep) and source maps whose sources are in the
//   package (or inlined);
// - run a small script against it with `import`, and another with `require` (which must also see the same exports);
// - compile a TypeScript file against it with strict tsc, module resolution nodenext (an ES module and a CommonJS one)
//   and bundler, using the workspace's typescript;
// - bundle it for a browser with esbuild, once through `import` and once through `require`: every package must bundle
//   without a Node.js built-in (esbuild fails on one), from its "browser" build where it has one;
// and, once every project is ready, run each `require` script again under Jest with its default configuration, as a
// Jest user whose tests are CommonJS would.
// Needs `pnpm build` first (turbo's `check-packs` task depends on it).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const packagesDir = join(root, 'packages');
const work = mkdtempSync(join(tmpdir(), 'ddar-packs-'));
const tarballs = join(work, 'tarballs');
const license = readFileSync(join(root, 'LICENSE'));
const bin = (name) => join(root, 'node_modules', '.bin', name);

// Per package: the peers a user installs beside it, an ES module script and a CommonJS script that use only the
// package (plus tfjs), and the packages that installing it must not bring along.
const smokeScripts = JSON.parse(readFileSync(join(root, 'scripts', 'pack-smoke.json'), 'utf8'));

function run(command, args, cwd) {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Like `run`, but does not wait, so the two type checks of a package share the machine's cores. */
function runAsync(command, args, cwd) {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (status) => done({ status, output }));
  });
}

/** A second copy of tfjs-core, or a kernel registered twice, shows up as these warnings. */
const duplicateWarning = (stderr) => /already registered|has already been set|more than one copy/i.exec(stderr);

/** Every file of an installed package, relative to its directory. */
function filesOf(dir, prefix = '') {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = join(prefix, entry.name);
    return entry.isDirectory() ? filesOf(dir, path) : [path];
  });
}

/** What the package ships beside its code, as installed from its tarball: its LICENSE and its source maps. */
function shippedFileProblems(installed) {
  const problems = [];
  const licenseFile = join(installed, 'LICENSE');
  if (!existsSync(licenseFile)) problems.push('no LICENSE');
  else if (!readFileSync(licenseFile).equals(license)) problems.push('LICENSE differs from the repository root LICENSE');
  const files = filesOf(installed);
  for (const file of files.filter((f) => /\.(js|d\.ts)$/.test(f))) {
    const link = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(installed, file), 'utf8'));
    if (link !== null && !link[1].startsWith('data:') && !existsSync(resolve(installed, dirname(file), link[1]))) {
      problems.push(`${file} names a source map that is not shipped: ${link[1]}`);
    }
  }
  for (const file of files.filter((f) => f.endsWith('.map'))) {
    const map = JSON.parse(readFileSync(join(installed, file), 'utf8'));
    map.sources.forEach((source, i) => {
      if (map.sourcesContent?.[i] != null) return;
      const path = resolve(installed, dirname(file), map.sourceRoot ?? '', source);
      if (relative(installed, path).startsWith('..') || !existsSync(path)) problems.push(`${file} maps to ${source}, which is not shipped`);
    });
  }
  return problems;
}

/** Diagnostics of tsc in the check's own files and in @ddar packages; tfjs's declarations have their own, not ours. */
function ownDiagnostics(output) {
  const errors = [];
  let keep = false;
  for (const line of output.split('\n')) {
    const at = /^(\S[^(]*)\(\d+,\d+\): error /.exec(line);
    if (at !== null) keep = !at[1].includes('node_modules/') || at[1].includes('node_modules/@ddar/');
    else if (/^error /.test(line)) keep = true; // about the configuration or the run, not a file
    else if (!/^\s/.test(line)) keep = false;
    if (keep) errors.push(line);
  }
  return errors;
}

/** Strict tsc against the installed package: ES module and CommonJS under nodenext, and a bundler's resolution. */
async function typeProblems(project, packageName) {
  const dir = join(project, 'types');
  mkdirSync(dir);
  const use = `export const names: string[] = Object.keys(pkg);\n`;
  writeFileSync(join(dir, 'esm.mts'), `import * as pkg from '${packageName}';\n${use}`);
  writeFileSync(join(dir, 'cjs.cts'), `import pkg = require('${packageName}');\n${use}`);
  writeFileSync(join(dir, 'bundler.ts'), `import * as pkg from '${packageName}';\n${use}`);
  // skipLibCheck off, so that the packages' own declarations are checked too; Node's types from the workspace.
  const common = {
    target: 'es2022',
    lib: ['es2022'],
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
  };
  const configs = {
    nodenext: { compilerOptions: { ...common, module: 'nodenext', moduleResolution: 'nodenext' }, files: ['esm.mts', 'cjs.cts'] },
    bundler: { compilerOptions: { ...common, module: 'esnext', moduleResolution: 'bundler' }, files: ['bundler.ts'] },
  };
  const results = await Promise.all(
    Object.entries(configs).map(async ([mode, config]) => {
      writeFileSync(join(dir, `tsconfig.${mode}.json`), JSON.stringify(config, null, 2));
      const { status, output } = await runAsync(bin('tsc'), ['-p', `tsconfig.${mode}.json`, '--pretty', 'false'], dir);
      if (status !== 0 && !/error TS\d+/.test(output)) return [`tsc (${mode}) failed without diagnostics: ${output}`];
      return ownDiagnostics(output).map((line) => `tsc (${mode}): ${line}`);
    }),
  );
  return results.flat();
}

/** The file a bundler should take for `packageName` in a browser, through `import` or `require`, from its manifest. */
function browserTarget(installed, manifest, how) {
  const root = manifest.exports['.'];
  const target = (root.browser ?? root)[how];
  return relative(installed, resolve(installed, typeof target === 'string' ? target : target.default));
}

/**
 * Bundles the installed package for a browser with esbuild, as an application would: every export kept (so none is
 * shaken off unchecked), tfjs and the package's dependencies from the project's node_modules. esbuild fails on any
 * Node.js built-in it cannot resolve for the browser, which is the point; the metafile says which build of the package
 * went in.
 */
async function browserBundleProblems(project, manifest) {
  const installed = join(project, 'node_modules', manifest.name);
  const entries = {
    import: `import * as pkg from '${manifest.name}';\nglobalThis.ddarExports = pkg;\n`,
    require: `globalThis.ddarExports = require('${manifest.name}');\n`,
  };
  const problems = [];
  const sizes = [];
  const started = performance.now();
  for (const [how, contents] of Object.entries(entries)) {
    try {
      const result = await build({
        stdin: { contents, resolveDir: project, sourcefile: `browser-${how}.js` },
        absWorkingDir: project,
        bundle: true,
        platform: 'browser',
        format: how === 'import' ? 'esm' : 'iife',
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      const expected = join('node_modules', manifest.name, browserTarget(installed, manifest, how));
      if (result.metafile.inputs[expected] === undefined) {
        problems.push(`browser bundle (${how}) did not take ${expected}`);
      }
      sizes.push(`${how} ${(result.outputFiles[0].contents.length / 1e6).toFixed(1)} MB`);
    } catch (error) {
      const messages = (error.errors ?? [error]).map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text ?? String(e)));
      problems.push(`browser bundle (${how}, esbuild platform browser) failed:\n    ${messages.join('\n    ')}`);
    }
  }
  return { problems, summary: `browser bundle ${sizes.join(', ')} in ${((performance.now() - started) / 1000).toFixed(1)} s` };
}

/** The CommonJS script as a module exporting one async function, so that node and Jest can both run it. */
const requireModule = (code) => `module.exports = async function smoke() {\n${code}\n};\n`;

/** Runs the CommonJS script in node, then checks that `require` and `import` give the package's same exports. */
const requireRunner = (packageName) => `const smoke = require('./smoke-require.cjs');
smoke()
  .then(async () => {
    const required = Object.keys(require('${packageName}')).sort();
    const imported = Object.keys(await import('${packageName}')).sort();
    if (JSON.stringify(required) !== JSON.stringify(imported)) {
      throw new Error('require and import give different exports: ' + JSON.stringify({ required, imported }));
    }
  })
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
`;

let failures = 0;
function fail(packageName, what) {
  failures++;
  console.error(`FAIL ${packageName}: ${what}`);
}

try {
  const all = readdirSync(packagesDir).filter((name) => !name.startsWith('.'));
  for (const name of all) {
    run('pnpm', ['pack', '--pack-destination', tarballs], join(packagesDir, name));
  }
  // Arguments narrow which packages are tried (all are packed: they may be each other's dependencies).
  const only = process.argv.slice(2);
  const names = all.filter((name) => only.length === 0 || only.includes(name));
  const files = readdirSync(tarballs);
  const jestProjects = new Map();
  for (const name of names) {
    const manifest = JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8'));
    const script = smokeScripts[manifest.name];
    if (script === undefined || typeof script.code !== 'string' || typeof script.require !== 'string') {
      fail(manifest.name, 'no `code` and `require` smoke scripts in scripts/pack-smoke.json');
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
    const problems = shippedFileProblems(join(project, 'node_modules', manifest.name));
    for (const absent of script.absent ?? []) {
      if (existsSync(join(project, 'node_modules', absent))) problems.push(`installing it also installed ${absent}`);
    }

    writeFileSync(join(project, 'smoke.mjs'), script.code);
    writeFileSync(join(project, 'smoke-require.cjs'), requireModule(script.require));
    writeFileSync(join(project, 'run-require.cjs'), requireRunner(manifest.name));
    const typesChecked = typeProblems(project, manifest.name);
    const lastLines = [];
    for (const [how, file] of [['import', 'smoke.mjs'], ['require', 'run-require.cjs']]) {
      const result = await runAsync(process.execPath, [file], project);
      const duplicate = duplicateWarning(result.output);
      if (result.status !== 0 || duplicate !== null) problems.push(`${how} script failed:\n${result.output}`);
      else lastLines.push(`${how}: ${result.output.trim().split('\n').pop()}`);
    }
    problems.push(...(await typesChecked));
    const browserBundle = await browserBundleProblems(project, manifest);
    problems.push(...browserBundle.problems);

    // A CommonJS directory of its own (the project is an ES module one), resolving the package from the project.
    const jestDir = join(project, 'jest');
    mkdirSync(jestDir);
    writeFileSync(join(jestDir, 'package.json'), JSON.stringify({ private: true }));
    writeFileSync(join(jestDir, 'require.test.js'), `const smoke = require('../smoke-require.cjs');\n\ntest('require(${JSON.stringify(manifest.name)}) under Jest', smoke);\n`);
    jestProjects.set(jestDir, manifest.name);

    if (problems.length > 0) fail(manifest.name, problems.join('\n  '));
    else console.log(`ok   ${manifest.name}: ${lastLines.join('; ')}; LICENSE, source maps, tsc nodenext + bundler, ${browserBundle.summary}`);
  }

  if (jestProjects.size > 0) {
    // Jest's defaults throughout (its own CommonJS module system, babel-jest), only the roots and a report file set.
    const report = join(work, 'jest-report.json');
    const config = { rootDir: work, roots: [...jestProjects.keys()], testTimeout: 120000 };
    const result = await runAsync(bin('jest'), ['--ci', '--config', JSON.stringify(config), '--json', '--outputFile', report], work);
    const results = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')).testResults : [];
    for (const [jestDir, packageName] of jestProjects) {
      const outcome = results.find((r) => dirname(r.name) === jestDir);
      if (outcome === undefined || outcome.status !== 'passed') {
        fail(packageName, `require under Jest failed:\n${outcome?.message || result.output}`);
      } else {
        console.log(`ok   ${packageName}: require under Jest`);
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (failures > 0) {
  console.error(`check-packs: ${failures} check(s) failed`);
  process.exit(1);
}
