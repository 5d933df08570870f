/**
 * CW-L2 — the Carlini & Wagner L2 attack.
 * N. Carlini, D. Wagner, "Towards Evaluating the Robustness of Neural Networks", IEEE S&P 2017.
 *
 *   x'(w) = lo + (hi - lo) * (tanh(w) + 1) / 2                 (change of variables: always in bounds)
 *   minimize_w  ||x'(w) - x||_2^2 + c * f(x'(w))
 *   f(x') = max(Z(x')_y - max_{i != y} Z(x')_i, -kappa)          (untargeted)
 *   f(x') = max(max_{i != t} Z(x')_i - Z(x')_t, -kappa)          (targeted at t)
 *
 * minimized with Adam; the constant c is binary-searched per example (x10 until the first success,
 * then bisection). It is a minimization attack: it returns, per example, the smallest-norm
 * adversarial found over all binary-search steps and iterations, and the epsilons of `run` only
 * clip that one result (Infinity = no clipping).
 */
import * as tf from '@tensorflow/tfjs-core';
import { runAttack, type Attack, type AttackContext, type AttackResult, type RunOptions } from './attack.js';
import type { ModelLike } from './model.js';
import { l2Norms, margin, selectRows, withGradientHint } from './ops.js';
import { checkNonNegative, checkPositive, checkPositiveInt, type Labels } from './validate.js';

/** Hyper-parameters of {@link CarliniWagnerL2}; every field is optional. */
export interface CwConfig {
  /** Binary-search steps over c. Default 9 (as in Carlini & Wagner and Foolbox). */
  binarySearchSteps?: number;
  /** Adam iterations per binary-search step. Default 1000 (the paper uses up to 10000). */
  steps?: number;
  /** Adam learning rate. Default 0.01. */
  stepSize?: number;
  /** Confidence kappa: how far the margin must be pushed past the decision boundary. Default 0. */
  confidence?: number;
  /** Initial c. Default 1e-3. */
  initialConst?: number;
  /** Stop a binary-search step once the loss stalls (checked every steps/10 iterations). Default true. */
  abortEarly?: boolean;
  /** Reports, after every binary-search step, the constants used and the norms found in it. */
  onBinarySearchStep?: (info: CwSearchStepInfo) => void;
}

/** What {@link CwConfig.onBinarySearchStep} receives after each binary-search step. */
export interface CwSearchStepInfo {
  /** Index of the binary-search step just finished, from 0. */
  searchStep: number;
  /** The constant c each example used in this step. */
  consts: Float32Array;
  /** Per example, the smallest L2 norm of an adversarial found in this step (Infinity if none). */
  norms: Float32Array;
}

const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
const ADAM_EPSILON = 1e-8;

/**
 * CW-L2 (Carlini & Wagner 2017), a minimization attack: it finds the smallest L2 adversarial it can, and the
 * epsilons of `run` only clip that one result. Slow by design (9 x 1000 Adam steps by default).
 */
export class CarliniWagnerL2 implements Attack {
  readonly name = 'CW-L2';
  readonly norm = 'l2' as const;
  readonly blackBox = false;
  /** Binary-search steps over c, after defaults (see {@link CwConfig}). */
  readonly binarySearchSteps: number;
  /** Adam iterations per binary-search step, after defaults. */
  readonly steps: number;
  /** Adam learning rate, after defaults. */
  readonly stepSize: number;
  /** Confidence kappa of the margin loss, after defaults. */
  readonly confidence: number;
  /** Starting constant c of the binary search, after defaults. */
  readonly initialConst: number;
  /** Whether a binary-search step stops once its loss stalls, after defaults. */
  readonly abortEarly: boolean;
  private readonly onBinarySearchStep?: (info: CwSearchStepInfo) => void;

  constructor(config: CwConfig = {}) {
    const where = this.name;
    this.binarySearchSteps = checkPositiveInt(where, 'config.binarySearchSteps', config.binarySearchSteps ?? 9);
    this.steps = checkPositiveInt(where, 'config.steps', config.steps ?? 1000);
    this.stepSize = checkPositive(where, 'config.stepSize', config.stepSize ?? 0.01);
    this.confidence = checkNonNegative(where, 'config.confidence', config.confidence ?? 0);
    this.initialConst = checkPositive(where, 'config.initialConst', config.initialConst ?? 1e-3);
    this.abortEarly = config.abortEarly ?? true;
    this.onBinarySearchStep = config.onBinarySearchStep;
  }

  async run(model: ModelLike, inputs: tf.Tensor4D, labels: Labels, options: RunOptions): Promise<AttackResult[]> {
    return runAttack(this, model, inputs, labels, options, {
      targeted: true,
      allowInfiniteEpsilon: true,
      attackOnce: (ctx) => this.attackOnce(ctx),
    });
  }

  private attackOnce(ctx: AttackContext): tf.Tensor4D {
    const { model, x } = ctx;
    const [lo, hi] = model.bounds;
    const n = x.shape[0];
    const kappa = this.confidence;
    const targeted = ctx.targets !== undefined;
    const classes = ctx.targets ?? ctx.labels;
    const toModelSpace = (w: tf.Tensor) => tf.add(tf.mul(tf.add(tf.tanh(w), 1), (hi - lo) / 2), lo) as tf.Tensor4D;
    // 0.999999 keeps atanh finite for inputs exactly on the bounds.
    const w0 = tf.tidy(() => tf.atanh(tf.mul(tf.sub(tf.mul(tf.div(tf.sub(x, lo), hi - lo), 2), 1), 0.999999)));
    // Distances in the objective are to x's own image under the change of variables, so that w = w0 costs 0.
    const x0 = tf.tidy(() => toModelSpace(w0));
    // f > 0 while not adversarial with margin kappa; the objective clamps it at -kappa.
    const attackMargin = (logits: tf.Tensor2D) => (targeted ? tf.neg(margin(logits, classes)) : margin(logits, classes));

    const consts = new Float32Array(n).fill(this.initialConst);
    const lower = new Float32Array(n).fill(0);
    const upper = new Float32Array(n).fill(Infinity);
    const bestNorms = new Float32Array(n).fill(Infinity);
    let best = tf.clone(x);

    try {
      for (let searchStep = 0; searchStep < this.binarySearchSteps; searchStep++) {
        // As in the reference code: with many search steps, spend the last one on the best c known to work.
        if (this.binarySearchSteps >= 10 && searchStep === this.binarySearchSteps - 1) {
          for (let i = 0; i < n; i++) if (upper[i] < Infinity) consts[i] = upper[i];
        }
        const stepNorms = new Float32Array(n).fill(Infinity);
        const c = tf.tensor1d(consts);
        let delta = tf.zerosLike(x);
        let m = tf.zerosLike(x);
        let v = tf.zerosLike(x);
        let lossAtLastCheck = Infinity;
        const checkEvery = Math.ceil(this.steps / 10);
        for (let step = 1; step <= this.steps; step++) {
          let adv: tf.Tensor4D | undefined;
          let f: tf.Tensor1D | undefined;
          const { value, grad } = withGradientHint(() => tf.valueAndGrad((d: tf.Tensor4D) => {
            const xAdv = toModelSpace(tf.add(w0, d));
            const logits = model.logits(xAdv);
            const g = attackMargin(logits);
            adv = tf.keep(xAdv);
            f = tf.keep(g);
            const sqDist = tf.sum(tf.square(tf.reshape(tf.sub(xAdv, x0), [n, -1])), 1);
            return tf.sum(tf.add(sqDist, tf.mul(c, tf.maximum(g, -kappa))));
          })(delta));
          // Adam, minimizing.
          const [nextDelta, nextM, nextV] = tf.tidy(() => {
            const m1 = tf.add(tf.mul(m, ADAM_BETA1), tf.mul(grad, 1 - ADAM_BETA1));
            const v1 = tf.add(tf.mul(v, ADAM_BETA2), tf.mul(tf.square(grad), 1 - ADAM_BETA2));
            const mHat = tf.div(m1, 1 - Math.pow(ADAM_BETA1, step));
            const vHat = tf.div(v1, 1 - Math.pow(ADAM_BETA2, step));
            const d1 = tf.sub(delta, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), ADAM_EPSILON)), this.stepSize));
            return [d1, m1, v1] as tf.Tensor4D[];
          });
          [delta, m, v, grad].forEach((t) => t.dispose());
          delta = nextDelta;
          m = nextM;
          v = nextV;

          // The iterate whose loss was just computed (before the update) is the candidate.
          // One download per iteration: margins, norms and the loss side by side.
          const packed = tf.tidy(() => tf.concat([f!, l2Norms(tf.sub(adv!, x)), tf.reshape(value, [1])]));
          const values = packed.dataSync() as Float32Array;
          packed.dispose();
          f!.dispose();
          const fValues = values.subarray(0, n);
          const normValues = values.subarray(n, 2 * n);
          const loss = values[2 * n];
          const improved = new Uint8Array(n);
          let anyImproved = false;
          for (let i = 0; i < n; i++) {
            // Adversarial with margin kappa (and strictly past the boundary, so kappa = 0 excludes ties).
            const success = fValues[i] <= -kappa && fValues[i] < 0;
            if (success && normValues[i] < stepNorms[i]) stepNorms[i] = normValues[i];
            if (success && normValues[i] < bestNorms[i]) {
              bestNorms[i] = normValues[i];
              improved[i] = 1;
              anyImproved = true;
            }
          }
          if (anyImproved) {
            const merged = selectRows(improved, adv!, best);
            best.dispose();
            best = merged;
          }
          adv!.dispose();
          value.dispose();
          if (this.abortEarly && step % checkEvery === 0) {
            if (!(loss <= 0.9999 * lossAtLastCheck)) break;
            lossAtLastCheck = loss;
          }
        }
        [delta, m, v, c].forEach((t) => t.dispose());

        this.onBinarySearchStep?.({ searchStep, consts: Float32Array.from(consts), norms: stepNorms });
        for (let i = 0; i < n; i++) {
          if (stepNorms[i] < Infinity) {
            upper[i] = Math.min(upper[i], consts[i]);
          } else {
            lower[i] = Math.max(lower[i], consts[i]);
          }
          consts[i] = upper[i] < Infinity ? (lower[i] + upper[i]) / 2 : consts[i] * 10;
        }
      }
      return best;
    } catch (error) {
      best.dispose();
      throw error;
    } finally {
      w0.dispose();
      x0.dispose();
    }
  }
}
