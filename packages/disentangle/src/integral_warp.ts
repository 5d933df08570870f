import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNEL_NAMES, fusedOp, hasFusedKernel } from './fused_kernels.js';

/**
 * Number of parameters of the global affine part of a geometric transform: the residual
 * [a11 - 1, a12, tx, a21, a22 - 1, ty] of the 2 x 3 matrix, in normalized coordinates (the image
 * spans [-1, 1] from the first to the last pixel centre on each axis). All zeros is the identity.
 */
export const AFFINE_PARAMETERS = 6;

/**
 * Turns unconstrained decoder outputs into grid increments: `2 * sigmoid(logits)`, in (0, 2), with
 * 1 (one pixel per pixel, the identity) at logits 0. Strictly positive increments make every row of
 * the sampling grid strictly increasing in x and every column strictly increasing in y, so the
 * local warp never reverses the order of neighbouring samples; bounded increments keep a single
 * step from stretching more than twice.
 */
export function warpIncrements(logits: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.mul(tf.sigmoid(logits), 2));
}

/**
 * Turns the affine decoder's unconstrained output into the residual `integralAffineDisplacement`
 * reads: `tanh(raw)`, the identity at 0 and close to `raw` for the small values of ordinary poses. The
 * bound (each entry in (-1, 1): scale within (0, 2), shift within half the image, rotation up to about
 * 80°) keeps a diverging step from sending the warp, and the loss, to infinity.
 */
export function affineResidual(raw: tf.Tensor2D): tf.Tensor2D {
  return tf.tanh(raw);
}

/**
 * The displacement field [N, H, W, 2] (dx, dy, in pixels, as `warp` reads it) of an integral warp
 * composed with a global affine transform, in the style of Deforming Autoencoders (Shu et al.,
 * ECCV 2018).
 *
 * - The local warp integrates non-negative increments [N, H, W, 2]: channel 0 is the step in x from
 *   column x - 1 to column x, channel 1 the step in y from row y - 1 to row y. Each row's x
 *   coordinates (each column's y coordinates) are the running sum, shifted so that their mean is
 *   the image centre; the global position is the affine part's job. Increments of 1 give the
 *   identity grid exactly; the first increment of each row (column) has no effect.
 * - The affine part maps the local grid, in normalized coordinates, through
 *   `[[1 + r0, r1, r2], [r3, 1 + r4, r5]]`, `r` = `affineResidual` [N, 6].
 *
 * Output pixel (x, y) then samples the template at `A(L(x, y))`. Built from matrix products,
 * transposes and element-wise ops only, so it is differentiable on every backend, wasm included:
 * the running sum and its centring are one matrix product with a fixed [W, W] matrix. When the active backend
 * registers the fused kernel `DdarIntegralAffineDisplacement` and its gradient (@ddar/backend does for wasm), the
 * whole computation runs as those two kernels instead, with the same results up to float rounding.
 */
export function integralAffineDisplacement(increments: tf.Tensor4D, affineResidual: tf.Tensor2D): tf.Tensor4D {
  validateGeometryInputs('integralAffineDisplacement', increments, affineResidual);
  const { integralAffineDisplacement: fused, integralAffineDisplacementGrad: fusedGrad } = FUSED_KERNEL_NAMES;
  if (hasFusedKernel(fused, fusedGrad)) {
    return fusedOp(fused, fusedGrad, ['increments', 'affineResidual'], {})(increments, affineResidual) as tf.Tensor4D;
  }
  const [n, h, w] = increments.shape;
  const halfWidth = halfExtent(w);
  const halfHeight = halfExtent(h);
  return tf.tidy(() => {
    // Planar [2, N, H, W]: slicing whole leading rows is contiguous, which wasm does fast.
    const planar = tf.transpose(increments, [3, 0, 1, 2]);
    const stepsX = tf.reshape(tf.slice(planar, [0, 0, 0, 0], [1, n, h, w]), [n * h, w]);
    const stepsY = tf.reshape(tf.transpose(tf.reshape(tf.slice(planar, [1, 0, 0, 0], [1, n, h, w]), [n, h, w]), [0, 2, 1]), [n * w, h]);
    // Local grid in normalized coordinates, [N, H, W] each.
    const u = tf.reshape(tf.matMul(stepsX, centredRunningSum(w, halfWidth)), [n, h, w]);
    const v = tf.transpose(tf.reshape(tf.matMul(stepsY, centredRunningSum(h, halfHeight)), [n, w, h]), [0, 2, 1]);

    const r = tf.transpose(affineResidual);
    const parameter = (k: number) => tf.reshape(tf.slice(r, [k, 0], [1, n]), [n, 1, 1]);
    const mappedU = tf.add(tf.add(tf.mul(tf.add(parameter(0), 1), u), tf.mul(parameter(1), v)), parameter(2));
    const mappedV = tf.add(tf.add(tf.mul(parameter(3), u), tf.mul(tf.add(parameter(4), 1), v)), parameter(5));

    const [identityU, identityV] = normalizedIdentity(h, w, halfHeight, halfWidth);
    const dx = tf.mul(tf.sub(mappedU, identityU), halfWidth);
    const dy = tf.mul(tf.sub(mappedV, identityV), halfHeight);
    return tf.transpose(tf.stack([dx, dy]), [1, 2, 3, 0]) as tf.Tensor4D;
  });
}

/**
 * The local grid alone [N, H, W, 2], as absolute sampling coordinates (x, y) in pixels; for
 * inspection and tests (`integralAffineDisplacement` with a zero affine residual is this minus the
 * identity grid).
 */
export function integralGrid(increments: tf.Tensor4D): tf.Tensor4D {
  const [n] = increments.shape ?? [];
  return tf.tidy(() => {
    const displacement = integralAffineDisplacement(increments, tf.zeros([n ?? 0, AFFINE_PARAMETERS]));
    const [, h, w] = displacement.shape;
    return tf.add(displacement, pixelIdentityGrid(h, w)) as tf.Tensor4D;
  });
}

/** Half the distance between the first and last pixel centres, the unit of normalized coordinates (1 for a 1-pixel side). */
function halfExtent(size: number): number {
  return size > 1 ? (size - 1) / 2 : 1;
}

/**
 * [S, S] matrix M with `steps @ M` = the running sum of the steps minus its mean over the row, in
 * normalized units: M[k, i] = ([k <= i] - (S - k) / S) / half. With all steps 1 the product is
 * (i - (S - 1) / 2) / half, the normalized identity coordinate.
 */
function centredRunningSum(size: number, half: number): tf.Tensor2D {
  const values = new Float32Array(size * size);
  for (let k = 0; k < size; k++) {
    for (let i = 0; i < size; i++) values[k * size + i] = ((k <= i ? 1 : 0) - (size - k) / size) / half;
  }
  return tf.tensor2d(values, [size, size]);
}

/** Normalized identity coordinates [1, H, W] for x and for y. */
function normalizedIdentity(h: number, w: number, halfHeight: number, halfWidth: number): [tf.Tensor3D, tf.Tensor3D] {
  const x = new Float32Array(h * w);
  const y = new Float32Array(h * w);
  for (let row = 0; row < h; row++) {
    for (let column = 0; column < w; column++) {
      x[row * w + column] = (column - (w - 1) / 2) / halfWidth;
      y[row * w + column] = (row - (h - 1) / 2) / halfHeight;
    }
  }
  return [tf.tensor3d(x, [1, h, w]), tf.tensor3d(y, [1, h, w])];
}

/** [1, H, W, 2]: (x, y) pixel coordinates of every pixel. */
export function pixelIdentityGrid(h: number, w: number): tf.Tensor4D {
  const grid = new Float32Array(h * w * 2);
  for (let row = 0; row < h; row++) {
    for (let column = 0; column < w; column++) {
      grid[(row * w + column) * 2] = column;
      grid[(row * w + column) * 2 + 1] = row;
    }
  }
  return tf.tensor4d(grid, [1, h, w, 2]);
}

function validateGeometryInputs(op: string, increments: unknown, affineResidual: unknown): void {
  if (!(increments instanceof tf.Tensor)) {
    throw new Error(`Error in ${op}: increments must be a tf.Tensor, but got ${typeof increments}`);
  }
  if (!(affineResidual instanceof tf.Tensor)) {
    throw new Error(`Error in ${op}: affineResidual must be a tf.Tensor, but got ${typeof affineResidual}`);
  }
  if (increments.rank !== 4 || increments.shape[3] !== 2) {
    throw new Error(`Error in ${op}: increments must have shape [N, H, W, 2], but got shape [${increments.shape}]`);
  }
  if (affineResidual.rank !== 2 || affineResidual.shape[1] !== AFFINE_PARAMETERS) {
    throw new Error(
      `Error in ${op}: affineResidual must have shape [N, ${AFFINE_PARAMETERS}], but got shape [${affineResidual.shape}]`,
    );
  }
  if (increments.shape[0] !== affineResidual.shape[0]) {
    throw new Error(
      `Error in ${op}: increments [${increments.shape}] and affineResidual [${affineResidual.shape}] must have the same batch size`,
    );
  }
  if (increments.dtype !== 'float32' || affineResidual.dtype !== 'float32') {
    throw new Error(`Error in ${op}: increments and affineResidual must be float32, but got ${increments.dtype} and ${affineResidual.dtype}`);
  }
}
