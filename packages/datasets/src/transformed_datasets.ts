import * as tf from '@tensorflow/tfjs-core';
import { createDataset, type Dataset } from './dataset.js';
import {
  randomAffineMatrices, affineTransform, rotate, scale, shear, translate,
} from './geometric_transforms.js';
import { assertLiveDataset } from './subset.js';

/** Wraps transformed images with a copy of `ds`'s labels; disposes the images if that fails. */
export function withImages(ds: Dataset, images: tf.Tensor4D, suffix: string): Dataset {
  try {
    return createDataset(`${ds.name}+${suffix}`, images, tf.clone(ds.labels), ds.classNames);
  } catch (error) {
    images.dispose();
    throw error;
  }
}

/** A new dataset with every image rotated counter-clockwise by `degrees` (name suffix `+rot<degrees>`). */
export function rotated(ds: Dataset, options: { degrees: number }): Dataset {
  assertLiveDataset(ds, 'rotated');
  return withImages(ds, rotate(ds.images, options?.degrees), `rot${options.degrees}`);
}

/** A new dataset with every image shifted `dx` pixels right and `dy` down, zero filled. */
export function translated(ds: Dataset, options: { dx: number; dy: number }): Dataset {
  assertLiveDataset(ds, 'translated');
  return withImages(ds, translate(ds.images, options?.dx, options?.dy), `shift${options.dx},${options.dy}`);
}

/** A new dataset with every image scaled about its centre by `factor`. */
export function scaled(ds: Dataset, options: { factor: number }): Dataset {
  assertLiveDataset(ds, 'scaled');
  return withImages(ds, scale(ds.images, options?.factor), `scale${options.factor}`);
}

/** A new dataset with every image sheared horizontally by `shear` about its centre. */
export function sheared(ds: Dataset, options: { shear: number }): Dataset {
  assertLiveDataset(ds, 'sheared');
  return withImages(ds, shear(ds.images, options?.shear), `shear${options.shear}`);
}

/** Options of {@link affnistLike}; the defaults approximate affNIST's transformation ranges. */
export interface AffnistLikeOptions {
  /** Maximum rotation in degrees. Default 20. */
  rotation?: number;
  /** Maximum horizontal shear factor. Default 0.2. */
  shear?: number;
  /** Range of the independent horizontal and vertical scale factors. Default [0.8, 1.2]. */
  scale?: [number, number];
  /** Maximum shift as a fraction of the padded side. Default 0.1 (±4 px at 40). */
  translate?: number;
  /** Side of the square canvas the images are centred on before transforming. Default 40. */
  pad?: number;
  /** Default 0. */
  seed?: number;
}

/**
 * An affNIST-like test set (after Tieleman's affNIST): each image is centred on a zero
 * `pad` x `pad` canvas, then warped by its own random affine map — scale (x and y drawn
 * independently), then shear, then rotation, all about the canvas centre, then a shift — with
 * bilinear sampling and zero fill. Parameters are drawn per image from `seed` as described in
 * {@link randomAffineMatrices}, so the same seed gives the same set on every backend.
 */
export function affnistLike(ds: Dataset, options: AffnistLikeOptions = {}): Dataset {
  const where = 'affnistLike';
  assertLiveDataset(ds, where);
  const { rotation = 20, shear: maxShear = 0.2, scale: scaleRange = [0.8, 1.2], translate: maxShift = 0.1, pad = 40, seed = 0 } = options;
  const [count, height, width] = ds.images.shape;
  if (!Number.isInteger(pad) || pad < height || pad < width) {
    throw new Error(`${where}: pad must be an integer side >= the image size ${height}x${width}, but got ${String(pad)}`);
  }
  const matrices = randomAffineMatrices(count, pad, pad, { rotation, shear: maxShear, scale: scaleRange, translate: maxShift, seed });
  // Centring on the canvas is itself a shift, so it folds into each matrix instead of a padded copy.
  const top = Math.floor((pad - height) / 2);
  const left = Math.floor((pad - width) / 2);
  const placed = matrices.map(([a, b, c, d, e, f]) => [a, b, a * left + b * top + c, d, e, d * left + e * top + f] as const);
  const images = affineTransform(ds.images, placed, { outputSize: [pad, pad] });
  return withImages(ds, images, `affnist-like(seed=${seed})`);
}
