import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '@ddar/random';
import {
  chain, imageCenter, rotation, scaling, shearing, translation, type AffineMatrix,
} from './affine_matrix.js';
import { assertSeed } from './assert_seed.js';
import type { Dataset } from './dataset.js';
import { affineTransform, assertImages, resize } from './geometric_transforms.js';
import { assertLiveDataset } from './subset.js';
import { withImages } from './transformed_datasets.js';

/** Options of {@link affnist40} and {@link affnist40Parameters}; the defaults are affNIST's ranges. */
export interface Affnist40Options {
  /** Maximum rotation in degrees; the angle is uniform in [-rotation, rotation]. Default 20. */
  rotation?: number;
  /** Maximum horizontal shear factor, uniform in [-shear, shear]. Default 0.2. */
  shear?: number;
  /** Range of the horizontal and vertical scale factors, drawn independently. Default [0.8, 1.2]. */
  scale?: [number, number];
  /** Draw a shift that keeps the digit on the canvas (true), or leave it centred (false). Default true. */
  translate?: boolean;
  /** Side of the square canvas the images are centred on and transformed in. Default 40. */
  canvas?: number;
  /** Side of the returned images: the whole canvas is resized to it with {@link resize}. Default `canvas`. */
  outputSize?: number;
  /** Default 0. */
  seed?: number;
}

/** The transform {@link affnist40Parameters} drew for one image. */
export interface Affnist40Draw {
  /** Rotation, counter-clockwise on screen. */
  degrees: number;
  /** Horizontal shear factor. */
  shear: number;
  scaleX: number;
  scaleY: number;
  /** Shift in canvas pixels from the centred position, drawn uniformly from `dxRange` / `dyRange`. */
  dx: number;
  dy: number;
  /** The shifts that keep this image's ink on the canvas after the scale, shear and rotation. */
  dxRange: [number, number];
  dyRange: [number, number];
  /** From the source image's pixel coordinates to the canvas's: centring, scale, shear, rotation, shift. */
  matrix: AffineMatrix;
}

interface Resolved {
  rotation: number;
  shear: number;
  scale: [number, number];
  translate: boolean;
  canvas: number;
  outputSize: number;
  seed: number;
}

/** Redraws allowed per image before a digit is declared too big for the canvas. */
const MAX_DRAWS = 100;
// Bounds the copy of the images read at once to find their ink.
const CHUNK_IMAGES = 1024;

function resolveOptions(images: tf.Tensor4D, options: Affnist40Options, where: string): Resolved {
  const {
    rotation: maxDegrees = 20, shear: maxShear = 0.2, scale = [0.8, 1.2], translate = true, canvas = 40, seed = 0,
  } = options ?? {};
  const { outputSize = canvas } = options ?? {};
  for (const [name, v] of [['rotation', maxDegrees], ['shear', maxShear]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new Error(`${where}: ${name} is a maximum magnitude and must be a finite number >= 0, but got ${String(v)}`);
    }
  }
  if (!Array.isArray(scale) || scale.length !== 2 || !(scale[0] > 0) || !(scale[1] >= scale[0]) || !Number.isFinite(scale[1])) {
    throw new Error(`${where}: scale must be [lo, hi] with 0 < lo <= hi, but got ${JSON.stringify(scale)}`);
  }
  if (typeof translate !== 'boolean') throw new Error(`${where}: translate must be a boolean, but got ${String(translate)}`);
  const [, height, width] = images.shape;
  if (!Number.isInteger(canvas) || canvas < height || canvas < width) {
    throw new Error(`${where}: canvas must be an integer >= the image size ${height}x${width}, but got ${String(canvas)}`);
  }
  if (!Number.isInteger(outputSize) || outputSize <= 0) {
    throw new Error(`${where}: outputSize must be a positive integer, but got ${String(outputSize)}`);
  }
  assertSeed(seed, where);
  return { rotation: maxDegrees, shear: maxShear, scale, translate, canvas, outputSize, seed };
}

/** Corners of a box, as [x, y] pixel coordinates. */
type Corners = Array<[number, number]>;

/**
 * Per image, the corners of the box where bilinear sampling can find its ink: the nonzero pixels'
 * centres widened by one pixel on every side. A blank image's box is its centre point.
 */
function inkBoxes(images: tf.Tensor4D): Corners[] {
  const [count, height, width, channels] = images.shape;
  const perImage = height * width * channels;
  const boxes: Corners[] = [];
  for (let start = 0; start < count; start += CHUNK_IMAGES) {
    const size = Math.min(CHUNK_IMAGES, count - start);
    const chunk = tf.slice(images, [start, 0, 0, 0], [size, -1, -1, -1]);
    const values = chunk.dataSync();
    chunk.dispose();
    for (let n = 0; n < size; n++) {
      let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
      for (let i = 0; i < perImage; i++) {
        if (values[n * perImage + i] === 0) continue;
        const x = Math.floor(i / channels) % width;
        const y = Math.floor(i / (channels * width));
        [x0, y0, x1, y1] = [Math.min(x0, x - 1), Math.min(y0, y - 1), Math.max(x1, x + 1), Math.max(y1, y + 1)];
      }
      if (x0 === Infinity) [x0, y0, x1, y1] = [(width - 1) / 2, (height - 1) / 2, (width - 1) / 2, (height - 1) / 2];
      boxes.push([[x0, y0], [x1, y0], [x0, y1], [x1, y1]]);
    }
  }
  return boxes;
}

function draw(images: tf.Tensor4D, o: Resolved, where: string): Affnist40Draw[] {
  const [, height, width] = images.shape;
  const { canvas } = o;
  const left = Math.floor((canvas - width) / 2);
  const top = Math.floor((canvas - height) / 2);
  const place = translation(left, top);
  const { cx, cy } = imageCenter(canvas, canvas);
  const random = new SeededRandom(o.seed);
  return inkBoxes(images).map((box, n) => {
    for (let attempt = 0; attempt < MAX_DRAWS; attempt++) {
      const degrees = random.uniform(-o.rotation, o.rotation);
      const shear = random.uniform(-o.shear, o.shear);
      const scaleX = random.uniform(o.scale[0], o.scale[1]);
      const scaleY = random.uniform(o.scale[0], o.scale[1]);
      const [a, b, c, d, e, f] = chain(place, scaling(scaleX, scaleY, cx, cy), shearing(shear, cx, cy), rotation(degrees, cx, cy));
      const xs = box.map(([x, y]) => a * x + b * y + c);
      const ys = box.map(([x, y]) => d * x + e * y + f);
      // The ink may reach up to, not onto, the pixel centres at -1 and `canvas` just outside the canvas.
      const dxRange: [number, number] = [-1 - Math.min(...xs), canvas - Math.max(...xs)];
      const dyRange: [number, number] = [-1 - Math.min(...ys), canvas - Math.max(...ys)];
      const allowed = (range: [number, number]) => (o.translate ? range[0] <= range[1] : range[0] <= 0 && 0 <= range[1]);
      if (!allowed(dxRange) || !allowed(dyRange)) continue;
      const dx = o.translate ? random.uniform(dxRange[0], dxRange[1]) : 0;
      const dy = o.translate ? random.uniform(dyRange[0], dyRange[1]) : 0;
      const matrix = chain([a, b, c, d, e, f], translation(dx, dy));
      return { degrees, shear, scaleX, scaleY, dx, dy, dxRange, dyRange, matrix };
    }
    const [[x0, y0], , , [x1, y1]] = box;
    throw new Error(
      `${where}: image ${n}'s ink (a ${x1 - x0 - 1}x${y1 - y0 - 1} pixel box) fitted the ${canvas}x${canvas} canvas in none of ` +
        `${MAX_DRAWS} draws; use a larger canvas or a smaller scale range`,
    );
  });
}

/**
 * The transform {@link affnist40} draws for each image of `images` with these options: its
 * parameters, the shift range that kept the image's ink on the canvas, and the matrix. Reads
 * `images` (to find the ink) and leaves them alone.
 */
export function affnist40Parameters(images: tf.Tensor4D, options: Affnist40Options = {}): Affnist40Draw[] {
  const where = 'affnist40Parameters';
  assertImages(images, where);
  return draw(images, resolveOptions(images, options, where), where);
}

/**
 * An affNIST test set in the manner of Tieleman's affNIST (2013): each image is centred on a zero
 * `canvas` x `canvas` canvas (40 x 40 by default, a 6-pixel border around MNIST's 28 x 28) and
 * transformed there by its own random affine map, with bilinear sampling and zero fill, so that
 * no digit is cropped. affNIST's ranges are the defaults: rotation uniform in ±20°, shear factor
 * uniform in ±0.2, horizontal and vertical scale each uniform in [0.8, 1.2], and a translation
 * that keeps the whole digit inside the 40 x 40 image.
 *
 * Per image, in this order, one seeded generator draws the angle, shear, x scale and y scale, all
 * applied about the canvas centre (scale first, then shear, then rotation). Then the translation
 * is bounded by the transformed box around the image's nonzero pixels (widened by the one pixel
 * that bilinear sampling spreads ink): `dx` and `dy` are drawn uniformly from the shifts that keep
 * that box within the canvas, so the warp loses no ink. Should no shift fit (a digit too big for
 * the canvas at the drawn scale), the four parameters are drawn again, up to 100 times; MNIST
 * digits (ink within 20 x 20) always fit a 40 x 40 canvas. With `translate: false` the digit stays
 * centred and draws that would crop it are redrawn likewise. {@link affnist40Parameters} returns
 * the draws. The same seed gives the same set on every backend; labels are copied and the name
 * becomes `<name>+affnist40(seed=<seed>)` (`affnist<canvas>` for another canvas).
 *
 * **Evaluating a model trained on 28 x 28 images**: pass `outputSize: 28`. The whole 40 x 40
 * canvas is then resized to 28 x 28 with {@link resize} (name suffix `+resize28`), so each digit
 * shrinks by 28/40 but is never cropped. Do not crop the central 28 x 28 instead: a crop cuts
 * off digits that moved or grew, which changes the task (part of the digit is gone), whereas the
 * claim under test is generalization to transformed, complete digits. The smaller digit size is a
 * change of scale, which the scale sweep (`scaled`) measures on its own.
 */
export function affnist40(ds: Dataset, options: Affnist40Options = {}): Dataset {
  const where = 'affnist40';
  assertLiveDataset(ds, where);
  const resolved = resolveOptions(ds.images, options, where);
  const { canvas, outputSize, seed } = resolved;
  const matrices = draw(ds.images, resolved, where).map((p) => p.matrix);
  let images = affineTransform(ds.images, matrices, { outputSize: [canvas, canvas] });
  if (outputSize !== canvas) {
    const whole = images;
    try {
      images = resize(whole, outputSize, outputSize);
    } finally {
      whole.dispose();
    }
  }
  return withImages(ds, images, `affnist${canvas}(seed=${seed})${outputSize === canvas ? '' : `+resize${outputSize}`}`);
}
