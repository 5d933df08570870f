#!/usr/bin/env node
// Regenerates the playground's two MNIST models with ddar-bench and records how: the exact commands, the commit they
// ran at, the date, and each model's clean accuracy on the full MNIST test set as `ddar-bench evaluate` measures it.
// The record (public/models/models.json) is what the page shows next to the models, so it cannot drift from them.
//
//   pnpm --filter @ddar/bench... build && pnpm --filter @ddar/playground models
//
// Takes a few minutes per model on two cores (wasm).
import { execFileSync } from 'node:child_process';
/* global console */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(app, '..', '..');
const cli = join(root, 'apps', 'bench', 'dist', 'cli.js');
const modelsDir = join(app, 'public', 'models');
const VARIANTS = ['baseline', 'ddar'];
const SEED = 1;

function run(command, args, options = {}) {
  return execFileSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26, ...options });
}

try {
  statSync(cli);
} catch {
  throw new Error(`${relative(root, cli)} is missing: build ddar-bench first (pnpm --filter @ddar/bench... build)`);
}

const commit = run('git', ['rev-parse', 'HEAD']).trim();
// A model trained from uncommitted changes cannot be traced to a commit; say so rather than record a false one.
const dirty = run('git', ['status', '--porcelain', '--untracked-files=no', '--', 'packages', 'apps/bench']).trim() !== '';
const work = mkdtempSync(join(tmpdir(), 'ddar-playground-models-'));
const record = {
  description:
    'The playground\'s pretrained MNIST models, made by apps/playground/scripts/make-models.mjs. Clean accuracy is on the full MNIST test set (10 000 images), measured with ddar-bench evaluate.',
  commit,
  uncommittedChanges: dirty,
  date: new Date().toISOString(),
  node: process.version,
  models: {},
};

try {
  for (const variant of VARIANTS) {
    const out = join(work, variant);
    const train = ['train', '--profile', 'quick', '--dataset', 'mnist', '--variant', variant, '--seed', String(SEED), '--out', out];
    console.error(`ddar-bench ${train.join(' ')}`);
    const started = Date.now();
    const trained = JSON.parse(run(process.execPath, [cli, ...train], { stdio: ['ignore', 'pipe', 'inherit'] }));
    const seconds = (Date.now() - started) / 1000;

    const target = join(modelsDir, variant);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    cpSync(join(out, 'model'), target, { recursive: true });

    const evaluate = ['evaluate', '--model', relative(root, target)];
    console.error(`ddar-bench ${evaluate.join(' ')}`);
    const evaluated = JSON.parse(run(process.execPath, [cli, ...evaluate], { stdio: ['ignore', 'pipe', 'inherit'] }));
    const files = readdirSync(target).sort();
    record.models[variant] = {
      kind: evaluated.kind,
      directory: relative(app, target),
      files,
      bytes: files.reduce((sum, f) => sum + statSync(join(target, f)).size, 0),
      trainCommand: `ddar-bench ${train.slice(0, -1).join(' ')} <dir>`,
      trainingSeconds: Math.round(seconds),
      lastEpoch: trained.lastEpoch,
      evaluateCommand: `ddar-bench ${evaluate.join(' ')}`,
      testSet: evaluated.data,
      testExamples: evaluated.examples,
      cleanAccuracy: evaluated.accuracy,
    };
    console.error(`${variant}: clean accuracy ${(100 * evaluated.accuracy).toFixed(2)} % on ${evaluated.examples} test images`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

writeFileSync(join(modelsDir, 'models.json'), `${JSON.stringify(record, null, 2)}\n`);
console.error(`wrote ${relative(root, join(modelsDir, 'models.json'))}`);
