import * as tf from '@tensorflow/tfjs-core';
import type { DDARDecoding, DDARModel } from './ddar_model.js';

/**
 * Decodes the appearance code of `appearanceImages` with the geometric code of `geometryImages`,
 * pairwise: row i of the result is image i of the first batch drawn in the pose of image i of the
 * second. The visual check that the two codes are disentangled (the bench's swap grids).
 */
export function swapCodes(model: DDARModel, appearanceImages: tf.Tensor4D, geometryImages: tf.Tensor4D): DDARDecoding {
  if (appearanceImages?.shape?.[0] !== geometryImages?.shape?.[0]) {
    throw new Error(
      `Error in swapCodes: appearanceImages [${appearanceImages?.shape}] and geometryImages [${geometryImages?.shape}] must have the same batch size`,
    );
  }
  const fromAppearance = model.encode(appearanceImages);
  try {
    const fromGeometry = model.encode(geometryImages);
    try {
      return model.decode({ appearance: fromAppearance.appearance, geometric: fromGeometry.geometric });
    } finally {
      tf.dispose([fromGeometry.appearance, fromGeometry.geometric]);
    }
  } finally {
    tf.dispose([fromAppearance.appearance, fromAppearance.geometric]);
  }
}
