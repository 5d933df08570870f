import * as tf from '@tensorflow/tfjs-core';
import type { Bounds } from '@ddar/attacks';

/** The most worker threads a pool accepts, as `dataParallel.workers`: far more than cores on any machine this runs on. */
export const MAX_WORKERS = 64;

/** Labels as the attacks of @ddar/attacks take them. */
export type ShardedLabels = Int32Array | number[] | tf.Tensor1D;

export function checkWorkers(where: string, workers: unknown): number {
  if (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 0 || workers > MAX_WORKERS) {
    throw new Error(`${where}: options.workers must be an integer in [0, ${MAX_WORKERS}], but got ${String(workers)}`);
  }
  return workers;
}

export function checkChunkSize(where: string, chunkSize: unknown): number {
  if (typeof chunkSize !== 'number' || !Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new Error(`${where}: options.chunkSize must be a positive integer, but got ${String(chunkSize)}`);
  }
  return chunkSize;
}

export function checkEpsilons(where: string, epsilons: unknown): number[] {
  if (!Array.isArray(epsilons) || epsilons.length === 0) {
    throw new Error(`${where}: options.epsilons must be a non-empty array of budgets, but got ${JSON.stringify(epsilons) ?? String(epsilons)}`);
  }
  epsilons.forEach((epsilon, i) => {
    if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon < 0) {
      throw new Error(`${where}: options.epsilons[${i}] must be a finite number >= 0, but got ${String(epsilon)}`);
    }
  });
  return [...epsilons];
}

/** The images as float32 values, after checking their rank, shape (against `inputShape` when known) and range. */
export function checkImages(where: string, images: unknown, inputShape: readonly number[] | undefined, bounds: Bounds): Float32Array {
  if (!(images instanceof tf.Tensor) || images.rank !== 4) {
    const got = images instanceof tf.Tensor ? `rank ${images.rank} with shape [${images.shape}]` : images === null ? 'null' : typeof images;
    throw new Error(`${where}: images must be a rank-4 tensor [N, H, W, C], but got ${got}`);
  }
  if (images.dtype !== 'float32') throw new Error(`${where}: images must be float32, but got ${images.dtype}`);
  if (images.shape[0] === 0) throw new Error(`${where}: images must hold at least one image, but got shape [${images.shape}]`);
  if (inputShape !== undefined && images.shape.slice(1).join(',') !== inputShape.join(',')) {
    throw new Error(`${where}: images must be [N, ${inputShape.join(', ')}] for this model, but got shape [${images.shape}]`);
  }
  const values = images.dataSync() as Float32Array;
  let low = Infinity;
  let high = -Infinity;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (Number.isNaN(v)) throw new Error(`${where}: images hold NaN (at flat index ${k})`);
    if (v < low) low = v;
    if (v > high) high = v;
  }
  if (low < bounds[0] || high > bounds[1]) {
    throw new Error(`${where}: images must lie within the model's bounds [${bounds[0]}, ${bounds[1]}], but hold values in [${low}, ${high}]`);
  }
  return values;
}

/** The labels as int32 values: one per image, each an integer class in [0, numClasses). */
export function checkLabels(where: string, labels: unknown, examples: number, numClasses: number): Int32Array {
  let values: ArrayLike<number>;
  if (labels instanceof tf.Tensor) {
    if (labels.rank !== 1) throw new Error(`${where}: labels must be rank 1 (one class per image), but got shape [${labels.shape}]`);
    values = labels.dataSync();
  } else if (Array.isArray(labels) || labels instanceof Int32Array) {
    values = labels;
  } else {
    throw new Error(`${where}: labels must be an Int32Array, a number[] or a tf.Tensor1D, but got ${labels === null ? 'null' : typeof labels}`);
  }
  if (values.length !== examples) {
    throw new Error(`${where}: labels must hold one class per image (${examples}), but hold ${values.length}`);
  }
  const checked = new Int32Array(examples);
  for (let i = 0; i < examples; i++) {
    const label = values[i];
    if (typeof label !== 'number' || !Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new Error(`${where}: labels[${i}] must be an integer class in [0, ${numClasses}), but got ${String(label)}`);
    }
    checked[i] = label;
  }
  return checked;
}
