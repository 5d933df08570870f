import * as tf from '@tensorflow/tfjs-core';
import type { ImageShape } from '@ddar/backbones';

export function assertImageShape(op: string, name: string, shape: unknown): asserts shape is ImageShape {
  if (
    !Array.isArray(shape) ||
    shape.length !== 3 ||
    !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0)
  ) {
    throw new Error(`Error in ${op}: ${name} must be [height, width, channels] of positive integers, but got ${JSON.stringify(shape)}`);
  }
}

/** Checks that `x` is a float32 batch [N, H, W, C] of images of `imageShape`. */
export function assertImageBatch(op: string, name: string, x: unknown, imageShape: ImageShape): asserts x is tf.Tensor4D {
  if (!(x instanceof tf.Tensor)) {
    throw new Error(`Error in ${op}: ${name} must be a tf.Tensor, but got ${typeof x}`);
  }
  if (x.isDisposed) {
    throw new Error(`Error in ${op}: ${name} has been disposed; pass a tensor that is still alive (dispose it after the call)`);
  }
  const [h, w, c] = imageShape;
  if (x.rank !== 4 || x.shape[1] !== h || x.shape[2] !== w || x.shape[3] !== c) {
    throw new Error(`Error in ${op}: ${name} must have shape [N, ${h}, ${w}, ${c}], but got shape [${x.shape}]`);
  }
  if (x.dtype !== 'float32') {
    throw new Error(`Error in ${op}: ${name} must be float32, but got ${x.dtype}`);
  }
}

/** Checks that `x` is a float32 batch of codes [N, size]. */
export function assertCodeBatch(op: string, name: string, x: unknown, size: number): asserts x is tf.Tensor2D {
  if (!(x instanceof tf.Tensor)) {
    throw new Error(`Error in ${op}: ${name} must be a tf.Tensor, but got ${typeof x}`);
  }
  if (x.rank !== 2 || x.shape[1] !== size) {
    throw new Error(`Error in ${op}: ${name} must have shape [N, ${size}], but got shape [${x.shape}]`);
  }
}

/** Checks integer labels [N] matching a batch of N images. */
export function assertLabels(op: string, name: string, labels: unknown, batchSize: number): asserts labels is tf.Tensor1D {
  if (!(labels instanceof tf.Tensor)) {
    throw new Error(`Error in ${op}: ${name} must be a tf.Tensor, but got ${typeof labels}`);
  }
  if (labels.isDisposed) {
    throw new Error(`Error in ${op}: ${name} has been disposed; pass a tensor that is still alive (dispose it after the call)`);
  }
  if (labels.rank !== 1 || labels.shape[0] !== batchSize) {
    throw new Error(`Error in ${op}: ${name} must have shape [${batchSize}] (one label per image), but got shape [${labels.shape}]`);
  }
}

export function assertPositiveNumber(op: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`Error in ${op}: ${name} must be a positive number, but got ${String(value)}`);
  }
}

export function assertPositiveInteger(op: string, name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`Error in ${op}: ${name} must be a positive integer, but got ${String(value)}`);
  }
}
