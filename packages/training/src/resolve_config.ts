import * as tf from '@tensorflow/tfjs-core';
import { validateLossWeights } from '@ddar/losses';
import {
  ADVERSARIAL_METHODS,
  OPTIMIZER_NAMES,
  RECONSTRUCTION_INPUTS,
  SCHEDULE_KINDS,
  type AdversarialConfig,
  type ResolvedAdversarialConfig,
  type GeometricAugmentationConfig,
  type LearningRateSchedule,
  type OptimizerConfig,
  type ResolvedTrainingConfig,
  type TrainingConfig,
} from './config.js';
import type { LossWeights, TrainableModel } from './trainable_model.js';
import type { LabeledImages, TrainingData } from './training_data.js';

const WHERE = 'train';

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || value === undefined || value === null) return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function fail(field: string, requirement: string, value: unknown): never {
  throw new Error(`${WHERE}: config.${field} must be ${requirement}, but got ${show(value)}`);
}

function positiveInteger(field: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    fail(field, max === Number.MAX_SAFE_INTEGER ? 'an integer >= 1' : `an integer in [1, ${max}]`, value);
  }
  return value;
}

function finiteInRange(field: string, value: unknown, min: number, max: number, openMin = false): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && (openMin ? value > min : value >= min) && value <= max;
  if (!ok) {
    const range = `${openMin ? '(' : '['}${min}, ${max === Infinity ? 'Infinity)' : `${max}]`}`;
    fail(field, `a finite number in ${range}`, value);
  }
  return value as number;
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    fail(field, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}

function resolveOptimizer(optimizer: OptimizerConfig | undefined): ResolvedTrainingConfig['optimizer'] {
  if (optimizer == null || typeof optimizer !== 'object') fail('optimizer', "an object like { name: 'adam', learningRate: 1e-3 }", optimizer);
  const name = oneOf('optimizer.name', optimizer.name, OPTIMIZER_NAMES);
  const learningRate = finiteInRange('optimizer.learningRate', optimizer.learningRate, 0, Infinity, true);
  if (name === 'adam') {
    const adam = optimizer as Extract<OptimizerConfig, { name: 'adam' }>;
    return {
      name,
      learningRate,
      beta1: finiteInRange('optimizer.beta1', adam.beta1 ?? 0.9, 0, 1),
      beta2: finiteInRange('optimizer.beta2', adam.beta2 ?? 0.999, 0, 1),
      epsilon: finiteInRange('optimizer.epsilon', adam.epsilon ?? 1e-7, 0, Infinity, true),
    };
  }
  const sgd = optimizer as Extract<OptimizerConfig, { name: 'sgd' }>;
  const nesterov = sgd.nesterov ?? false;
  if (typeof nesterov !== 'boolean') fail('optimizer.nesterov', 'a boolean', nesterov);
  const momentum = finiteInRange('optimizer.momentum', sgd.momentum ?? 0, 0, 1);
  if (nesterov && momentum === 0) fail('optimizer.momentum', '> 0 when optimizer.nesterov is true', momentum);
  return { name, learningRate, momentum, nesterov };
}

function resolveSchedule(schedule: LearningRateSchedule | undefined, learningRate: number): LearningRateSchedule {
  if (schedule === undefined) return { kind: 'constant' };
  if (schedule === null || typeof schedule !== 'object') fail('schedule', "an object like { kind: 'cosine' }", schedule);
  const kind = oneOf('schedule.kind', schedule.kind, SCHEDULE_KINDS);
  if (kind === 'step') {
    const step = schedule as Extract<LearningRateSchedule, { kind: 'step' }>;
    return {
      kind,
      everyEpochs: positiveInteger('schedule.everyEpochs', step.everyEpochs),
      gamma: finiteInRange('schedule.gamma', step.gamma, 0, 1, true),
    };
  }
  if (kind === 'cosine') {
    const cosine = schedule as Extract<LearningRateSchedule, { kind: 'cosine' }>;
    return { kind, minLearningRate: finiteInRange('schedule.minLearningRate', cosine.minLearningRate ?? 0, 0, learningRate) };
  }
  return { kind };
}

function resolveGeometricAugmentation(
  augmentation: GeometricAugmentationConfig | undefined,
): Required<GeometricAugmentationConfig> | undefined {
  if (augmentation === undefined) return undefined;
  if (augmentation === null || typeof augmentation !== 'object') {
    fail('geometricAugmentation', 'an object like { maxRotationDegrees: 15, maxShiftPixels: 2, scaleRange: [0.9, 1.1] }', augmentation);
  }
  const maxRotationDegrees = finiteInRange('geometricAugmentation.maxRotationDegrees', augmentation.maxRotationDegrees ?? 15, 0, 180, false);
  const maxShiftPixels = finiteInRange('geometricAugmentation.maxShiftPixels', augmentation.maxShiftPixels ?? 2, 0, Infinity, false);
  const scaleRange = augmentation.scaleRange ?? [0.9, 1.1];
  if (
    !Array.isArray(scaleRange) ||
    scaleRange.length !== 2 ||
    !scaleRange.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0) ||
    scaleRange[0] > scaleRange[1]
  ) {
    fail('geometricAugmentation.scaleRange', 'a pair [low, high] of positive numbers with low <= high', scaleRange);
  }
  return { maxRotationDegrees, maxShiftPixels, scaleRange: [scaleRange[0], scaleRange[1]] };
}

function resolveAdversarial(adversarial: AdversarialConfig | undefined): ResolvedAdversarialConfig | null {
  if (adversarial === undefined) return null;
  if (adversarial === null || typeof adversarial !== 'object') {
    fail('adversarial', "an object like { method: 'pgd', epsilon: 0.3 }", adversarial);
  }
  const method = oneOf('adversarial.method', adversarial.method, ADVERSARIAL_METHODS);
  const epsilon = finiteInRange('adversarial.epsilon', adversarial.epsilon, 0, Infinity, true);
  const steps = positiveInteger('adversarial.steps', adversarial.steps ?? (method === 'pgd' ? 10 : 1));
  if (method === 'fgsm-rs' && steps !== 1) fail('adversarial.steps', "1 (or absent) for method 'fgsm-rs'", steps);
  const stepSize =
    adversarial.stepSize === undefined ? undefined : finiteInRange('adversarial.stepSize', adversarial.stepSize, 0, Infinity, true);
  const reconstructionInput = oneOf('adversarial.reconstructionInput', adversarial.reconstructionInput ?? 'clean', RECONSTRUCTION_INPUTS);
  const bounds = adversarial.bounds ?? [0, 1];
  if (!Array.isArray(bounds) || bounds.length !== 2 || !bounds.every(Number.isFinite) || !(bounds[0] < bounds[1])) {
    fail('adversarial.bounds', 'a pair [low, high] of finite numbers with low < high', bounds);
  }
  const resolved: ResolvedAdversarialConfig = { method, epsilon, steps, reconstructionInput, bounds: [bounds[0], bounds[1]] };
  return stepSize === undefined ? resolved : { ...resolved, stepSize };
}

function checkDataset(field: string, dataset: LabeledImages | undefined): LabeledImages {
  const ok =
    dataset != null &&
    typeof dataset === 'object' &&
    dataset.images instanceof tf.Tensor &&
    dataset.images.rank === 4 &&
    dataset.labels instanceof tf.Tensor &&
    dataset.labels.rank === 1 &&
    dataset.labels.shape[0] === dataset.images.shape[0];
  if (!ok) {
    throw new Error(
      `${WHERE}: ${field} must be a Dataset with images [N,H,W,C] and labels [N], but got ${
        dataset?.images instanceof tf.Tensor ? `images [${dataset.images.shape}] and labels [${dataset.labels?.shape}]` : show(dataset)
      }`,
    );
  }
  if (dataset.images.isDisposed || dataset.labels.isDisposed) {
    throw new Error(`${WHERE}: ${field} (${dataset.name}) has been disposed`);
  }
  if (dataset.labels.dtype !== 'int32') {
    throw new Error(`${WHERE}: ${field}.labels must be int32, but got ${dataset.labels.dtype}`);
  }
  if (!Number.isInteger(dataset.numClasses) || dataset.numClasses < 2) {
    throw new Error(`${WHERE}: ${field}.numClasses must be an integer >= 2, but got ${show(dataset.numClasses)}`);
  }
  const labels = dataset.labels.dataSync();
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < 0 || labels[i] >= dataset.numClasses) {
      throw new Error(
        `${WHERE}: ${field}.labels[${i}] is ${labels[i]}, outside [0, ${dataset.numClasses}) although ${field}.numClasses is ${dataset.numClasses}`,
      );
    }
  }
  return dataset;
}

/** The most worker threads `dataParallel.workers` accepts: far more than cores on any machine this trains on. */
const MAX_WORKERS = 64;

function checkDataParallel(dataParallel: TrainingConfig['dataParallel']): void {
  if (dataParallel === undefined) return;
  if (dataParallel === null || typeof dataParallel !== 'object') fail('dataParallel', 'an object like { workers: 1 }', dataParallel);
  const { workers, replica } = dataParallel;
  if (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 0 || workers > MAX_WORKERS) {
    fail('dataParallel.workers', `an integer in [0, ${MAX_WORKERS}]`, workers);
  }
  if (replica === undefined) return;
  if (replica === null || typeof replica !== 'object') fail('dataParallel.replica', 'an object like { module, exportName, options }', replica);
  if (!(replica.module instanceof URL) && typeof replica.module !== 'string') {
    fail('dataParallel.replica.module', 'a URL or an absolute path', replica.module);
  }
  if (replica.exportName !== undefined && (typeof replica.exportName !== 'string' || replica.exportName === '')) {
    fail('dataParallel.replica.exportName', 'a non-empty string', replica.exportName);
  }
  try {
    structuredClone(replica.options);
  } catch (error) {
    fail('dataParallel.replica.options', `plain data a worker can receive (${(error as Error).message})`, '(not cloneable)');
  }
}

/** Runs the model once on one image: a model built for other images or another number of classes fails here, clearly. */
function checkModelFitsData(model: TrainableModel, train: LabeledImages): void {
  let width: number;
  try {
    width = tf.tidy(() => model.classify(tf.slice(train.images, 0, 1) as tf.Tensor4D).shape[1]);
  } catch (error) {
    throw new Error(
      `${WHERE}: model.classify fails on data.train images of shape [${train.images.shape.slice(1)}]: ${(error as Error).message}`,
    );
  }
  if (width !== train.numClasses) {
    throw new Error(
      `${WHERE}: the model outputs ${width} classes but data.train (${train.name}) has numClasses ${train.numClasses}`,
    );
  }
}

/**
 * Validates everything that can be known before the first step and fills in the defaults, so that a config that cannot
 * work fails at once with a message naming the field and the value, not after an hour of training.
 */
export function resolveTrainingConfig(model: TrainableModel, data: TrainingData, config: TrainingConfig): ResolvedTrainingConfig {
  if (config == null || typeof config !== 'object') {
    throw new Error(`${WHERE}: config must be an object, but got ${show(config)}`);
  }
  if (model == null || typeof model.lossTerms !== 'function' || typeof model.classify !== 'function') {
    throw new Error(`${WHERE}: model must have classify() and lossTerms() (a @ddar/disentangle model), but got ${show(model)}`);
  }
  if (data == null || typeof data !== 'object') throw new Error(`${WHERE}: data must be { train, validation? }, but got ${show(data)}`);
  const train = checkDataset('data.train', data.train);
  if (data.validation !== undefined) {
    const validation = checkDataset('data.validation', data.validation);
    const trainShape = train.images.shape.slice(1).join(',');
    if (validation.images.shape.slice(1).join(',') !== trainShape) {
      throw new Error(
        `${WHERE}: data.validation images are [${validation.images.shape.slice(1)}] but data.train images are [${trainShape}]`,
      );
    }
    if (validation.numClasses !== train.numClasses) {
      throw new Error(
        `${WHERE}: data.validation.numClasses is ${validation.numClasses} but data.train.numClasses is ${train.numClasses}`,
      );
    }
  }
  const epochs = positiveInteger('epochs', config.epochs);
  const batchSize = positiveInteger('batchSize', config.batchSize, train.size);
  const optimizer = resolveOptimizer(config.optimizer);
  const schedule = resolveSchedule(config.schedule, optimizer.learningRate);
  const seed = config.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail('seed', 'an integer in [0, 2^32)', seed);
  const lossWeights = config.lossWeights === undefined ? {} : config.lossWeights;
  validateLossWeights(lossWeights, WHERE, 'config.lossWeights');
  const adversarial = resolveAdversarial(config.adversarial);
  const geometricAugmentation = resolveGeometricAugmentation(config.geometricAugmentation);
  if (geometricAugmentation !== undefined && adversarial !== null) {
    fail('geometricAugmentation', 'absent when adversarial training is configured (the two cannot be combined)', config.geometricAugmentation);
  }
  if (config.checkpoint !== undefined) {
    const { directory, everySteps, keep } = config.checkpoint ?? {};
    if (typeof directory !== 'string' || directory.length === 0) fail('checkpoint.directory', 'a non-empty path', directory);
    if (everySteps !== undefined) positiveInteger('checkpoint.everySteps', everySteps);
    if (keep !== undefined && (!Number.isInteger(keep) || keep < 2)) {
      fail('checkpoint.keep', 'an integer of at least 2 (the newest checkpoint and one to fall back to)', keep);
    }
  }
  if (config.resume && config.checkpoint === undefined) fail('checkpoint', 'set when resume is true (where to resume from)', undefined);
  if (config.evaluationBatchSize !== undefined) positiveInteger('evaluationBatchSize', config.evaluationBatchSize);
  if (config.progress !== undefined) oneOf('progress', config.progress, ['auto', 'bar', 'lines', 'none'] as const);
  checkDataParallel(config.dataParallel);
  checkModelFitsData(model, train);
  return {
    epochs,
    batchSize,
    optimizer,
    schedule,
    lossWeights: JSON.parse(JSON.stringify(lossWeights)) as LossWeights,
    seed,
    adversarial,
    ...(geometricAugmentation === undefined ? {} : { geometricAugmentation }),
    modelKind: String(model.kind),
    trainData: {
      name: train.name,
      size: train.size,
      imageShape: train.images.shape.slice(1),
      numClasses: train.numClasses,
    },
  };
}
