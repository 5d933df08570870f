import * as tf from '@tensorflow/tfjs-core';
import type { Bounds, Model } from './model.js';
import type { SeededRandom } from '@ddar/random';

/** The perturbation norms the attacks here support. */
export type Norm = 'linf' | 'l2';

// Keeps divisions by a zero gradient or a zero perturbation finite.
const TINY = 1e-12;

/** Per-example L2 norm of a batch `[N, ...]`, as a `[N]` tensor. */
export function l2Norms(t: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.sqrt(tf.sum(tf.square(tf.reshape(t, [t.shape[0], -1])), 1))) as tf.Tensor1D;
}

/** Per-example L-inf norm of a batch `[N, ...]`. */
export function linfNorms(t: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.max(tf.abs(tf.reshape(t, [t.shape[0], -1])), 1)) as tf.Tensor1D;
}

/** Reshapes a per-example `[N]` tensor so it broadcasts against `[N, H, W, C]`. */
export function perExample(t: tf.Tensor1D): tf.Tensor4D {
  return tf.reshape(t, [t.shape[0], 1, 1, 1]);
}

/** `g / ||g||_2` per example: the steepest ascent direction under an L2 constraint. */
export function normalizeL2(g: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.div(g, tf.add(perExample(l2Norms(g)), TINY)));
}

/** Projects the perturbation `delta` onto the `norm` ball of radius `epsilon`. */
export function projectDelta(delta: tf.Tensor4D, norm: Norm, epsilon: number): tf.Tensor4D {
  return tf.tidy((): tf.Tensor4D => {
    if (epsilon === Infinity) return tf.clone(delta);
    if (norm === 'linf') return tf.clipByValue(delta, -epsilon, epsilon);
    const factor = tf.minimum(1, tf.div(epsilon, tf.add(l2Norms(delta), TINY)));
    return tf.mul(delta, perExample(factor as tf.Tensor1D)) as tf.Tensor4D;
  });
}

/** `x + delta` projected onto the epsilon ball around `x` and then into the model's bounds. */
export function projectToBall(x: tf.Tensor4D, adv: tf.Tensor, norm: Norm, epsilon: number, bounds: Bounds): tf.Tensor4D {
  return tf.tidy(() => tf.clipByValue(tf.add(x, projectDelta(tf.sub(adv, x) as tf.Tensor4D, norm, epsilon)), bounds[0], bounds[1]) as tf.Tensor4D);
}

/**
 * sign(t) from comparisons. tf.sign on the wasm backend (tfjs 4.22) returns 0 for |t| <= 1e-7, and
 * input gradients of confidently classified examples are often that small: sign-based attacks would
 * silently leave those examples untouched.
 */
export function exactSign<T extends tf.Tensor>(t: T): T {
  return tf.tidy(() => tf.sub(tf.cast(tf.greater(t, 0), 'float32'), tf.cast(tf.less(t, 0), 'float32')) as T);
}

/** One ascent step of size `stepSize`: the sign of the gradient (L-inf) or its L2 direction. */
export function ascentStep(grad: tf.Tensor4D, norm: Norm, stepSize: number | tf.Tensor): tf.Tensor4D {
  return tf.tidy(() => tf.mul(norm === 'linf' ? exactSign(grad) : normalizeL2(grad), stepSize) as tf.Tensor4D);
}

/**
 * A random starting point inside the ball and the bounds: uniform in the L-inf cube (Madry et al.),
 * uniform in the L2 ball (Gaussian direction, radius eps * u^(1/d)) for L2.
 */
export function randomStart(x: tf.Tensor4D, norm: Norm, epsilon: number, bounds: Bounds, rng: SeededRandom): tf.Tensor4D {
  if (epsilon === Infinity) {
    return tf.tensor4d(rng.uniformArray(x.size, bounds[0], bounds[1]), x.shape);
  }
  return tf.tidy((): tf.Tensor4D => {
    let delta: tf.Tensor4D;
    if (norm === 'linf') {
      delta = tf.tensor4d(rng.uniformArray(x.size, -epsilon, epsilon), x.shape);
    } else {
      const n = x.shape[0];
      const d = x.size / n;
      const radii = new Float32Array(n);
      for (let i = 0; i < n; i++) radii[i] = epsilon * Math.pow(rng.next(), 1 / d);
      delta = tf.mul(normalizeL2(tf.tensor4d(rng.normalArray(x.size), x.shape)), perExample(tf.tensor1d(radii))) as tf.Tensor4D;
    }
    return tf.clipByValue(tf.add(x, delta), bounds[0], bounds[1]) as tf.Tensor4D;
  });
}

/** Per-example softmax cross-entropy `[N]`; a one-hot product instead of gather keeps it differentiable on wasm. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(labels, logits.shape[1]);
    return tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(oneHot, logits), 1)) as tf.Tensor1D;
  });
}

/**
 * Per-example margin `z_y - max_{k != y} z_k`: positive while the class `y` still wins, negative once
 * another class beats it (Carlini & Wagner's f6, Square's margin loss).
 */
export function margin(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(labels, logits.shape[1]);
    const own = tf.sum(tf.mul(oneHot, logits), 1);
    // Subtracting a large constant (not -Infinity, which would give 0 * Inf = NaN) masks out class y.
    const others = tf.max(tf.sub(logits, tf.mul(oneHot, 1e9)), 1);
    return tf.sub(own, others) as tf.Tensor1D;
  });
}

/**
 * The model's number of classes, from one forward pass on the whole batch, so that a model returning
 * the wrong shape fails here, before any attack work, with the wrapper's error naming the shapes.
 */
export function countClasses(model: Model, x: tf.Tensor4D): number {
  const logits = tf.tidy(() => model.logits(x));
  const numClasses = logits.shape[1];
  logits.dispose();
  return numClasses;
}

/** Predicted classes of `x`. */
export function predict(model: Model, x: tf.Tensor4D): Int32Array {
  const pred = tf.tidy(() => tf.argMax(model.logits(x), 1));
  const values = pred.dataSync() as Int32Array;
  pred.dispose();
  return Int32Array.from(values);
}

export interface LossAndGrad {
  /** Per-example loss `[N]`. */
  losses: tf.Tensor1D;
  /** Gradient of the summed loss w.r.t. the input: each example's row is its own loss's gradient. */
  grad: tf.Tensor4D;
  logits: tf.Tensor2D;
}

/**
 * Per-example losses, logits and the input gradient of their sum in one forward/backward pass.
 * The caller owns (and must dispose) the three tensors.
 */
export function lossAndGrad(
  model: Model,
  x: tf.Tensor4D,
  lossFn: (logits: tf.Tensor2D) => tf.Tensor1D,
): LossAndGrad {
  let losses: tf.Tensor1D | undefined;
  let logits: tf.Tensor2D | undefined;
  const { value, grad } = withGradientHint(() =>
    tf.valueAndGrad((input: tf.Tensor4D) => {
      const z = model.logits(input);
      const l = lossFn(z);
      // keep() lets both outlive the tidy that tf.grad runs the function in.
      logits = tf.keep(z);
      losses = tf.keep(l);
      return tf.sum(l);
    })(x),
  );
  value.dispose();
  return { losses: losses!, grad: grad as tf.Tensor4D, logits: logits! };
}

/**
 * tfjs-core registers no gradients by itself (the union package and tfjs-layers do); turn tfjs's
 * bare "gradient function not found" into an error saying how to fix it.
 */
export function withGradientHint<T>(compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    const message = (error as Error).message ?? '';
    if (/gradient function not found/i.test(message)) {
      throw new Error(
        `${message}. Gradient-based attacks need tfjs gradients registered: import '@tensorflow/tfjs' or ` +
          `'@tensorflow/tfjs-layers' (either registers all of tfjs-core's gradients) once in your program.`,
      );
    }
    throw error;
  }
}

/** Rows of `a` where `mask[i]` is 1, rows of `b` elsewhere. */
export function selectRows<T extends tf.Tensor>(mask: ArrayLike<number>, a: T, b: T): T {
  return tf.tidy(() => whereRows(tf.tensor1d(Array.from(mask, (v) => (v ? 1 : 0)), 'bool'), a, b));
}

/** {@link selectRows} with the mask `[N]` as a tensor (bool or 0/1), so that it never leaves the device. */
export function whereRows<T extends tf.Tensor>(mask: tf.Tensor1D, a: T, b: T): T {
  return tf.tidy(() => {
    const rows = tf.reshape(tf.cast(mask, 'float32'), [a.shape[0], ...a.shape.slice(1).map(() => 1)]);
    // Broadcast by an add rather than by tf.where itself, which tiles the bool mask: ~10x slower than the select on wasm.
    const condition = tf.cast(tf.add(tf.zeros(a.shape), rows), 'bool');
    return tf.where(condition, a, b) as T;
  });
}

/** Rows `indices` of a batch, in that order. */
export function gatherRows<T extends tf.Tensor>(t: T, indices: ArrayLike<number>): T {
  return tf.tidy(() => tf.gather(t, tf.tensor1d(Array.from(indices), 'int32')) as T);
}

/** `target` with its rows `indices[j]` replaced by the rows `j` of `source` (`source` has `indices.length` rows). */
export function scatterRows<T extends tf.Tensor>(target: T, indices: ArrayLike<number>, source: T): T {
  const n = target.shape[0];
  const from = Int32Array.from({ length: n }, (_, i) => i);
  for (let j = 0; j < indices.length; j++) from[indices[j]] = n + j;
  return tf.tidy(() => tf.gather(tf.concat([target, source]), tf.tensor1d(from, 'int32')) as T);
}
