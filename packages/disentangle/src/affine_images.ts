import * as tf from '@tensorflow/tfjs-core';
import { warp } from './warp.js';

/**
 * One similarity transform of an image about its centre ((W - 1) / 2, (H - 1) / 2), in image
 * coordinates (x to the right, y down, in pixels). Every field defaults to the identity.
 *
 * A content point p moves to `c + scale * R(rotationDegrees) (p - c) + (shiftX, shiftY)`: first scaled
 * and rotated about the centre c, then shifted.
 */
export interface AffineTransform {
  /** Positive turns the content counter-clockwise as seen on screen (y down). Default 0. */
  rotationDegrees?: number;
  /** Pixels; positive moves the content to the right. Default 0. */
  shiftX?: number;
  /** Pixels; positive moves the content down. Default 0. */
  shiftY?: number;
  /** Greater than 1 enlarges the content. Default 1. */
  scale?: number;
}

/**
 * Applies `transforms[n]` to image n: bilinear, zero outside the image. Built on {@link warp}: each
 * output pixel reads the input at the inverse image of its own position. A transform that maps
 * pixel centres onto pixel centres (identity, integer shifts, multiples of 90 degrees on a square
 * image) moves pixels exactly.
 *
 * @param images [N, H, W, C] float32.
 * @param transforms N transforms, one per image.
 */
export function transformImages(images: tf.Tensor4D, transforms: readonly AffineTransform[]): tf.Tensor4D {
  validateTransformInputs(images, transforms);
  const [n, h, w] = images.shape;
  const displacement = inverseDisplacement(transforms, n, h, w);
  return tf.tidy(() => warp(images, tf.tensor4d(displacement, [n, h, w, 2])));
}

/**
 * The field (dx, dy) = p - q for every output pixel q, p = c + R(-theta) (q - c - t) / s being the input
 * point that the transform carries onto q. Computed in Float64 so that exact maps stay exact after the
 * round to float32.
 */
function inverseDisplacement(transforms: readonly AffineTransform[], n: number, h: number, w: number): Float32Array {
  const field = new Float32Array(n * h * w * 2);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  for (let b = 0; b < n; b++) {
    const { rotationDegrees = 0, shiftX = 0, shiftY = 0, scale = 1 } = transforms[b];
    const radians = (rotationDegrees * Math.PI) / 180;
    const cos = Math.cos(radians);
    const sin = Math.sin(radians);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const ux = (x - cx - shiftX) / scale;
        const uy = (y - cy - shiftY) / scale;
        // With y down, a counter-clockwise turn on screen is R = [[cos, sin], [-sin, cos]]; its inverse is its transpose.
        const px = cx + cos * ux - sin * uy;
        const py = cy + sin * ux + cos * uy;
        const offset = ((b * h + y) * w + x) * 2;
        field[offset] = px - x;
        field[offset + 1] = py - y;
      }
    }
  }
  return field;
}

function validateTransformInputs(images: unknown, transforms: unknown): asserts images is tf.Tensor4D {
  const op = 'transformImages';
  if (!(images instanceof tf.Tensor)) {
    throw new Error(`Error in ${op}: images must be a tf.Tensor, but got ${typeof images}`);
  }
  if (images.rank !== 4) {
    throw new Error(`Error in ${op}: images must be rank 4 [N, H, W, C], but got rank ${images.rank} (shape [${images.shape}])`);
  }
  if (images.dtype !== 'float32') {
    throw new Error(`Error in ${op}: images must be float32, but got ${images.dtype}`);
  }
  if (!Array.isArray(transforms) || transforms.length !== images.shape[0]) {
    const got = Array.isArray(transforms) ? `${transforms.length} transforms` : typeof transforms;
    throw new Error(`Error in ${op}: transforms must be an array of ${images.shape[0]} transforms (one per image), but got ${got}`);
  }
  transforms.forEach((transform: unknown, i) => {
    if (transform == null || typeof transform !== 'object') {
      throw new Error(`Error in ${op}: transforms[${i}] must be an object, but got ${String(transform)}`);
    }
    const fields = transform as Record<string, unknown>;
    for (const key of ['rotationDegrees', 'shiftX', 'shiftY', 'scale'] as const) {
      const value = fields[key];
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
        throw new Error(`Error in ${op}: transforms[${i}].${key} must be a finite number, but got ${String(value)}`);
      }
    }
    if (fields.scale !== undefined && (fields.scale as number) <= 0) {
      throw new Error(`Error in ${op}: transforms[${i}].scale must be positive, but got ${String(fields.scale)}`);
    }
  });
}
