import * as tfl from '@tensorflow/tfjs-layers';
import type { ImageShape } from '@ddar/backbones';
import { kernelInitializer } from './initializers.js';
import { assertPositiveInteger } from './validate.js';

/**
 * Default code sizes: (dA, dG) = (64, 16) for one-channel inputs such as MNIST and Fashion-MNIST,
 * (128, 32) for colour inputs such as CIFAR-10. Appearance carries the class and the texture, so it
 * gets the larger code; geometry only has to describe a smooth, low-resolution displacement field.
 */
export function defaultCodeSizes(inputShape: ImageShape): { dA: number; dG: number } {
  return inputShape[2] === 1 ? { dA: 64, dG: 16 } : { dA: 128, dG: 32 };
}

/** Options of {@link appearanceHead} and {@link geometricHead}. */
export interface HeadOptions {
  /** Size of the code. */
  size: number;
  /** Layer name, unique within the model. */
  name: string;
  /** Seed of the weight initializer. */
  seed?: number;
}

/**
 * Maps the backbone embedding [N, d] to the appearance code z_a [N, dA]. Linear: the classifier reads
 * this code, and a nonlinearity here would only clip information the decoder needs.
 */
export function appearanceHead(options: HeadOptions): tfl.layers.Layer {
  return codeLayer('appearanceHead', options);
}

/** Maps the backbone embedding [N, d] to the geometric code z_g [N, dG]. Linear, as the appearance head. */
export function geometricHead(options: HeadOptions): tfl.layers.Layer {
  return codeLayer('geometricHead', options);
}

function codeLayer(op: string, { size, name, seed }: HeadOptions): tfl.layers.Layer {
  assertPositiveInteger(op, 'options.size', size);
  return tfl.layers.dense({ units: size, name, kernelInitializer: kernelInitializer(seed) });
}
