import * as tf from '@tensorflow/tfjs-core';
import type { Model } from './model.js';

/** Labels as accepted by every entry point: an int tensor or plain numbers. */
export type Labels = tf.Tensor1D | ArrayLike<number>;

export function checkEpsilon(where: string, name: string, value: unknown, allowInfinity = false): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (!allowInfinity && !Number.isFinite(value))) {
    throw new Error(
      `${where}: ${name} must be a ${allowInfinity ? '' : 'finite '}number >= 0, but got ${
        typeof value === 'number' ? String(value) : JSON.stringify(value)
      }`,
    );
  }
  return value;
}

export function checkEpsilons(where: string, epsilons: unknown, allowInfinity = false): number[] {
  if (!Array.isArray(epsilons) || epsilons.length === 0) {
    throw new Error(`${where}: epsilons must be a non-empty array of numbers, but got ${JSON.stringify(epsilons)}`);
  }
  return epsilons.map((e, i) => checkEpsilon(where, `epsilons[${i}]`, e, allowInfinity));
}

export function checkPositiveInt(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${where}: ${name} must be a positive integer, but got ${String(value)}`);
  }
  return value;
}

export function checkNonNegative(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`${where}: ${name} must be a finite number >= 0, but got ${String(value)}`);
  }
  return value;
}

export function checkPositive(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`${where}: ${name} must be a finite number > 0, but got ${String(value)}`);
  }
  return value;
}

export function checkInRange(where: string, name: string, value: unknown, low: number, high: number): number {
  if (typeof value !== 'number' || !(value >= low && value <= high)) {
    throw new Error(`${where}: ${name} must be a number in [${low}, ${high}], but got ${String(value)}`);
  }
  return value;
}

export function checkSeed(where: string, seed: unknown): number | undefined {
  if (seed === undefined) return undefined;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new Error(`${where}: seed must be a finite number, but got ${String(seed)}`);
  }
  return seed;
}

/**
 * Inputs must be a float rank-4 batch without NaN, inside the model's bounds: an attack started
 * outside the valid range would report "adversarials" that differ from the input only by clipping.
 */
export function checkInputs(where: string, x: unknown, model: Model): tf.Tensor4D {
  if (!(x instanceof tf.Tensor)) {
    throw new Error(`${where}: inputs must be a tf.Tensor4D [N, H, W, C], but got ${x === null ? 'null' : typeof x}`);
  }
  if (x.rank !== 4) {
    throw new Error(`${where}: inputs must be rank 4 [N, H, W, C], but got rank ${x.rank} with shape [${x.shape}]`);
  }
  if (x.dtype !== 'float32') {
    throw new Error(`${where}: inputs must be float32, but got ${x.dtype}`);
  }
  if (x.shape[0] === 0) {
    throw new Error(`${where}: inputs must hold at least one example, but got shape [${x.shape}]`);
  }
  const [low, high] = model.bounds;
  const [nanCount, min, max] = tf.tidy(() => {
    const nan = tf.sum(tf.cast(tf.isNaN(x), 'int32'));
    return [nan, tf.min(x), tf.max(x)];
  }).map((t) => {
    const v = t.dataSync()[0];
    t.dispose();
    return v;
  });
  if (nanCount > 0) {
    throw new Error(`${where}: inputs contain ${nanCount} NaN value(s)`);
  }
  // float32 rounding of user preprocessing (e.g. x / 255) may overshoot by an ulp.
  const slack = 1e-6 * Math.max(1, Math.abs(low), Math.abs(high));
  if (min < low - slack || max > high + slack) {
    throw new Error(
      `${where}: inputs must lie within the model bounds [${low}, ${high}], but range over [${min}, ${max}]`,
    );
  }
  return x as tf.Tensor4D;
}

/**
 * Converts labels (or targets) to an int32 tensor after checking their count and range; the caller
 * owns the returned tensor.
 */
export function checkLabels(
  where: string,
  name: string,
  labels: unknown,
  n: number,
  numClasses: number,
): { tensor: tf.Tensor1D; values: Int32Array } {
  const values = checkLabelValues(where, name, labels, n, numClasses);
  return { tensor: tf.tensor1d(values, 'int32'), values };
}

/** {@link checkLabels} without the tensor. */
export function checkLabelValues(where: string, name: string, labels: unknown, n: number, numClasses: number): Int32Array {
  let values: ArrayLike<number>;
  if (labels instanceof tf.Tensor) {
    if (labels.rank !== 1) {
      throw new Error(`${where}: ${name} must be rank 1 [N], but got rank ${labels.rank} with shape [${labels.shape}]`);
    }
    values = labels.dataSync();
  } else if (labels !== null && typeof labels === 'object' && typeof (labels as ArrayLike<number>).length === 'number') {
    values = labels as ArrayLike<number>;
  } else {
    throw new Error(`${where}: ${name} must be a tf.Tensor1D or an array of class indices, but got ${String(labels)}`);
  }
  if (values.length !== n) {
    throw new Error(`${where}: ${name} must have one entry per input (${n}), but got ${values.length}`);
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new Error(
        `${where}: ${name}[${i}] must be an integer class index in [0, ${numClasses - 1}], but got ${v}`,
      );
    }
    out[i] = v;
  }
  return out;
}
