#!/usr/bin/env node
// Trains one model of the disentanglement sweep (docs/results/disentanglement.md): MNIST, smallCnn at width 0.5, Adam
// 1e-3, batch 64, with the options given on the command line, into <out>/<name>/ (model/ and training.json). Run from
// apps/bench after `pnpm turbo run build --filter=@ddar/bench...`:
//
//   node scripts/sweep_train.mjs --out=/tmp/sweep --name=ddar-rec10 [--kind=ddar|baseline|ae-reg] [--geometry=integral]
//     [--dA=16 --dG=64] [--rec=10 --smooth=0.01 --mag=0 --bias=1 --inv=1 --cross=10]
//     [--aug --augRot=45 --augShift=3 --augScale=0.2] [--train=12000 --epochs=2 --seed=1 --workers=1]
//
// Unset loss weights take the model's defaults. The epoch records, with each term's gradient norm on the backbone, are
// printed and kept in training.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileSystem, initBackend } from '@ddar/backend';
import { loadMnist } from '@ddar/datasets';
import { AutoencoderRegModel, BaselineModel, DDARModel } from '@ddar/disentangle';
import { train } from '@ddar/training';

const args = Object.fromEntries(process.argv.slice(2).map((arg) => {
  const [key, value] = arg.replace(/^--/, '').split('=');
  return [key, value ?? 'true'];
}));
const number = (key, fallback) => {
  if (args[key] === undefined) return fallback;
  const value = Number(args[key]);
  if (!Number.isFinite(value)) throw new Error(`--${key} must be a number, but got '${args[key]}'`);
  return value;
};
if (args.out === undefined || args.name === undefined) throw new Error('--out=<directory> and --name=<run name> are required');

await initBackend({ log: false });
const directory = path.join(args.out, args.name);
fs.mkdirSync(directory, { recursive: true });
const trainSet = await loadMnist({ split: 'train', limit: number('train', 12000) });
const common = { inputShape: [28, 28, 1], numClasses: 10, seed: number('seed', 1), backboneOptions: { width: 0.5 } };
const kind = args.kind ?? 'ddar';
const model =
  kind === 'baseline' ? BaselineModel.create(common)
  : kind === 'ae-reg' ? AutoencoderRegModel.create(common)
  : DDARModel.create({ ...common, geometry: args.geometry ?? 'integral', dA: number('dA', undefined), dG: number('dG', undefined) });
const weightNames = { rec: 'reconstruction', smooth: 'smoothness', mag: 'magnitude', bias: 'biasReduction', inv: 'appearanceInvariance', cross: 'crossReconstruction' };
const lossWeights = Object.fromEntries(Object.entries(weightNames).filter(([flag]) => args[flag] !== undefined).map(([flag, name]) => [name, number(flag)]));
const augmentation = args.aug === undefined ? undefined : {
  maxRotationDegrees: number('augRot', 15),
  maxShiftPixels: number('augShift', 2),
  scaleRange: [1 - number('augScale', 0.1), 1 + number('augScale', 0.1)],
};
const started = Date.now();
const history = await train(model, { train: trainSet }, {
  epochs: number('epochs', 2),
  batchSize: 64,
  optimizer: { name: 'adam', learningRate: 1e-3 },
  lossWeights: kind === 'baseline' || Object.keys(lossWeights).length === 0 ? undefined : lossWeights,
  seed: number('seed', 1),
  geometricAugmentation: augmentation,
  dataParallel: { workers: number('workers', 1) },
  progress: 'lines',
});
const seconds = (Date.now() - started) / 1000;
await model.save(fileSystem(path.join(directory, 'model')));
fs.writeFileSync(path.join(directory, 'training.json'), JSON.stringify({ args, seconds, history }, null, 1));
console.log(`${args.name}: ${seconds.toFixed(0)} s, train accuracy ${history.epochs.at(-1).trainAccuracy.toFixed(4)}`);
