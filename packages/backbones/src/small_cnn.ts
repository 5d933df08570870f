import * as tfl from '@tensorflow/tfjs-layers';
import type { Backbone, BackboneOptions } from './backbone.js';
import { assertInputMatches, resolveBackboneOptions, scaledChannels } from './backbone_options.js';
import { SeededInitializers } from './seeded_initializers.js';

const NAME = 'smallCnn';

/** Two 2x2 max-pools with 'valid' padding each halve (rounding down) the height and width. */
export const SMALL_CNN_MIN_INPUT_SIZE = 4;

/**
 * The MNIST convnet of the adversarial-robustness literature (Madry et al. 2018, "Towards Deep
 * Learning Models Resistant to Adversarial Attacks", their MNIST model):
 *
 *     conv 5x5 32 'same' + ReLU -> max-pool 2x2 -> conv 5x5 64 'same' + ReLU -> max-pool 2x2
 *     -> flatten -> dense 1024 + ReLU  (the embedding)
 *
 * For a 28x28x1 input that is 3,264,384 parameters, as in Madry et al. Options:
 * - `width` (default 1) multiplies every layer's width: 32·w and 64·w filters (at least 1), and a
 *   default embedding of 1024·w units;
 * - `embeddingSize` sets the units of the final dense layer (default `round(1024 · width)`);
 * - input: any [H, W, C] with H, W >= 4 (the two pools must leave at least one pixel).
 * Weights are He-normal, biases zero.
 */
export function smallCnn(options: BackboneOptions): Backbone {
  const resolved = resolveBackboneOptions(NAME, options, (width) => scaledChannels(1024, width));
  const { inputShape, width, embeddingSize, namePrefix } = resolved;
  const [height, imageWidth] = inputShape;
  if (height < SMALL_CNN_MIN_INPUT_SIZE || imageWidth < SMALL_CNN_MIN_INPUT_SIZE) {
    throw new Error(
      `Error in ${NAME}: options.inputShape height and width must be at least ${SMALL_CNN_MIN_INPUT_SIZE} ` +
        `(two 2x2 max-pools), but got [${inputShape.join(', ')}]`,
    );
  }
  const initializers = new SeededInitializers(resolved.seed);
  const conv = (index: number, filters: number) =>
    tfl.layers.conv2d({
      name: `${namePrefix}_conv${index}`,
      filters,
      kernelSize: 5,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: initializers.heNormal(),
    });
  const pool = (index: number) =>
    tfl.layers.maxPooling2d({ name: `${namePrefix}_pool${index}`, poolSize: 2, strides: 2, padding: 'valid' });
  const layers = [
    conv(1, scaledChannels(32, width)),
    pool(1),
    conv(2, scaledChannels(64, width)),
    pool(2),
    tfl.layers.flatten({ name: `${namePrefix}_flatten` }),
    tfl.layers.dense({
      name: `${namePrefix}_embedding`,
      units: embeddingSize,
      activation: 'relu',
      kernelInitializer: initializers.heNormal(),
    }),
  ];

  return {
    name: NAME,
    options: resolved,
    embeddingSize,
    apply(input: tfl.SymbolicTensor): tfl.SymbolicTensor {
      assertInputMatches(NAME, input, inputShape);
      return layers.reduce((x, layer) => layer.apply(x) as tfl.SymbolicTensor, input);
    },
  };
}
