import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNEL_NAMES, fusedOp, hasFusedKernel } from './fused_kernels.js';

/**
 * What a sample that falls outside the image reads: `zeros` treats the outside as black (a shifted
 * image is zero-filled), `clamp` repeats the nearest edge pixel.
 */
export type WarpBorder = 'zeros' | 'clamp';

/**
 * Units of a displacement field. `pixels`: (dx, dy) = (1, 0) samples one pixel to the right.
 * `normalized`: the image spans [-1, 1] on each axis from the first to the last pixel centre
 * (align-corners convention), so dx = 2 moves across the whole width: one unit is (W - 1) / 2 pixels
 * horizontally and (H - 1) / 2 pixels vertically.
 */
export type DisplacementUnits = 'pixels' | 'normalized';

/** Options of {@link warp}. */
export interface WarpOptions {
  /** Default `zeros`. */
  border?: WarpBorder;
  /** Default `pixels`. */
  units?: DisplacementUnits;
}

const BORDERS: readonly WarpBorder[] = ['zeros', 'clamp'];
const UNITS: readonly DisplacementUnits[] = ['pixels', 'normalized'];

/**
 * Bilinear warp: output pixel (y, x) of image n reads `image[n]` at the point
 * (x + dx, y + dy), where dx = `displacement[n, y, x, 0]` and dy = `displacement[n, y, x, 1]`
 * (channel order: dx then dy). A zero displacement returns the image exactly; a constant
 * displacement of (k, 0) whole pixels shifts the image k pixels to the left.
 *
 * Differentiable with respect to both the image and the displacement, on every backend
 * (including wasm): the gradient is written by hand rather than derived from `tf.gather`, whose
 * own gradient needs a kernel wasm lacks (UnsortedSegmentSum), and so that the four neighbours
 * are gathered once and reused by the backward pass. The displacement gradient at a sample point
 * that falls exactly on a grid line is the one-sided (right) derivative.
 *
 * A NaN or infinite displacement makes that output pixel NaN (no error: finding it would cost a
 * device-to-CPU read every step); a finite one, however large, reads the border.
 *
 * When the active backend registers the fused kernel `DdarBilinearWarp` and its gradient (@ddar/backend does for
 * wasm), the sampling runs as those two kernels, with the same results up to float rounding; otherwise as the
 * composite of tfjs ops below.
 *
 * @param image [N, H, W, C] float32.
 * @param displacement [N, H, W, 2] float32, in `options.units`.
 */
export function warp(image: tf.Tensor4D, displacement: tf.Tensor4D, options: WarpOptions = {}): tf.Tensor4D {
  const border = options.border ?? 'zeros';
  const units = options.units ?? 'pixels';
  validateWarpInputs(image, displacement, border, units);
  const [n, h, w, c] = image.shape;
  return tf.tidy(() => {
    const pixels =
      units === 'pixels' ? displacement : tf.mul(displacement, tf.tensor1d([(w - 1) / 2, (h - 1) / 2]));
    const { bilinearWarp, bilinearWarpGrad } = FUSED_KERNEL_NAMES;
    if (hasFusedKernel(bilinearWarp, bilinearWarpGrad)) {
      return fusedOp(bilinearWarp, bilinearWarpGrad, ['image', 'displacement'], { border })(image, pixels) as tf.Tensor4D;
    }
    let rows: tf.Tensor2D = tf.reshape(image, [n * h * w, c]);
    if (border === 'zeros') {
      // One extra all-zero row: every out-of-image neighbour points at it, so the gather itself
      // yields the zero fill and no mask has to be applied in either pass.
      rows = tf.concat([rows, tf.zeros([1, c])], 0);
    }
    const sampled = bilinearSampler(n, h, w, c, border)(rows, pixels);
    return tf.reshape(sampled, [n, h, w, c]);
  });
}

function validateWarpInputs(
  image: tf.Tensor,
  displacement: tf.Tensor,
  border: string,
  units: string,
): void {
  if (!(image instanceof tf.Tensor)) {
    throw new Error(`Error in warp: image must be a tf.Tensor, but got ${typeof image}`);
  }
  if (!(displacement instanceof tf.Tensor)) {
    throw new Error(`Error in warp: displacement must be a tf.Tensor, but got ${typeof displacement}`);
  }
  if (image.rank !== 4) {
    throw new Error(`Error in warp: image must be rank 4 [N, H, W, C], but got rank ${image.rank} (shape [${image.shape}])`);
  }
  if (displacement.rank !== 4 || displacement.shape[3] !== 2) {
    throw new Error(
      `Error in warp: displacement must have shape [N, H, W, 2], but got shape [${displacement.shape}]`,
    );
  }
  if (image.dtype !== 'float32' || displacement.dtype !== 'float32') {
    throw new Error(
      `Error in warp: image and displacement must be float32, but got ${image.dtype} and ${displacement.dtype}`,
    );
  }
  const [n, h, w] = image.shape;
  const [dn, dh, dw] = displacement.shape;
  if (n !== dn || h !== dh || w !== dw) {
    throw new Error(
      `Error in warp: displacement [${displacement.shape}] must match the batch, height and width of image [${image.shape}]`,
    );
  }
  if (!BORDERS.includes(border as WarpBorder)) {
    throw new Error(`Error in warp: options.border must be one of ${BORDERS.join(', ')}, but got '${border}'`);
  }
  if (!UNITS.includes(units as DisplacementUnits)) {
    throw new Error(`Error in warp: options.units must be one of ${UNITS.join(', ')}, but got '${units}'`);
  }
}

/**
 * Builds the differentiable sampler for one shape.
 *
 * Layout: everything is planar, [k, P] with P = N*H*W pixels, so that every slice and concat works
 * on whole contiguous rows (the wasm backend runs strided slices and concats as slow JS loops).
 * The four neighbours of a sample point are corner (b, a), b the row (0: floor(y'), 1: floor(y') + 1)
 * and a the column (same for x'), flattened corner-major to 2b + a; the bilinear weight is
 * rowWeight[b] * columnWeight[a].
 */
function bilinearSampler(n: number, h: number, w: number, c: number, border: WarpBorder) {
  const p = n * h * w;
  const sentinelRow = p;
  const rowCount = border === 'zeros' ? p + 1 : p;

  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [rows, pixels, save] = args as [tf.Tensor2D, tf.Tensor4D, tf.GradSaveFunc];
    // Sample point of every output pixel: row 0 holds x', row 1 holds y', in pixels.
    const points = tf.add(tf.transpose(tf.reshape(pixels, [p, 2])), identityGrid(n, h, w));
    const lower = tf.floor(points);
    const fraction = tf.sub(points, lower);
    // A NaN displacement must still yield in-range indices: a NaN cast to int32 is backend-defined,
    // and the native scatter and gather do not bounds-check. Its weights stay NaN, so the output
    // (and the gradient) at that pixel is NaN, as it should be; infinities are clipped below.
    const safeLower = tf.where(tf.isNaN(lower), tf.zerosLike(lower), lower);

    const axisWeights = perAxisCorners(tf.sub(1, fraction), fraction, p);
    const rowWeights = rowPart(axisWeights, p);
    const columnWeights = columnPart(axisWeights, p);
    const weights = tf.reshape(tf.mul(rowWeights, columnWeights), [4, p]);

    const corners = perAxisCorners(safeLower, tf.add(safeLower, 1), p);
    // Clipped axis by axis: wasm has no fast path for a broadcast minimum.
    const clamped = tf.concat(
      [
        tf.clipByValue(tf.slice(corners, [0, 0, 0], [1, 2, p]), 0, w - 1),
        tf.clipByValue(tf.slice(corners, [1, 0, 0], [1, 2, p]), 0, h - 1),
      ],
      0,
    );
    const offsets = tf.mul(clamped, tf.tensor3d([1, w], [2, 1, 1]));
    const withinImage = tf.add(rowPart(offsets, p), columnPart(offsets, p));
    // Integer-valued floats stay exact below 2^24, far above the size of any image batch.
    const imageStarts = tf.reshape(tf.range(0, p, h * w, 'float32'), [1, n, 1]);
    let flat = tf.add(tf.reshape(withinImage, [4, n, h * w]), imageStarts);
    if (border === 'zeros') {
      const inside = tf.cast(tf.equal(corners, clamped), 'float32');
      const cornerInside = tf.reshape(tf.mul(rowPart(inside, p), columnPart(inside, p)), [4, n, h * w]);
      flat = tf.add(tf.mul(cornerInside, tf.sub(flat, sentinelRow)), sentinelRow);
    }
    const indices = tf.cast(tf.reshape(flat, [4 * p, 1]), 'int32');

    // gatherND rather than gather: on wasm, gather bounds-checks every index in JavaScript first.
    const neighbours = tf.reshape(tf.gatherND(rows, indices), [4, p, c]);
    const value = tf.sum(tf.mul(neighbours, tf.reshape(weights, [4, p, 1])), 0);
    save([indices, weights, neighbours, rowWeights, columnWeights]);

    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedIndices, savedWeights, savedNeighbours, savedRowWeights, savedColumnWeights] = saved;
      const upstream = tf.reshape(dy, [1, p, c]);
      // Each output pixel sends weight * upstream to its four neighbours; duplicates add up.
      const contributions = tf.reshape(tf.mul(tf.reshape(savedWeights, [4, p, 1]), upstream), [4 * p, c]);
      const rowsGradient = tf.scatterND(savedIndices, contributions, [rowCount, c]);
      // d value / d x' = sum_b rowWeight[b] (v[b, 1] - v[b, 0]); for y' swap the roles of a and b.
      const projected = tf.reshape(tf.sum(tf.mul(savedNeighbours, upstream), 2), [2, 2, p]);
      const towardsX = tf.sum(tf.mul(tf.mul(projected, savedRowWeights), tf.tensor3d([-1, 1], [1, 2, 1])), [0, 1]);
      const towardsY = tf.sum(tf.mul(tf.mul(projected, savedColumnWeights), tf.tensor3d([-1, 1], [2, 1, 1])), [0, 1]);
      const planar = tf.concat([tf.reshape(towardsX, [1, p]), tf.reshape(towardsY, [1, p])], 0);
      const pixelsGradient = tf.reshape(tf.transpose(planar), [n, h, w, 2]);
      return [rowsGradient, pixelsGradient];
    };
    return { value, gradFunc };
  });
}

/** [2 axes (x, y), 2 corners (lower, upper), P] from per-axis lower and upper rows [2, P]. */
function perAxisCorners(lower: tf.Tensor, upper: tf.Tensor, p: number): tf.Tensor3D {
  return tf.concat([tf.reshape(lower, [2, 1, p]), tf.reshape(upper, [2, 1, p])], 1) as tf.Tensor3D;
}

/** The y-axis entries of a per-axis-corner tensor, shaped [2 (b), 1, P] to broadcast over columns. */
function rowPart(perAxis: tf.Tensor, p: number): tf.Tensor3D {
  return tf.reshape(tf.slice(perAxis, [1, 0, 0], [1, 2, p]), [2, 1, p]);
}

/** The x-axis entries of a per-axis-corner tensor, shaped [1, 2 (a), P] to broadcast over rows. */
function columnPart(perAxis: tf.Tensor, p: number): tf.Tensor3D {
  return tf.slice(perAxis, [0, 0, 0], [1, 2, p]) as tf.Tensor3D;
}

/** [2, N*H*W]: row 0 holds x, row 1 holds y, for every pixel of every image. */
function identityGrid(n: number, h: number, w: number): tf.Tensor2D {
  const grid = new Float32Array(2 * n * h * w);
  const size = n * h * w;
  for (let i = 0; i < size; i++) {
    const inImage = i % (h * w);
    grid[i] = inImage % w;
    grid[size + i] = Math.floor(inImage / w);
  }
  return tf.tensor2d(grid, [2, size]);
}
