import * as tf from '@tensorflow/tfjs-core';

/**
 * Central-difference gradient of a scalar function at `x`, one element at a time. The step actually
 * taken is measured after rounding to float32, so the quotient does not inherit the rounding of x ± h.
 */
export function centralDifferenceGradient(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, h = 1e-2): Float64Array {
  const base = Array.from(x.dataSync());
  const gradient = new Float64Array(base.length);
  const evaluate = (values: number[]): number =>
    tf.tidy(() => f(tf.tensor(values, x.shape, 'float32')).dataSync()[0]);
  for (let i = 0; i < base.length; i++) {
    const plus = base.slice();
    const minus = base.slice();
    plus[i] = Math.fround(base[i] + h);
    minus[i] = Math.fround(base[i] - h);
    gradient[i] = (evaluate(plus) - evaluate(minus)) / (plus[i] - minus[i]);
  }
  return gradient;
}

/** ||analytic - numeric||_2 / max(||analytic||_2, ||numeric||_2); throws if both are zero (a vacuous check). */
export function relativeError(analytic: ArrayLike<number>, numeric: ArrayLike<number>): number {
  let difference = 0;
  let analyticNorm = 0;
  let numericNorm = 0;
  for (let i = 0; i < numeric.length; i++) {
    difference += (analytic[i] - numeric[i]) ** 2;
    analyticNorm += analytic[i] ** 2;
    numericNorm += numeric[i] ** 2;
  }
  const scale = Math.sqrt(Math.max(analyticNorm, numericNorm));
  if (scale === 0) throw new Error('relativeError: both gradients are zero, the comparison would prove nothing');
  return Math.sqrt(difference) / scale;
}

/** tf.grad of `f` at `x` against central differences; returns the relative error. */
export function gradientCheck(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, h = 1e-2): number {
  const analytic = tf.tidy(() => tf.grad(f)(x).dataSync());
  return relativeError(analytic, centralDifferenceGradient(f, x, h));
}

/**
 * Runs `call` (which must dispose what it returns) once to warm up caches, then several times more,
 * and returns how many tensors those later calls left behind.
 */
export function tensorsLeakedBy(call: () => void, repeats = 5): number {
  call();
  const before = tf.memory().numTensors;
  for (let i = 0; i < repeats; i++) call();
  return tf.memory().numTensors - before;
}
