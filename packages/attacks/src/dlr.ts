/**
 * DLR — the Difference of Logits Ratio loss, untargeted and targeted.
 * F. Croce, M. Hein, "Reliable evaluation of adversarial robustness with an ensemble of diverse
 * parameter-free attacks", ICML 2020 (Sec. 4).
 *
 *   DLR(z, y)      = -(z_y - max_{i != y} z_i) / (z_π1 - z_π3 + 1e-12)
 *   DLR-T(z, y, t) = -(z_y - z_t) / (z_π1 - (z_π3 + z_π4) / 2 + 1e-12)
 *
 * with π the descending order of the logits z. Both are invariant to shifting and rescaling the
 * logits, so unlike cross-entropy they cannot be flattened by a model that just scales its outputs
 * up; DLR > 0 means misclassified, DLR-T > 0 means t beats y. DLR needs 3 classes, DLR-T 4.
 */
import * as tf from '@tensorflow/tfjs-core';
import { margin } from './ops.js';

// The paper's constant, keeping the ratio finite when the top logits tie.
const TINY = 1e-12;

/** Per-example untargeted DLR loss `[N]` of logits `[N, C]`, C >= 3. Differentiable. */
export function dlrLoss(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  checkClasses('dlrLoss', logits, 3);
  return tf.tidy(() => {
    const [z1, , z3] = largest(logits, 3);
    return tf.div(tf.neg(margin(logits, labels)), tf.add(tf.sub(z1, z3), TINY)) as tf.Tensor1D;
  });
}

/** Per-example targeted DLR loss `[N]` of logits `[N, C]`, C >= 4: ascending it moves towards the `targets`. Differentiable. */
export function targetedDlrLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, targets: tf.Tensor1D): tf.Tensor1D {
  checkClasses('targetedDlrLoss', logits, 4);
  return tf.tidy(() => {
    const [z1, , z3, z4] = largest(logits, 4);
    const numClasses = logits.shape[1];
    const zy = tf.sum(tf.mul(tf.oneHot(labels, numClasses), logits), 1);
    const zt = tf.sum(tf.mul(tf.oneHot(targets, numClasses), logits), 1);
    const spread = tf.sub(z1, tf.mul(tf.add(z3, z4), 0.5));
    return tf.div(tf.neg(tf.sub(zy, zt)), tf.add(spread, TINY)) as tf.Tensor1D;
  });
}

/**
 * The `k` largest logits per row, largest first, each `[N]`. Picked by argmax and one-hot products rather than
 * tf.topk, which has no gradient in tfjs; ties take one entry each, as a sort does.
 */
function largest(logits: tf.Tensor2D, k: number): tf.Tensor1D[] {
  const numClasses = logits.shape[1];
  const values: tf.Tensor1D[] = [];
  let rest: tf.Tensor2D = logits;
  for (let j = 0; j < k; j++) {
    const pick = tf.oneHot(tf.argMax(rest, 1), numClasses);
    values.push(tf.sum(tf.mul(pick, logits), 1) as tf.Tensor1D);
    // A large constant, not -Infinity (0 * Inf = NaN), takes the picked class out of the next argmax.
    rest = tf.sub(rest, tf.mul(pick, 1e9));
  }
  return values;
}

function checkClasses(where: string, logits: tf.Tensor2D, needed: number): void {
  if (logits.rank !== 2 || logits.shape[1] < needed) {
    throw new Error(`${where}: logits must be [N, numClasses] with numClasses >= ${needed}, but got shape [${logits.shape}]`);
  }
}
