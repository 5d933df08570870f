import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  APGD, CarliniWagnerL2, FGSM, MIFGSM, PGD, SquareAttack, robustAccuracy, type Attack,
} from '@ddar/attacks';
import { fileSystem, initBackend } from '@ddar/backend';
import { loadIdxPair, type Dataset } from '@ddar/datasets';
import { loadClassifierModel, type ClassifierModel } from '@ddar/disentangle';
import { evaluateAccuracy } from '@ddar/training';
import { DATASET_NAMES, type DatasetName, type Profile } from './profiles.js';
import { loadDataset } from './data.js';
import { attackable } from './evaluate_model.js';
import { writeFileAtomic } from './files.js';
import { withOutputDirectory } from './output_lock.js';
import { reconstructionGrid } from './grids_for_model.js';
import { StatusLine } from './status_line.js';
import { VARIANTS, type Variant } from './results.js';
import { applyOverrides, checkBatchFitsLimit, checkTrainingSet, describeOverrides, type ProfileOverrides, type RecordedOverrides } from './overrides.js';
import { trainVariant } from './train_variant.js';
import { defaultWorkers } from './environment.js';

export function parseDataset(name: string): DatasetName {
  if (!(DATASET_NAMES as readonly string[]).includes(name)) {
    throw new Error(`unknown dataset '${name}'; known datasets: ${DATASET_NAMES.join(', ')}`);
  }
  return name as DatasetName;
}

export function parseVariant(name: string): Variant {
  if (!(VARIANTS as readonly string[]).includes(name)) {
    throw new Error(`unknown model variant '${name}'; known variants: ${VARIANTS.join(', ')}`);
  }
  return name as Variant;
}

export function parseNumbers(option: string, text: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  // Number('') is 0: an empty list or an empty item must not become a radius of 0.
  const values = parts.map((part) => (part === '' ? NaN : Number(part)));
  if (values.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new Error(`${option} must be a comma-separated list of non-negative numbers, but got '${text}'`);
  }
  return values;
}

/** Attacks of the CLI whose budget bounds each pixel's change (L∞); the others bound the L2 norm of the whole change. */
const LINF_ATTACKS = new Set(['fgsm', 'pgd', 'mifgsm', 'apgd', 'square']);

/**
 * `--epsilons` of an attack on images in [0, 1]: an L∞ budget above 1 lets every pixel take any value, which is never a
 * robustness question and almost always a budget meant in 0-255 units.
 */
export function parseAttackEpsilons(attack: string, text: string): number[] {
  const epsilons = parseNumbers('--epsilons', text);
  const tooLarge = LINF_ATTACKS.has(attack) ? epsilons.find((epsilon) => epsilon > 1) : undefined;
  if (tooLarge !== undefined) {
    throw new Error(
      `--epsilons ${tooLarge} is larger than the whole input range [0, 1], so ${attack} could replace any image by any other. ` +
        `Budgets are in pixel units of [0, 1]: for ${tooLarge}/255 write ${Number((tooLarge / 255).toPrecision(4))}`,
    );
  }
  return epsilons;
}

/**
 * `--workers`: a count of worker threads, 0 included. More workers than spare cores is allowed (another machine may
 * read the same command) but is said: each extra thread only takes time from the others.
 */
export function parseWorkers(text: string, warn: (line: string) => void = (line) => console.error(line), cores = os.availableParallelism()): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 64) throw new Error(`--workers must be an integer from 0 to 64, but got '${text}'`);
  if (value > cores - 1) {
    warn(
      `warning: --workers ${value} on ${cores} core${cores === 1 ? '' : 's'}: ${value + 1} threads will share them and every step will wait ` +
        `for the slowest; --workers ${Math.max(0, cores - 1)} (one per spare core) is faster`,
    );
  }
  return value;
}

/** Most images a reconstruction grid shows per row: beyond it the PNG grows past what anyone can look at. */
export const MAX_GRID_IMAGES = 64;

export function parsePositiveInteger(option: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${option} must be a positive integer, but got '${text}'`);
  return value;
}

async function loadModelDir(directory: string): Promise<ClassifierModel> {
  const modelDir = path.basename(directory) === 'model.json' ? path.dirname(directory) : directory;
  return loadClassifierModel(fileSystem(modelDir));
}

/** The dataset whose image shape the model takes, unless one is named. */
function datasetFor(model: ClassifierModel, named: string | undefined): DatasetName {
  if (named !== undefined) return parseDataset(named);
  const [h, w, c] = model.inputShape;
  if (h === 32 && w === 32 && c === 3) return 'cifar10';
  if (h === 28 && w === 28 && c === 1) return 'mnist';
  throw new Error(`the model takes ${h}x${w}x${c} images; name a dataset with --dataset or pass --test-images/--test-labels`);
}

export async function trainCommand(
  base: Profile,
  options: { dataset: string; variant: string; seed: number; out: string; workers?: number; overrides?: ProfileOverrides },
): Promise<void> {
  const dataset = parseDataset(options.dataset);
  const variant = parseVariant(options.variant);
  const { profile, overrides } = applyOverrides(base, options.overrides ?? {});
  checkBatchFitsLimit(profile, overrides);
  await withOutputDirectory(options.out, (line) => console.error(line), () => trainLocked(profile, overrides, options, dataset, variant));
}

async function trainLocked(
  profile: Profile,
  overrides: RecordedOverrides,
  options: { seed: number; out: string; workers?: number },
  dataset: DatasetName,
  variant: Variant,
): Promise<void> {
  const log = (line: string) => console.error(line);
  if (describeOverrides(overrides) !== '') log(`overriding the ${profile.name} profile: ${describeOverrides(overrides)}`);
  const backend = await initBackend();
  const workers = options.workers ?? defaultWorkers(profile.batchSize, backend.name);
  const trainSet = await loadDataset(dataset, 'train', profile.trainLimit);
  try {
    checkTrainingSet(profile, overrides, trainSet, log);
    const trained = await trainVariant(profile, dataset, variant, options.seed, trainSet, options.out, { log, workers, overrides });
    const last = trained.history.epochs[trained.history.epochs.length - 1];
    console.log(JSON.stringify({ model: path.join(options.out, 'model'), seconds: trained.seconds, lastEpoch: last, overrides }, null, 2));
    trained.model.dispose();
  } finally {
    trainSet.dispose();
  }
}

async function testSetFor(model: ClassifierModel, options: { dataset?: string; testImages?: string; testLabels?: string; limit?: number }): Promise<Dataset> {
  if ((options.testImages === undefined) !== (options.testLabels === undefined)) {
    throw new Error('--test-images and --test-labels go together: pass both IDX files or neither');
  }
  if (options.testImages !== undefined && options.testLabels !== undefined) {
    if (options.dataset !== undefined) {
      throw new Error(`--dataset and --test-images name two test sets: pass one (got --dataset ${options.dataset} and --test-images ${options.testImages})`);
    }
    // The model's classes bound the labels: a label it cannot predict is an error, not a class of its own.
    const classNames = Array.from({ length: model.numClasses }, (_, c) => String(c));
    const ds = await loadIdxPair(options.testImages, options.testLabels, { name: path.basename(options.testImages), classNames, limit: options.limit });
    const [h, w, c] = ds.images.shape.slice(1);
    const [mh, mw, mc] = model.inputShape;
    if (h !== mh || w !== mw || c !== mc) {
      ds.dispose();
      throw new Error(`${options.testImages} holds ${h}x${w}x${c} images but the model takes ${mh}x${mw}x${mc}`);
    }
    return ds;
  }
  return loadDataset(datasetFor(model, options.dataset), 'test', options.limit);
}

export async function evaluateCommand(options: { model: string; dataset?: string; testImages?: string; testLabels?: string; limit?: number }): Promise<void> {
  await initBackend();
  const model = await loadModelDir(options.model);
  const test = await testSetFor(model, options);
  try {
    const accuracy = evaluateAccuracy(model, test);
    console.log(JSON.stringify({ model: options.model, kind: model.kind, data: test.name, examples: test.size, accuracy }, null, 2));
  } finally {
    test.dispose();
    model.dispose();
  }
}

const ATTACKS: Record<string, (seed: number) => Attack> = {
  fgsm: () => new FGSM(),
  pgd: (seed) => new PGD({ steps: 40, seed }),
  'pgd-l2': (seed) => new PGD({ norm: 'l2', steps: 40, seed }),
  mifgsm: () => new MIFGSM(),
  apgd: (seed) => new APGD({ seed }),
  cw: () => new CarliniWagnerL2(),
  square: (seed) => new SquareAttack({ seed }),
};

export async function attackCommand(options: {
  model: string; attack: string; epsilons: string; dataset?: string; testImages?: string; testLabels?: string; limit?: number; seed: number;
}): Promise<void> {
  const make = ATTACKS[options.attack];
  if (make === undefined) throw new Error(`unknown attack '${options.attack}'; known attacks: ${Object.keys(ATTACKS).join(', ')}`);
  const epsilons = parseAttackEpsilons(options.attack, options.epsilons);
  await initBackend();
  const model = await loadModelDir(options.model);
  const test = await testSetFor(model, options);
  const status = new StatusLine(process.stderr);
  try {
    const report = await robustAccuracy(attackable(model), { images: test.images, labels: test.labels }, [make(options.seed)], epsilons, {
      batchSize: 100,
      onProgress: (p) =>
        status.update(`${p.examplesDone}/${p.examplesTotal ?? '?'} images`, p.examplesTotal !== undefined ? p.examplesDone / p.examplesTotal : undefined),
    });
    status.end();
    console.log(JSON.stringify({ model: options.model, data: test.name, ...report }, null, 2));
  } finally {
    test.dispose();
    model.dispose();
  }
}

/** Writes the reconstruction grid to `out` (PNG) and beside it as SVG (`out` with the extension `.svg`). */
export async function showCommand(options: { model: string; dataset?: string; out: string; images: number }): Promise<void> {
  if (options.images > MAX_GRID_IMAGES) {
    throw new Error(`--images ${options.images}: a grid shows at most ${MAX_GRID_IMAGES} images per row; draw several grids for more`);
  }
  if (path.extname(options.out).toLowerCase() === '.svg') {
    throw new Error(`--out names the PNG to write (the SVG goes beside it), but got '${options.out}'`);
  }
  await initBackend();
  const model = await loadModelDir(options.model);
  const test = await loadDataset(datasetFor(model, options.dataset), 'test', options.images);
  try {
    const grid = reconstructionGrid(model, test.images);
    if (grid === undefined) {
      throw new Error(`${options.model} is a '${model.kind}' model: only DDAR models have the codes and decoders to show`);
    }
    const svgFile = path.join(path.dirname(options.out), `${path.basename(options.out, path.extname(options.out))}.svg`);
    await writeFileAtomic(options.out, grid.png);
    await writeFileAtomic(svgFile, grid.svg);
    console.log(`wrote ${options.out} and ${svgFile}: rows ${grid.rows.join(' / ')}`);
  } finally {
    test.dispose();
    model.dispose();
    tf.disposeVariables();
  }
}
