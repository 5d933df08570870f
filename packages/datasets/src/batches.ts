import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from './dataset.js';
import { SeededRandom } from '@ddar/random';
import { assertSeed } from './assert_seed.js';
import { assertLiveDataset } from './subset.js';

/** Options of {@link batches}. */
export interface BatchOptions {
  /** Examples per batch, a positive integer; the last batch may be smaller unless `dropRemainder`. */
  batchSize: number;
  /** Visit examples in a random order each epoch. Default false (dataset order). */
  shuffle?: boolean;
  /** Seeds the shuffle. Default 0, so runs are reproducible unless asked otherwise. */
  seed?: number;
  /** Skip the last batch when it is smaller than `batchSize`. Default false. */
  dropRemainder?: boolean;
}

/** One mini-batch yielded by {@link batches}. */
export interface Batch {
  /** `[B, H, W, C]`, owned by the consumer. */
  images: tf.Tensor4D;
  /** `[B]` int32, owned by the consumer. */
  labels: tf.Tensor1D;
  /** Position in the dataset of each example of the batch. */
  indices: Int32Array;
}

/**
 * Iterates over `ds` in batches. Each `for...of` over the result is one epoch; with `shuffle`,
 * epoch k uses the k-th permutation drawn from `seed`, so a run is reproducible and epochs differ.
 *
 * Batches are made lazily: at any time the iterator holds one epoch's index array and the batch
 * it just yielded. **The consumer owns each batch and must dispose `images` and `labels`** (e.g.
 * `tf.dispose([b.images, b.labels])`) before taking the next, or memory grows by one batch per step.
 */
export function batches(ds: Dataset, options: BatchOptions): Iterable<Batch> {
  const where = 'batches';
  assertLiveDataset(ds, where);
  const { batchSize, shuffle = false, seed = 0, dropRemainder = false } = options ?? ({} as BatchOptions);
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new Error(`${where}: batchSize must be a positive integer, but got ${String(batchSize)}`);
  }
  assertSeed(seed, where);
  const random = new SeededRandom(seed);
  return {
    *[Symbol.iterator]() {
      assertLiveDataset(ds, where);
      const size = ds.size;
      const order = shuffle ? random.permutation(size) : undefined;
      const end = dropRemainder ? size - (size % batchSize) : size;
      for (let start = 0; start < end; start += batchSize) {
        const stop = Math.min(start + batchSize, end);
        let indices: Int32Array;
        let images: tf.Tensor4D;
        let labels: tf.Tensor1D;
        if (order) {
          indices = order.slice(start, stop);
          [images, labels] = tf.tidy(() => {
            const at = tf.tensor1d(indices, 'int32');
            return [tf.gather(ds.images, at) as tf.Tensor4D, tf.gather(ds.labels, at) as tf.Tensor1D];
          });
        } else {
          indices = new Int32Array(stop - start).map((_, i) => start + i);
          images = tf.slice(ds.images, [start, 0, 0, 0], [stop - start, -1, -1, -1]);
          labels = tf.slice(ds.labels, [start], [stop - start]);
        }
        yield { images, labels, indices };
      }
    },
  };
}
