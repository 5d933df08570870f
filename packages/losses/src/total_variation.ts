import * as tf from '@tensorflow/tfjs-core';
import { assertFloat, assertNotEmpty, assertOneOf, assertRank } from './validate.js';

/** How {@link totalVariation} combines differences: summed absolute values, or a Jacobian norm that has no axis preference. */
export type TotalVariationVariant = 'anisotropic' | 'isotropic';

/** Every {@link TotalVariationVariant}, for validating configuration and listing choices in CLIs. */
export const TOTAL_VARIATION_VARIANTS: readonly TotalVariationVariant[] = ['anisotropic', 'isotropic'];

const OP = 'totalVariation';

/**
 * Total variation of a field [N, H, W, K] (for DDAR a displacement field, K = 2), averaged over the
 * N·H·W positions, with forward differences `dx = f[y, x+1] - f[y, x]`, `dy = f[y+1, x] - f[y, x]`
 * and zero difference past the last column / row (Neumann boundary):
 *
 * - `'anisotropic'` (default): mean over positions of `sum_k |dx_k| + |dy_k|`.
 * - `'isotropic'`: mean over positions of `sqrt(sum_k dx_k^2 + dy_k^2)`, the Frobenius norm of the
 *   field's Jacobian, which does not prefer axis-aligned edges. Its gradient at a perfectly flat
 *   position (norm 0, where sqrt has no derivative) is taken as 0, a valid subgradient, rather than
 *   the NaN a plain `sqrt` would give.
 *
 * The channels are summed rather than averaged so that a displacement's magnitude counts as a
 * vector, independent of how many channels carry it.
 *
 * Non-finite inputs: NaN or ±Infinity in `field` propagates to a NaN or Infinity result; no error is
 * thrown, to keep training free of device-to-CPU reads.
 */
export function totalVariation(field: tf.Tensor4D, variant: TotalVariationVariant = 'anisotropic'): tf.Scalar {
  assertRank(OP, 'field', field, 4);
  assertFloat(OP, 'field', field);
  assertNotEmpty(OP, 'field', field);
  assertOneOf<TotalVariationVariant>(OP, 'variant', variant, TOTAL_VARIATION_VARIANTS);
  const [n, h, w, k] = field.shape;
  const positions = n * h * w;

  return tf.tidy(() => {
    // A 1-pixel-wide (or -high) field has no horizontal (vertical) neighbours, hence no differences.
    const dx = w > 1 ? difference(field, [0, 0, 1, 0], [n, h, w - 1, k]) : null;
    const dy = h > 1 ? difference(field, [0, 1, 0, 0], [n, h - 1, w, k]) : null;
    if (variant === 'anisotropic') {
      let total: tf.Scalar = tf.scalar(0);
      if (dx !== null) total = tf.add(total, tf.sum(tf.abs(dx)));
      if (dy !== null) total = tf.add(total, tf.sum(tf.abs(dy)));
      return tf.div(total, positions) as tf.Scalar;
    }
    // Padding puts both differences on the common H x W grid, with zeros where a neighbour is missing.
    let squaredNorm: tf.Tensor3D = tf.zeros([n, h, w]);
    if (dx !== null) {
      squaredNorm = tf.add(squaredNorm, tf.sum(tf.square(tf.pad(dx, [[0, 0], [0, 0], [0, 1], [0, 0]])), 3));
    }
    if (dy !== null) {
      squaredNorm = tf.add(squaredNorm, tf.sum(tf.square(tf.pad(dy, [[0, 0], [0, 1], [0, 0], [0, 0]])), 3));
    }
    return tf.div(tf.sum(sqrtWithZeroGradientAtZero(squaredNorm)), positions) as tf.Scalar;
  });
}

/** `field[begin + i] - field[i]` over a window of `size`: the forward difference along one axis. */
function difference(field: tf.Tensor4D, begin: [number, number, number, number], size: number[]): tf.Tensor4D {
  return tf.sub(tf.slice(field, begin, size), tf.slice(field, [0, 0, 0, 0], size));
}

/**
 * sqrt whose gradient at exactly 0 is 0 instead of Infinity (which times a zero upstream gradient
 * is NaN). A custom gradient rather than a `where` on `x == 0`, because tfjs would then try to
 * differentiate the comparison, which has no gradient. Tests `== 0` rather than `> 0` so that a NaN
 * still propagates.
 */
const sqrtWithZeroGradientAtZero = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const root = tf.sqrt(x);
  save([root]);
  return {
    value: root,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedRoot] = saved;
      return tf.where(tf.equal(savedRoot, 0), tf.zerosLike(dy), tf.div(dy, tf.mul(savedRoot, 2)));
    },
  };
});
