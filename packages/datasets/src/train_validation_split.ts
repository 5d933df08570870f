import type { Dataset } from './dataset.js';
import { SeededRandom } from '@ddar/random';
import { assertSeed } from './assert_seed.js';
import { assertLiveDataset, subsetDataset } from './subset.js';

/** Options of {@link trainValidationSplit}; both fields are required. */
export interface TrainValidationSplitOptions {
  /** Share of examples held out for validation, in (0, 1). */
  validationFraction: number;
  /** Same seed, same split, on every backend. */
  seed: number;
}

/**
 * Splits `ds` into two new datasets drawn at random without overlap: `round(N * fraction)`
 * examples go to validation, the rest to train, each kept in the original order. The input stays
 * owned by the caller (dispose it if it is no longer needed); the results are copies.
 */
export function trainValidationSplit(
  ds: Dataset,
  options: TrainValidationSplitOptions,
): { train: Dataset; validation: Dataset } {
  const where = 'trainValidationSplit';
  assertLiveDataset(ds, where);
  const { validationFraction, seed } = options ?? ({} as TrainValidationSplitOptions);
  if (typeof validationFraction !== 'number' || !(validationFraction > 0 && validationFraction < 1)) {
    throw new Error(`${where}: validationFraction must be in (0, 1), but got ${String(validationFraction)}`);
  }
  assertSeed(seed, where);
  const validationSize = Math.round(ds.size * validationFraction);
  if (validationSize < 1 || validationSize > ds.size - 1) {
    throw new Error(
      `${where}: validationFraction ${validationFraction} of ${ds.size} examples leaves ${validationSize} for validation and ${ds.size - validationSize} for training; both need at least one`,
    );
  }
  const order = new SeededRandom(seed).permutation(ds.size);
  const validationIndices = order.slice(0, validationSize).sort();
  const trainIndices = order.slice(validationSize).sort();
  const train = subsetDataset(ds, trainIndices, `${ds.name}/train`);
  try {
    return { train, validation: subsetDataset(ds, validationIndices, `${ds.name}/validation`) };
  } catch (error) {
    train.dispose();
    throw error;
  }
}
