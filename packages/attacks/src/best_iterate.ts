/**
 * The best iterate per example of an iterative attack, across its steps and restarts: the first iterate that succeeds
 * (misclassified, or classified as the target), else the one with the highest loss. This is how APGD and AutoAttack
 * report their result (F. Croce, M. Hein, "Reliable evaluation of adversarial robustness with an ensemble of diverse
 * parameter-free attacks", ICML 2020): a fixed-step attack may overshoot and step back out of an adversarial region,
 * and its last iterate then understates what it found.
 *
 * The bookkeeping stays on the device (no read-back per step): a few ops on `[N]` vectors and one `where` on the batch.
 * The caller scores each iterate with the logits and losses it already has from the step's forward pass.
 */
import * as tf from '@tensorflow/tfjs-core';
import { whereRows } from './ops.js';

export class BestIterate {
  private best: tf.Tensor4D | undefined;
  private bestLoss: tf.Tensor1D | undefined;
  private found: tf.Tensor1D | undefined;

  /**
   * Scores the iterate `adv` by its per-example `losses` and `logits` (of `adv` itself) and keeps, per example, the
   * better of it and the best so far. Success is `argmax = targets` when `targets` are given, else `argmax != labels`.
   * Borrows every argument: the caller still owns and disposes them.
   */
  offer(adv: tf.Tensor4D, losses: tf.Tensor1D, logits: tf.Tensor2D, labels: tf.Tensor1D, targets?: tf.Tensor1D): void {
    const [best, bestLoss, found] = tf.tidy(() => {
      const pred = tf.argMax(logits, 1);
      const success = targets ? tf.equal(pred, targets) : tf.notEqual(pred, labels);
      if (this.best === undefined) return [tf.clone(adv), tf.clone(losses), success];
      // Replace where the best is not yet a success and the new iterate is one or has a higher loss.
      const replace: tf.Tensor1D = tf.logicalAnd(tf.logicalNot(this.found!), tf.logicalOr(success, tf.greater(losses, this.bestLoss!)));
      return [
        whereRows(replace, adv, this.best),
        tf.where(replace, losses, this.bestLoss!),
        tf.logicalOr(this.found!, success),
      ];
    }) as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
    this.dispose();
    this.best = best;
    this.bestLoss = bestLoss;
    this.found = found;
  }

  /** The best iterate per example; the caller owns it and this tracker is empty afterwards. */
  take(): tf.Tensor4D {
    if (this.best === undefined) throw new Error('BestIterate: take() called before any offer()');
    const best = this.best;
    this.best = undefined;
    this.dispose();
    return best;
  }

  /** Releases what the tracker holds. */
  dispose(): void {
    this.best?.dispose();
    this.bestLoss?.dispose();
    this.found?.dispose();
    this.best = this.bestLoss = this.found = undefined;
  }
}
