#!/usr/bin/env node
// Measures what a profile's budget is made of, on this machine: training images per second of every variant (the
// bench's own models and training config, data-parallel as `reproduce` runs it), and the seconds per image of each
// attack on the inference path. The `standard` profile's doc comment (src/profiles.ts) was sized from its output. Run
// from apps/bench after `pnpm turbo run build --filter=@ddar/bench...`, on a quiet machine:
//
//   node scripts/measure_rates.mjs [--dataset=mnist] [--width=0.5] [--batch=64] [--steps=60] [--images=200]
//     [--variants=baseline,ae-reg,ddar,fgsm-at,ddar+fgsm-at,baseline+aug,ddar+consistency] [--workers=<default>]
//
// Training runs `steps` steps twice (two epochs of steps * batch images) and reports the second epoch, so one-time
// costs (worker start-up, kernel compilation) stay out of the rate.
import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { APGD, FGSM, PGD, SquareAttack, asModel, robustAccuracy } from '@ddar/attacks';
import { initBackend } from '@ddar/backend';
import { loadFashionMnist, loadMnist } from '@ddar/datasets';
import { train } from '@ddar/training';
import { defaultWorkers } from '../dist/environment.js';
import { createModel } from '../dist/model_factory.js';
import { PROFILES } from '../dist/profiles.js';
import { trainingConfig } from '../dist/train_variant.js';

const args = Object.fromEntries(process.argv.slice(2).map((arg) => {
  const [key, value] = arg.replace(/^--/, '').split('=');
  return [key, value ?? 'true'];
}));
const number = (key, fallback) => {
  const value = args[key] === undefined ? fallback : Number(args[key]);
  if (!Number.isFinite(value)) throw new Error(`--${key} must be a number, but got '${args[key]}'`);
  return value;
};

const backend = await initBackend({ log: false });
const dataset = args.dataset ?? 'mnist';
const width = number('width', 0.5);
const batchSize = number('batch', 64);
const steps = number('steps', 60);
const imageCount = number('images', 200);
const workers = number('workers', defaultWorkers(batchSize, backend.name));
const variants = (args.variants ?? 'baseline,ae-reg,ddar,fgsm-at,ddar+fgsm-at,baseline+aug,ddar+consistency').split(',');
const load = dataset === 'mnist' ? loadMnist : loadFashionMnist;
const trainSet = await load({ split: 'train', limit: steps * batchSize });
const testSet = await load({ split: 'test', limit: imageCount });
const profile = { ...PROFILES.quick, epochs: 2, batchSize, width };
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ddar-rates-'));
console.log(`# ${os.cpus()[0].model.trim()} x ${os.cpus().length}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ` +
  `${backend.name}, ${workers + 1} training thread(s); ${dataset}, width ${width}, batch ${batchSize}`);

const trained = new Map();
for (const variant of variants) {
  const model = createModel({ variant, inputShape: trainSet.images.shape.slice(1), numClasses: trainSet.numClasses, width, seed: 1 });
  const config = trainingConfig(profile, dataset, variant, 1, path.join(scratch, variant.replace(/\W/g, '_')), workers);
  const history = await train(model, { train: trainSet }, { ...config, resume: false, checkpoint: undefined, progress: 'none' });
  const second = history.epochs[1];
  console.log(`train ${variant.padEnd(18)} ${(trainSet.size / second.seconds).toFixed(0).padStart(6)} images/s ` +
    `(60 000 images: ${(60000 / (trainSet.size / second.seconds)).toFixed(0)} s per epoch)`);
  trained.set(variant, model);
}

// Attacks cost the same whatever a model learned; what matters is the inference path (DDAR's is the backbone and the
// appearance head, the baseline's the backbone and a linear classifier).
const attacks = [
  { name: 'FGSM', attack: new FGSM(), passes: 1 },
  { name: 'PGD-10', attack: new PGD({ steps: 10, seed: 1 }), passes: 10 },
  { name: 'APGD-CE-10', attack: new APGD({ steps: 10, seed: 1 }), passes: 10 },
  { name: 'Square-100', attack: new SquareAttack({ queries: 100, seed: 1 }), passes: 100 },
];
for (const variant of variants.filter((v) => v === 'baseline' || v === 'ddar')) {
  const model = trained.get(variant);
  const target = asModel((x) => model.classify(x), { bounds: [0, 1] });
  for (const { name, attack, passes } of attacks) {
    const started = performance.now();
    await robustAccuracy(target, { images: testSet.images, labels: testSet.labels }, [attack], [0.1], { batchSize: 100 });
    const perImage = (performance.now() - started) / 1000 / testSet.size;
    console.log(`attack ${variant.padEnd(9)} ${name.padEnd(11)} ${(1000 * perImage).toFixed(2).padStart(7)} ms per image ` +
      `(${(1000 * perImage / passes).toFixed(3)} ms per pass)`);
  }
}
fs.rmSync(scratch, { recursive: true, force: true });
tf.disposeVariables();
