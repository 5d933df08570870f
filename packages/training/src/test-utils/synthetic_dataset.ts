import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '@ddar/random';
import { createDataset, type Dataset } from '@ddar/datasets';

/**
 * A learnable toy dataset: class k is a bright 2x2 square at a class-specific place on a noisy background, so a few
 * epochs of a small model separate the classes while chance stays at 1/numClasses.
 */
export function syntheticDataset(name: string, size: number, seed: number, numClasses = 4, side = 8, channels = 1): Dataset {
  const random = new SeededRandom(seed);
  const pixels = new Float32Array(size * side * side * channels);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const label = random.int(numClasses);
    labels[i] = label;
    const row = 1 + ((label * 3) % (side - 3));
    const col = 1 + ((label * 5) % (side - 3));
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const inside = y >= row && y < row + 2 && x >= col && x < col + 2;
        for (let c = 0; c < channels; c++) {
          pixels[((i * side + y) * side + x) * channels + c] = inside ? 0.7 + 0.3 * random.next() : 0.3 * random.next();
        }
      }
    }
  }
  const classNames = Array.from({ length: numClasses }, (_, k) => `class-${k}`);
  return createDataset(name, tf.tensor4d(pixels, [size, side, side, channels]), tf.tensor1d(labels, 'int32'), classNames);
}
