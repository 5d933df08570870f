import type * as tf from '@tensorflow/tfjs-core';
import { sampleAffineTransforms, transformImages } from '@ddar/disentangle';
import type { GeometricAugmentationConfig } from './config.js';

/**
 * The images under a random affine transform each, drawn from `augmentation`'s ranges by `seed` (so a resumed run, and
 * every data-parallel shard, sees the same transforms again); undefined without augmentation. The caller disposes it.
 */
export function transformedCopies(
  images: tf.Tensor4D,
  augmentation: Required<GeometricAugmentationConfig> | null,
  seed: number,
): tf.Tensor4D | undefined {
  if (augmentation === null) return undefined;
  return transformImages(images, sampleAffineTransforms(images.shape[0], augmentation, seed));
}
