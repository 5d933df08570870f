/**
 * FGSM — the Fast Gradient Sign Method.
 * I. J. Goodfellow, J. Shlens, C. Szegedy, "Explaining and Harnessing Adversarial Examples", ICLR 2015.
 *
 *   x' = clip(x + eps * sign(grad_x CE(f(x), y)))          (untargeted)
 *   x' = clip(x - eps * sign(grad_x CE(f(x), t)))          (targeted at class t)
 *
 * Also the "fast" FGSM with a random start used for adversarial training:
 * E. Wong, L. Rice, J. Z. Kolter, "Fast is better than free: Revisiting adversarial training", ICLR 2020.
 */
import * as tf from '@tensorflow/tfjs-core';
import { runAttack, type Attack, type AttackContext, type AttackResult, type RunOptions } from './attack.js';
import type { Bounds, ModelLike } from './model.js';
import { crossEntropy, exactSign, lossAndGrad, projectToBall, randomStart } from './ops.js';
import { attackRandom } from './attack_random.js';
import { checkEpsilon, checkPositive, checkSeed, type Labels } from './validate.js';
import { prepareHelper } from './helper.js';

/** Loss whose ascent is the attack direction: CE of the label, or minus CE of the target. */
export function attackLoss(labels: tf.Tensor1D, targets?: tf.Tensor1D): (logits: tf.Tensor2D) => tf.Tensor1D {
  return targets ? (z) => tf.neg(crossEntropy(z, targets)) : (z) => crossEntropy(z, labels);
}

/** L-inf FGSM (Goodfellow et al. 2015): one signed-gradient step of size epsilon; no hyper-parameters. */
export class FGSM implements Attack {
  readonly name = 'FGSM';
  readonly norm = 'linf' as const;
  readonly blackBox = false;

  async run(model: ModelLike, inputs: tf.Tensor4D, labels: Labels, options: RunOptions): Promise<AttackResult[]> {
    let direction: tf.Tensor4D | undefined;
    try {
      return await runAttack(this, model, inputs, labels, options, {
        targeted: true,
        // The gradient does not depend on epsilon: compute it once for the whole sweep.
        attackAt: (ctx: AttackContext, epsilon: number) => {
          direction ??= gradientSign(ctx);
          return tf.tidy(
            () => tf.clipByValue(tf.add(ctx.x, tf.mul(direction!, epsilon)), ctx.model.bounds[0], ctx.model.bounds[1]) as tf.Tensor4D,
          );
        },
      });
    } finally {
      direction?.dispose();
    }
  }
}

function gradientSign(ctx: AttackContext): tf.Tensor4D {
  const { losses, grad, logits } = lossAndGrad(ctx.model, ctx.x, attackLoss(ctx.labels, ctx.targets));
  const direction = exactSign(grad);
  losses.dispose();
  grad.dispose();
  logits.dispose();
  return direction;
}

/** Options for {@link fgsmAdversarial}. */
export interface FgsmAdversarialOptions {
  /** L-inf perturbation budget, in input units (e.g. 8/255 for [0, 1] images). */
  epsilon: number;
  /** Class to move towards instead of away from the label. */
  targets?: Labels;
  /** Used when `model` is a bare function. Default `[0, 1]`. */
  bounds?: Bounds;
}

/**
 * One FGSM step for a batch, without result bookkeeping; `model` may be any differentiable function.
 * Returns a new tensor the caller owns.
 */
export function fgsmAdversarial(model: ModelLike, x: tf.Tensor4D, y: Labels, options: FgsmAdversarialOptions): tf.Tensor4D {
  const where = 'fgsmAdversarial';
  const epsilon = checkEpsilon(where, 'options.epsilon', options?.epsilon);
  const ctx = prepareHelper(where, model, x, y, options.bounds, options.targets);
  try {
    const direction = gradientSign(ctx);
    const adv = tf.tidy(() => projectToBall(ctx.x, tf.add(ctx.x, tf.mul(direction, epsilon)), 'linf', epsilon, ctx.model.bounds));
    direction.dispose();
    return adv;
  } finally {
    ctx.dispose();
  }
}

/** Wong et al.'s (2020) step size for FGSM from a random start, 1.25 epsilon: the default of {@link fastFgsmAdversarial}. */
export function fastFgsmStepSize(epsilon: number): number {
  return 1.25 * epsilon;
}

/** Options for {@link fastFgsmAdversarial}. */
export interface FastFgsmOptions {
  /** L-inf perturbation budget, in input units; also the radius of the random start. */
  epsilon: number;
  /** Default {@link fastFgsmStepSize}, `1.25 * epsilon`, the value Wong et al. recommend. */
  stepSize?: number;
  /** Seed of the random start; by default each call draws fresh noise from a fixed sequence. */
  seed?: number;
  /** Used when `model` is a bare function. Default `[0, 1]`. */
  bounds?: Bounds;
}

/**
 * FGSM from a uniform random start in the epsilon cube (Wong et al. 2020): cheap enough for every
 * training batch, and the random start avoids the "catastrophic overfitting" of plain FGSM training.
 */
export function fastFgsmAdversarial(model: ModelLike, x: tf.Tensor4D, y: Labels, options: FastFgsmOptions): tf.Tensor4D {
  const where = 'fastFgsmAdversarial';
  const epsilon = checkEpsilon(where, 'options.epsilon', options?.epsilon);
  const stepSize = options.stepSize === undefined ? fastFgsmStepSize(epsilon) : checkPositive(where, 'options.stepSize', options.stepSize);
  const rng = attackRandom(checkSeed(where, options.seed));
  const ctx = prepareHelper(where, model, x, y, options.bounds);
  try {
    const start = randomStart(ctx.x, 'linf', epsilon, ctx.model.bounds, rng);
    const { losses, grad, logits } = lossAndGrad(ctx.model, start, attackLoss(ctx.labels));
    const adv = tf.tidy(() =>
      projectToBall(ctx.x, tf.add(start, tf.mul(exactSign(grad), stepSize)), 'linf', epsilon, ctx.model.bounds),
    );
    [start, losses, grad, logits].forEach((t) => t.dispose());
    return adv;
  } finally {
    ctx.dispose();
  }
}

