#!/usr/bin/env node
// Scores models trained by sweep_train.mjs: clean accuracy on the first --test MNIST test images (default 2000) and the
// disentanglement report on the first --probe of them (default 1000, seed 1). Writes <out>/<name>/report.json and prints
// one line per model.
//
//   node scripts/sweep_evaluate.mjs --out=/tmp/sweep ddar-rec10 baseline ...
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { fileSystem, initBackend } from '@ddar/backend';
import { loadMnist } from '@ddar/datasets';
import { disentanglementReport, disentanglementSubjectOf, loadClassifierModel } from '@ddar/disentangle';
import { evaluateAccuracy } from '@ddar/training';

const options = Object.fromEntries(process.argv.slice(2).filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')));
const names = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (options.out === undefined || names.length === 0) throw new Error('usage: sweep_evaluate.mjs --out=<directory> <run name>...');
await initBackend({ log: false });
const test = await loadMnist({ split: 'test', limit: Number(options.test ?? 2000) });
const probeCount = Math.min(Number(options.probe ?? 1000), test.size);
const probeImages = tf.slice(test.images, 0, probeCount);
const probeLabels = Array.from(tf.slice(test.labels, 0, probeCount).dataSync());
const f = (x) => (x === null || x === undefined ? '–' : x.toFixed(3));
for (const name of names) {
  const directory = path.join(options.out, name);
  const model = await loadClassifierModel(fileSystem(path.join(directory, 'model')));
  const accuracy = evaluateAccuracy(model, test);
  const subject = disentanglementSubjectOf(model);
  const report = subject === undefined ? null : await disentanglementReport(subject, probeImages, probeLabels, { seed: 1 });
  fs.writeFileSync(path.join(directory, 'report.json'), JSON.stringify({ accuracy, report }, null, 1));
  const r = report;
  console.log([
    name.padEnd(22),
    `acc ${(100 * accuracy).toFixed(2)}`,
    r && `gain ${f(r.warpGain)} inv ${f(r.templateInvariance?.invariance)}`,
    r && `rotation R² zg ${f(r.probes.rotation.fromGeometric)} za ${f(r.probes.rotation.fromAppearance)}`,
    r && `shift zg ${f(r.probes.shift.fromGeometric)} za ${f(r.probes.shift.fromAppearance)}`,
    r && `scale zg ${f(r.probes.scale.fromGeometric)} za ${f(r.probes.scale.fromAppearance)}`,
    r && `class zg ${f(r.probes.class.fromGeometric)} za ${f(r.probes.class.fromAppearance)}`,
    r && `swap ${f(r.swapKeepsClass)} folding ${f(r.folding)} rms ${f(r.fieldRms)}`,
  ].filter(Boolean).join(' | '));
  model.dispose();
}
