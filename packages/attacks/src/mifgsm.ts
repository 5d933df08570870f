/**
 * MI-FGSM — Momentum Iterative Fast Gradient Sign Method, L-inf.
 * Y. Dong, F. Liao, T. Pang, H. Su, J. Zhu, X. Hu, J. Li, "Boosting Adversarial Attacks with
 * Momentum", CVPR 2018 (Algorithm 1).
 *
 *   alpha = eps / T,  g_0 = 0,  x_0 = x
 *   g_{t+1} = mu * g_t + grad_x J(x_t, y) / ||grad_x J(x_t, y)||_1
 *   x_{t+1} = Clip_{x, eps}( x_t + alpha * sign(g_{t+1}) )
 *
 * The targeted variant (Sec. 3.2 of the paper) descends the target's loss instead. Each example's
 * result is its first successful iterate x_t (t >= 1), else the one with the highest loss
 * (best_iterate.ts), not necessarily x_T.
 */
import * as tf from '@tensorflow/tfjs-core';
import { runAttack, type Attack, type AttackContext, type AttackResult, type RunOptions } from './attack.js';
import { BestIterate } from './best_iterate.js';
import { attackLoss } from './fgsm.js';
import type { ModelLike } from './model.js';
import { exactSign, lossAndGrad, perExample, projectToBall } from './ops.js';
import { checkNonNegative, checkPositiveInt, type Labels } from './validate.js';

/** Hyper-parameters of {@link MIFGSM}; the step size is always epsilon / steps. */
export interface MiFgsmConfig {
  /** Iterations T. Default 10, as in the paper. */
  steps?: number;
  /** Decay factor mu of the accumulated gradient. Default 1.0, as in the paper. */
  decay?: number;
}

/** L-inf MI-FGSM (Dong et al. 2018): iterative FGSM whose direction accumulates L1-normalized gradients. */
export class MIFGSM implements Attack {
  readonly name = 'MI-FGSM';
  readonly norm = 'linf' as const;
  readonly blackBox = false;
  /** Iterations T, after defaults. */
  readonly steps: number;
  /** Momentum decay mu, after defaults. */
  readonly decay: number;

  constructor(config: MiFgsmConfig = {}) {
    this.steps = checkPositiveInt(this.name, 'config.steps', config.steps ?? 10);
    this.decay = checkNonNegative(this.name, 'config.decay', config.decay ?? 1.0);
  }

  async run(model: ModelLike, inputs: tf.Tensor4D, labels: Labels, options: RunOptions): Promise<AttackResult[]> {
    return runAttack(this, model, inputs, labels, options, {
      targeted: true,
      attackAt: (ctx: AttackContext, epsilon: number) => this.attackAt(ctx, epsilon),
    });
  }

  private attackAt(ctx: AttackContext, epsilon: number): tf.Tensor4D {
    const { model, x, labels, targets } = ctx;
    const alpha = epsilon / this.steps;
    const loss = attackLoss(labels, targets);
    const best = new BestIterate();
    let adv = tf.clone(x);
    let momentum = tf.zerosLike(x);
    try {
      for (let t = 0; t < this.steps; t++) {
        const { losses, grad, logits } = lossAndGrad(model, adv, loss);
        // The forward pass of step t scores x_t; x_0 is the clean input, not a candidate.
        if (t > 0) best.offer(adv, losses, logits, labels, targets);
        const [nextMomentum, nextAdv] = tf.tidy(() => {
          const l1 = tf.sum(tf.abs(tf.reshape(grad, [grad.shape[0], -1])), 1) as tf.Tensor1D;
          const g = tf.add(tf.mul(momentum, this.decay), tf.div(grad, tf.add(perExample(l1), 1e-12)));
          const stepped = tf.add(adv, tf.mul(exactSign(g), alpha));
          return [g as tf.Tensor4D, projectToBall(x, stepped, 'linf', epsilon, model.bounds)];
        });
        [adv, momentum, losses, grad, logits].forEach((tensor) => tensor.dispose());
        adv = nextAdv;
        momentum = nextMomentum;
      }
      // The last iterate x_T is the only one no step has scored: one forward pass.
      const [logits, losses] = tf.tidy(() => {
        const z = model.logits(adv);
        return [z, loss(z)];
      });
      best.offer(adv, losses as tf.Tensor1D, logits as tf.Tensor2D, labels, targets);
      tf.dispose([logits, losses]);
      return best.take();
    } finally {
      tf.dispose([adv, momentum]);
      best.dispose();
    }
  }
}
