import type { TensorInfo } from '@tensorflow/tfjs-core';
import { assertDtype, assertRank, requireInput } from './tensor_checks.js';

/** Parameters of the affine residual: [a11 - 1, a12, tx, a21, a22 - 1, ty] in normalized coordinates. */
export const AFFINE_PARAMETERS = 6;

/** The checked operands of DdarIntegralAffineDisplacement and its gradient. */
export function integralOperands(
  name: string,
  inputs: Record<string, TensorInfo | undefined>,
): { increments: TensorInfo; affineResidual: TensorInfo } {
  const increments = requireInput(name, inputs, 'increments');
  const affineResidual = requireInput(name, inputs, 'affineResidual');
  assertRank(name, 'increments', increments, 4);
  assertRank(name, 'affineResidual', affineResidual, 2);
  assertDtype(name, 'increments', increments, ['float32']);
  assertDtype(name, 'affineResidual', affineResidual, ['float32']);
  if (increments.shape[3] !== 2) {
    throw new Error(`Error in ${name}: increments must have shape [N,H,W,2], but got shape [${increments.shape.join(',')}].`);
  }
  const [n] = increments.shape;
  if (affineResidual.shape[0] !== n || affineResidual.shape[1] !== AFFINE_PARAMETERS) {
    throw new Error(
      `Error in ${name}: affineResidual must have shape [${n},${AFFINE_PARAMETERS}] (the batch of increments), ` +
        `but got shape [${affineResidual.shape.join(',')}].`,
    );
  }
  return { increments, affineResidual };
}

/** Half the distance between the first and last pixel centres, the unit of normalized coordinates (1 for one pixel). */
export function halfExtent(size: number): number {
  return size > 1 ? (size - 1) / 2 : 1;
}

/**
 * The local grid of image `b` in normalized coordinates, into `u` and `v` ([H*W] each, row-major): along each row the
 * running sum of the x increments from column 1 on (the first increment has no effect), minus its mean over the row,
 * divided by half the width; along each column the same for the y increments. This is what @ddar/disentangle's
 * composite version computes as a product with a centred running-sum matrix, whose first row is 0: the first increment
 * is multiplied by 0 here too, so that a NaN or infinite one spreads NaN as it does there.
 */
export function localGrid(increments: Float32Array, b: number, h: number, w: number, u: Float64Array, v: Float64Array): void {
  const halfWidth = halfExtent(w);
  const halfHeight = halfExtent(h);
  const image = b * h * w * 2;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let sum = 0 * increments[image + row * 2];
    let total = 0;
    for (let x = 0; x < w; x++) {
      if (x > 0) sum += increments[image + (row + x) * 2];
      u[row + x] = sum;
      total += sum;
    }
    const mean = total / w;
    for (let x = 0; x < w; x++) u[row + x] = (u[row + x] - mean) / halfWidth;
  }
  for (let x = 0; x < w; x++) {
    let sum = 0 * increments[image + x * 2 + 1];
    let total = 0;
    for (let y = 0; y < h; y++) {
      if (y > 0) sum += increments[image + (y * w + x) * 2 + 1];
      v[y * w + x] = sum;
      total += sum;
    }
    const mean = total / h;
    for (let y = 0; y < h; y++) v[y * w + x] = (v[y * w + x] - mean) / halfHeight;
  }
}
