import * as tf from '@tensorflow/tfjs-core';
import {
  chain, imageCenter, rotation, scaling, shearing, translation, type AffineMatrix,
} from './affine_matrix.js';
import { SeededRandom } from '@ddar/random';
import { assertSeed } from './assert_seed.js';
import { warpAffineBilinear } from './warp_affine.js';

/** Options of {@link affineTransform}. */
export interface AffineTransformOptions {
  /** `[height, width]` of the result; default the input's. Matrices map into this frame. */
  outputSize?: [number, number];
}

// Bounds the float32 copy of the input held at once while warping a whole dataset.
const CHUNK_IMAGES = 1024;

export function assertImages(images: tf.Tensor, where: string): asserts images is tf.Tensor4D {
  if (!(images instanceof tf.Tensor) || images.rank !== 4) {
    const got = images instanceof tf.Tensor ? `rank ${images.rank}` : typeof images;
    throw new Error(`${where}: images must be a rank-4 tensor [N,H,W,C], but got ${got}`);
  }
}

function assertFinite(value: unknown, name: string, where: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${where}: ${name} must be a finite number, but got ${String(value)}`);
  }
}

/**
 * Applies an affine map to each image with bilinear sampling and zero fill (see
 * {@link AffineMatrix} for the coordinate convention). `matrices` is one matrix for all images
 * or one per image. Returns a new float32 tensor; the input is not disposed.
 */
export function affineTransform(
  images: tf.Tensor4D,
  matrices: AffineMatrix | readonly AffineMatrix[],
  options: AffineTransformOptions = {},
): tf.Tensor4D {
  const where = 'affineTransform';
  assertImages(images, where);
  const [count, height, width, channels] = images.shape;
  const list: readonly AffineMatrix[] = typeof matrices[0] === 'number' ? [matrices as AffineMatrix] : (matrices as readonly AffineMatrix[]);
  if (list.length !== 1 && list.length !== count) {
    throw new Error(`${where}: matrices must be one matrix or one per image (${count}), but got ${list.length}`);
  }
  for (const m of list) {
    if (!Array.isArray(m) || m.length !== 6 || m.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      throw new Error(`${where}: each matrix must be 6 finite numbers [a, b, c, d, e, f], but got ${JSON.stringify(m)}`);
    }
  }
  const [outHeight, outWidth] = options.outputSize ?? [height, width];
  if (![outHeight, outWidth].every((v) => Number.isInteger(v) && v > 0)) {
    throw new Error(`${where}: outputSize must be two positive integers, but got ${JSON.stringify(options.outputSize)}`);
  }
  const outImage = outHeight * outWidth * channels;
  const output = new Float32Array(count * outImage);
  for (let start = 0; start < count; start += CHUNK_IMAGES) {
    const size = Math.min(CHUNK_IMAGES, count - start);
    const chunk = tf.tidy(() => tf.cast(tf.slice(images, [start, 0, 0, 0], [size, -1, -1, -1]), 'float32'));
    const input = chunk.dataSync() as Float32Array;
    chunk.dispose();
    const chunkMatrices = list.length === 1 ? list : list.slice(start, start + size);
    warpAffineBilinear(
      input,
      { count: size, height, width, channels },
      chunkMatrices,
      outHeight,
      outWidth,
      output.subarray(start * outImage, (start + size) * outImage),
    );
  }
  return tf.tensor4d(output, [count, outHeight, outWidth, channels], 'float32');
}

/** Rotates each image counter-clockwise by `degrees` about its centre. */
export function rotate(images: tf.Tensor4D, degrees: number): tf.Tensor4D {
  assertImages(images, 'rotate');
  assertFinite(degrees, 'degrees', 'rotate');
  const { cx, cy } = imageCenter(images.shape[1], images.shape[2]);
  return affineTransform(images, rotation(degrees, cx, cy));
}

/** Moves each image `dx` pixels right and `dy` pixels down; uncovered pixels become 0. */
export function translate(images: tf.Tensor4D, dx: number, dy: number): tf.Tensor4D {
  assertImages(images, 'translate');
  assertFinite(dx, 'dx', 'translate');
  assertFinite(dy, 'dy', 'translate');
  return affineTransform(images, translation(dx, dy));
}

/** Scales each image about its centre by `s` (or `[sx, sy]`); factors above 1 enlarge. */
export function scale(images: tf.Tensor4D, s: number | [number, number]): tf.Tensor4D {
  assertImages(images, 'scale');
  const [sx, sy] = typeof s === 'number' ? [s, s] : s;
  for (const [name, v] of [['sx', sx], ['sy', sy]] as const) {
    assertFinite(v, name, 'scale');
    if (v <= 0) throw new Error(`scale: scale factors must be positive, but ${name} is ${v}`);
  }
  const { cx, cy } = imageCenter(images.shape[1], images.shape[2]);
  return affineTransform(images, scaling(sx, sy, cx, cy));
}

/** Shears each image horizontally about its centre: `x' = x + s * (y - cy)`. */
export function shear(images: tf.Tensor4D, s: number): tf.Tensor4D {
  assertImages(images, 'shear');
  assertFinite(s, 's', 'shear');
  const { cx, cy } = imageCenter(images.shape[1], images.shape[2]);
  return affineTransform(images, shearing(s, cx, cy));
}

/**
 * Resamples each image to `height` x `width` bilinearly, mapping the input's whole pixel area onto
 * the output's (outer pixel edges to outer pixel edges, i.e. half-pixel centres), so nothing is
 * cropped; outside the input counts as 0 as everywhere here. There is no anti-aliasing, so
 * shrinking by more than 2x skips pixels.
 */
export function resize(images: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  assertImages(images, 'resize');
  for (const [name, v] of [['height', height], ['width', width]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`resize: ${name} must be a positive integer, but got ${String(v)}`);
  }
  const sx = width / images.shape[2];
  const sy = height / images.shape[1];
  // x' = (x + 1/2) * sx - 1/2: pixel edges map to pixel edges.
  return affineTransform(images, [sx, 0, (sx - 1) / 2, 0, sy, (sy - 1) / 2], { outputSize: [height, width] });
}

/** Ranges of the random affine parameters; a range left at its default disables that transform. */
export interface RandomAffineOptions {
  /** Maximum rotation in degrees; the angle is uniform in [-rotation, rotation]. Default 0. */
  rotation?: number;
  /** Maximum shift as a fraction of the width (x) and height (y), each uniform in [-t, t]. Default 0. */
  translate?: number;
  /** Range of the horizontal and vertical scale factors, drawn independently. Default [1, 1]. */
  scale?: [number, number];
  /** Maximum horizontal shear factor, uniform in [-shear, shear]. Default 0. */
  shear?: number;
  /** Seeds the parameter draws; the same seed gives the same matrices on every backend. */
  seed: number;
}

/**
 * One random affine matrix per image for an `height` x `width` frame. Per image, in this order,
 * it draws the angle, shear, x scale, y scale, x shift and y shift, and composes
 * `shift ∘ rotate ∘ shear ∘ scale` about the frame centre (scale applied first).
 */
export function randomAffineMatrices(
  count: number,
  height: number,
  width: number,
  options: RandomAffineOptions,
): AffineMatrix[] {
  const where = 'randomAffine';
  const { rotation: maxDegrees = 0, translate: maxShift = 0, scale: scaleRange = [1, 1], shear: maxShear = 0, seed } = options ?? ({} as RandomAffineOptions);
  assertSeed(seed, where);
  for (const [name, v] of [['rotation', maxDegrees], ['translate', maxShift], ['shear', maxShear]] as const) {
    assertFinite(v, name, where);
    if (v < 0) throw new Error(`${where}: ${name} is a maximum magnitude and must be >= 0, but got ${v}`);
  }
  if (!Array.isArray(scaleRange) || scaleRange.length !== 2 || !(scaleRange[0] > 0) || !(scaleRange[1] >= scaleRange[0])) {
    throw new Error(`${where}: scale must be [lo, hi] with 0 < lo <= hi, but got ${JSON.stringify(scaleRange)}`);
  }
  const random = new SeededRandom(seed);
  const { cx, cy } = imageCenter(height, width);
  const matrices: AffineMatrix[] = [];
  for (let n = 0; n < count; n++) {
    const degrees = random.uniform(-maxDegrees, maxDegrees);
    const s = random.uniform(-maxShear, maxShear);
    const sx = random.uniform(scaleRange[0], scaleRange[1]);
    const sy = random.uniform(scaleRange[0], scaleRange[1]);
    const tx = random.uniform(-maxShift, maxShift) * width;
    const ty = random.uniform(-maxShift, maxShift) * height;
    matrices.push(chain(scaling(sx, sy, cx, cy), shearing(s, cx, cy), rotation(degrees, cx, cy), translation(tx, ty)));
  }
  return matrices;
}

/** Applies an independent random affine map to each image; see {@link randomAffineMatrices}. */
export function randomAffine(images: tf.Tensor4D, options: RandomAffineOptions): tf.Tensor4D {
  assertImages(images, 'randomAffine');
  const [count, height, width] = images.shape;
  return affineTransform(images, randomAffineMatrices(count, height, width, options));
}
