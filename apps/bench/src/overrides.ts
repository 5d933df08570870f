import type { Dataset } from '@ddar/datasets';
import { DATASET_NAMES, type DatasetName, type Profile } from './profiles.js';

/** The profile values a command line may override (`reproduce` all of them, `train` those that shape one training). */
export interface ProfileOverrides {
  datasets?: DatasetName[];
  seeds?: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  trainLimit?: number;
  testLimit?: number;
}

export type OverrideField = keyof ProfileOverrides;

/** The order in which overrides are listed, and the option that sets each. */
export const OVERRIDE_OPTIONS: Readonly<Record<OverrideField, string>> = {
  datasets: '--datasets',
  seeds: '--seeds',
  epochs: '--epochs',
  batchSize: '--batch-size',
  learningRate: '--learning-rate',
  trainLimit: '--train-limit',
  testLimit: '--test-limit',
};

/** The overrides that change what one model learns; the others change how many models there are or what they are tested on. */
export const TRAINING_OVERRIDES: readonly OverrideField[] = ['epochs', 'batchSize', 'learningRate', 'trainLimit'];

/**
 * One overridden value as results.json and training.json keep it: the profile's value (`null` for a train limit the
 * profile does not set, i.e. the whole training set) and the value used instead.
 */
export interface OverriddenValue {
  profile: number | string[] | null;
  value: number | string[];
}

/** The overrides of a run, by profile field; only values that differ from the profile's are kept. */
export type RecordedOverrides = Partial<Record<OverrideField, OverriddenValue>>;

/**
 * Above these, a value is a typo (an extra zero, a budget meant for another unit) rather than an experiment: the largest
 * training set the bench reads has 60 000 images, and a profile trains for at most 20 epochs.
 */
export const OVERRIDE_MAXIMA = { seeds: 100, epochs: 1000, batchSize: 8192, trainLimit: 1_000_000, testLimit: 1_000_000 } as const;

/** Adam moves every weight by about the learning rate per step: beyond 1, each step is larger than the weights themselves. */
export const MAX_LEARNING_RATE = 1;

/** A count option: a whole number from 1 to `max`. */
export function parseCount(option: string, text: string, max: number): number {
  const value = text.trim() === '' ? NaN : Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    const why = Number.isNaN(value) ? 'not a number' : !Number.isInteger(value) ? 'not a whole number' : value < 1 ? 'less than 1' : `more than ${max}`;
    throw new Error(`${option} must be a whole number from 1 to ${max}, but got '${text}' (${why})`);
  }
  return value;
}

export function parseLearningRate(text: string): number {
  const value = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > MAX_LEARNING_RATE) {
    const why = Number.isNaN(value) ? 'not a number' : !Number.isFinite(value) ? 'not finite' : value <= 0 ? 'not positive' : `more than ${MAX_LEARNING_RATE}`;
    throw new Error(`--learning-rate must be a number above 0 and at most ${MAX_LEARNING_RATE} (e.g. 1e-3), but got '${text}' (${why})`);
  }
  return value;
}

export function parseDatasetList(text: string): DatasetName[] {
  const names = text.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) {
    throw new Error(`--datasets must be a comma-separated list of datasets (${DATASET_NAMES.join(', ')}), but got '${text}'`);
  }
  for (const name of names) {
    if (!(DATASET_NAMES as readonly string[]).includes(name)) {
      throw new Error(`unknown dataset '${name}' in --datasets; known datasets: ${DATASET_NAMES.join(', ')}`);
    }
  }
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) throw new Error(`--datasets names ${repeated} twice ('${text}'); each dataset runs once`);
  return names as DatasetName[];
}

/** The override options as commander hands them over: strings, absent when not given. */
export interface OverrideOptionTexts {
  datasets?: string;
  seeds?: string;
  epochs?: string;
  batchSize?: string;
  learningRate?: string;
  trainLimit?: string;
  testLimit?: string;
}

/** Validates every override option given; each error names its option and the text it got. */
export function parseOverrides(texts: OverrideOptionTexts): ProfileOverrides {
  const overrides: ProfileOverrides = {};
  if (texts.datasets !== undefined) overrides.datasets = parseDatasetList(texts.datasets);
  if (texts.seeds !== undefined) overrides.seeds = parseCount('--seeds', texts.seeds, OVERRIDE_MAXIMA.seeds);
  if (texts.epochs !== undefined) overrides.epochs = parseCount('--epochs', texts.epochs, OVERRIDE_MAXIMA.epochs);
  if (texts.batchSize !== undefined) overrides.batchSize = parseCount('--batch-size', texts.batchSize, OVERRIDE_MAXIMA.batchSize);
  if (texts.learningRate !== undefined) overrides.learningRate = parseLearningRate(texts.learningRate);
  if (texts.trainLimit !== undefined) overrides.trainLimit = parseCount('--train-limit', texts.trainLimit, OVERRIDE_MAXIMA.trainLimit);
  if (texts.testLimit !== undefined) overrides.testLimit = parseCount('--test-limit', texts.testLimit, OVERRIDE_MAXIMA.testLimit);
  return overrides;
}

/**
 * The profile with the overrides in place, and the record of what changed. An override equal to the profile's value is
 * no override: the run is the profile's own, and is recorded (and resumed, and reused) as such.
 */
export function applyOverrides(profile: Profile, overrides: ProfileOverrides): { profile: Profile; overrides: RecordedOverrides } {
  const applied: Profile = { ...profile };
  const recorded: RecordedOverrides = {};
  for (const field of Object.keys(OVERRIDE_OPTIONS) as OverrideField[]) {
    const value = overrides[field];
    if (value === undefined) continue;
    const before = profile[field] ?? null;
    if (JSON.stringify(before) === JSON.stringify(value)) continue;
    (applied as unknown as Record<string, unknown>)[field] = Array.isArray(value) ? [...value] : value;
    recorded[field] = { profile: Array.isArray(before) ? [...before] : before, value: Array.isArray(value) ? [...value] : value };
  }
  return { profile: applied, overrides: recorded };
}

/** Only the overrides in `fields`, e.g. {@link TRAINING_OVERRIDES}. */
export function pickOverrides(overrides: RecordedOverrides, fields: readonly OverrideField[]): RecordedOverrides {
  return Object.fromEntries(fields.filter((field) => overrides[field] !== undefined).map((field) => [field, overrides[field]]));
}

function show(value: number | string[] | null, field: OverrideField): string {
  if (value === null) return field === 'trainLimit' ? 'all' : 'none';
  return Array.isArray(value) ? value.join(',') : String(value);
}

const LABELS: Readonly<Record<OverrideField, string>> = {
  datasets: 'datasets',
  seeds: 'seeds',
  epochs: 'epochs',
  batchSize: 'batch size',
  learningRate: 'learning rate',
  trainLimit: 'training images',
  testLimit: 'test images',
};

function fieldsOf(overrides: RecordedOverrides | undefined): OverrideField[] {
  return (Object.keys(OVERRIDE_OPTIONS) as OverrideField[]).filter((field) => overrides?.[field] !== undefined);
}

/** `epochs 2 → 1, batch size 64 → 32`, or '' without overrides. */
export function describeOverrides(overrides: RecordedOverrides | undefined): string {
  return fieldsOf(overrides)
    .map((field) => `${LABELS[field]} ${show(overrides![field]!.profile, field)} → ${show(overrides![field]!.value, field)}`)
    .join(', ');
}

/** The options that give these overrides again, `--epochs 1 --batch-size 32`, or '' without overrides. */
export function overridesAsOptions(overrides: RecordedOverrides | undefined): string {
  return fieldsOf(overrides)
    .map((field) => `${OVERRIDE_OPTIONS[field]} ${show(overrides![field]!.value, field)}`)
    .join(' ');
}

export function sameOverrides(a: RecordedOverrides | undefined, b: RecordedOverrides | undefined): boolean {
  return overridesAsOptions(a) === overridesAsOptions(b);
}

function batchTooLarge(profile: Profile, overrides: RecordedOverrides, images: number, where: string): Error {
  const batch = overrides.batchSize !== undefined ? `--batch-size ${profile.batchSize}` : `the ${profile.name} profile's batch size ${profile.batchSize}`;
  return new Error(`${batch} is larger than the training set (${images} images, ${where}); give a batch size of at most ${images}`);
}

/** A batch larger than the train limit could never be drawn: refused before any output is made or data loaded. */
export function checkBatchFitsLimit(profile: Profile, overrides: RecordedOverrides): void {
  if (profile.trainLimit !== undefined && profile.batchSize > profile.trainLimit) {
    const limit = overrides.trainLimit !== undefined ? `--train-limit ${profile.trainLimit}` : `the ${profile.name} profile's train limit`;
    throw batchTooLarge(profile, overrides, profile.trainLimit, limit);
  }
}

/**
 * Checks a loaded training set against the values that depend on its size: a batch larger than the set cannot be drawn
 * (refused here, naming the option, rather than deep in training), and a limit above the set's size keeps the whole set
 * (said, so that the recorded limit is not mistaken for the images used).
 */
export function checkTrainingSet(profile: Profile, overrides: RecordedOverrides, trainSet: Dataset, log: (line: string) => void): void {
  if (profile.batchSize > trainSet.size) throw batchTooLarge(profile, overrides, trainSet.size, `all of ${trainSet.name}`);
  if (overrides.trainLimit !== undefined && profile.trainLimit !== undefined && profile.trainLimit > trainSet.size) {
    log(`--train-limit ${profile.trainLimit}: ${trainSet.name} has ${trainSet.size} training images; training on all of them`);
  }
}
