/**
 * APGD-CE — Auto-PGD on the cross-entropy loss.
 * F. Croce, M. Hein, "Reliable evaluation of adversarial robustness with an ensemble of diverse
 * parameter-free attacks", ICML 2020 (Algorithm 1).
 *
 *   eta = 2 eps;  x1 = P(x0 + eta * step(grad f(x0)))
 *   z_{k+1} = P(x_k + eta * step(grad f(x_k)))
 *   x_{k+1} = P(x_k + alpha (z_{k+1} - x_k) + (1 - alpha)(x_k - x_{k-1})),   alpha = 0.75
 *
 * At the checkpoints w_j = ceil(p_j N), p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06),
 * eta is halved (and the iterate restarts from the best point x_max) when
 *   1. the loss increased in fewer than rho = 0.75 of the steps since the last checkpoint, or
 *   2. eta was not reduced at the last checkpoint and f_max did not improve since then.
 * Each example keeps its own step size. As in the authors' code, the first point is a random start
 * in the ball, and an example's result is its first misclassified iterate, else its best-loss one.
 */
import * as tf from '@tensorflow/tfjs-core';
import { runAttack, type Attack, type AttackContext, type AttackResult, type RunOptions } from './attack.js';
import type { ModelLike } from './model.js';
import { ascentStep, crossEntropy, lossAndGrad, perExample, projectToBall, randomStart, selectRows, type Norm } from './ops.js';
import { SeededRandom } from '@ddar/random';
import { checkInRange, checkPositiveInt, checkSeed, type Labels } from './validate.js';

/** Hyper-parameters of {@link APGD}; the step size is not one of them (APGD adapts it per example). */
export interface ApgdConfig {
  /** Default `'linf'`. */
  norm?: Norm;
  /** Iterations N. Default 100, as in the paper. */
  steps?: number;
  /** Independent runs, each from a new random start, keeping the best. Default 1. */
  restarts?: number;
  /** Momentum alpha. Default 0.75, as published. */
  momentum?: number;
  /** Oscillation threshold rho of condition 1. Default 0.75, as published. */
  rho?: number;
  /** Start from a random point in the ball (the authors' code does). Default true. */
  randomStart?: boolean;
  /** Seed of the random starts. Default 0. */
  seed?: number;
  /** Reports each example's step size after every checkpoint. */
  onCheckpoint?: (info: { restart: number; iteration: number; stepSizes: Float32Array }) => void;
}

/** The checkpoints w_1 < w_2 < ... <= N at which APGD may halve its step size (Sec. 3.2 of the paper). */
export function apgdCheckpoints(steps: number): number[] {
  checkPositiveInt('apgdCheckpoints', 'steps', steps);
  const checkpoints: number[] = [];
  let previous = 0;
  let current = 0.22;
  // Rounded to 1e-9 so that float drift (0.22 + 0.19 = 0.41000000000000003) cannot move a ceil.
  while (Math.ceil(Math.round(current * steps * 1e9) / 1e9) <= steps) {
    const w = Math.ceil(Math.round(current * steps * 1e9) / 1e9);
    if (w > 0 && (checkpoints.length === 0 || w > checkpoints[checkpoints.length - 1])) checkpoints.push(w);
    const next = current + Math.max(current - previous - 0.03, 0.06);
    previous = current;
    current = next;
  }
  return checkpoints;
}

/**
 * APGD-CE (Croce & Hein 2020): PGD with momentum and a per-example step size that halves at checkpoints
 * when progress stalls, so it needs no step-size tuning. `new APGD()` is L-inf with 100 steps.
 */
export class APGD implements Attack {
  readonly name = 'APGD-CE';
  readonly norm: Norm;
  readonly blackBox = false;
  /** Iterations N per restart, after defaults (see {@link ApgdConfig}). */
  readonly steps: number;
  /** Independent runs per example, keeping the best, after defaults. */
  readonly restarts: number;
  /** Momentum alpha, after defaults. */
  readonly momentum: number;
  /** Oscillation threshold rho of the step-size rule, after defaults. */
  readonly rho: number;
  /** Whether each restart begins at a random point in the ball, after defaults. */
  readonly randomStart: boolean;
  /** Seed of the random starts, after defaults. */
  readonly seed: number;
  private readonly onCheckpoint?: ApgdConfig['onCheckpoint'];

  constructor(config: ApgdConfig = {}) {
    const where = this.name;
    const norm = config.norm ?? 'linf';
    if (norm !== 'linf' && norm !== 'l2') {
      throw new Error(`${where}: config.norm must be 'linf' or 'l2', but got '${String(norm)}'`);
    }
    this.norm = norm;
    this.steps = checkPositiveInt(where, 'config.steps', config.steps ?? 100);
    this.restarts = checkPositiveInt(where, 'config.restarts', config.restarts ?? 1);
    this.momentum = checkInRange(where, 'config.momentum', config.momentum ?? 0.75, 0, 1);
    this.rho = checkInRange(where, 'config.rho', config.rho ?? 0.75, 0, 1);
    this.randomStart = config.randomStart ?? true;
    this.seed = checkSeed(where, config.seed) ?? 0;
    this.onCheckpoint = config.onCheckpoint;
  }

  async run(model: ModelLike, inputs: tf.Tensor4D, labels: Labels, options: RunOptions): Promise<AttackResult[]> {
    const rng = new SeededRandom(this.seed);
    return runAttack(this, model, inputs, labels, options, {
      targeted: false,
      attackAt: (ctx, epsilon) => {
        const runRng = rng.fork();
        let best: tf.Tensor4D | undefined;
        let bestFound: Uint8Array | undefined;
        let bestLoss: Float32Array | undefined;
        for (let restart = 0; restart < this.restarts; restart++) {
          const r = this.attackOnce(ctx, epsilon, runRng, restart);
          if (best === undefined) {
            ({ adv: best, found: bestFound, loss: bestLoss } = r);
            continue;
          }
          const replace = new Uint8Array(r.found.length);
          for (let i = 0; i < replace.length; i++) {
            replace[i] = Number(!bestFound![i] && (r.found[i] || r.loss[i] > bestLoss![i]));
            if (replace[i]) {
              bestFound![i] = r.found[i];
              bestLoss![i] = r.loss[i];
            }
          }
          const merged = selectRows(replace, r.adv, best);
          best.dispose();
          r.adv.dispose();
          best = merged;
        }
        return best!;
      },
    });
  }

  private attackOnce(
    ctx: AttackContext,
    epsilon: number,
    rng: SeededRandom,
    restart: number,
  ): { adv: tf.Tensor4D; found: Uint8Array; loss: Float32Array } {
    const { model, x, labels } = ctx;
    const n = x.shape[0];
    const bounds = model.bounds;
    const checkpoints = new Set(apgdCheckpoints(this.steps));
    const loss = (z: tf.Tensor2D) => crossEntropy(z, labels);
    const read = (t: tf.Tensor): Float32Array => Float32Array.from(t.dataSync());

    let current = this.randomStart ? randomStart(x, this.norm, epsilon, bounds, rng) : tf.clone(x);
    let evaluation = lossAndGrad(model, current, loss);
    let grad = evaluation.grad;
    let lossCurrent = read(evaluation.losses);
    const found = misclassified(evaluation.logits, ctx.labelValues);
    evaluation.losses.dispose();
    evaluation.logits.dispose();

    const stepSizes = new Float32Array(n).fill(2 * epsilon);
    let previous = tf.clone(current);
    let xMax = tf.clone(current);
    let gradMax = tf.clone(grad);
    const lossMax = Float32Array.from(lossCurrent);
    let firstAdv = tf.clone(current);
    const increases = new Int32Array(n);
    let lossMaxAtLastCheck = Float32Array.from(lossMax);
    let reducedAtLastCheck = new Uint8Array(n);
    let lastCheckpoint = 0;

    for (let k = 0; k < this.steps; k++) {
      const alpha = k === 0 ? 1 : this.momentum;
      const next = tf.tidy(() => {
        const eta = perExample(tf.tensor1d(stepSizes));
        const z = projectToBall(x, tf.add(current, ascentStep(grad, this.norm, eta)), this.norm, epsilon, bounds);
        const moved = tf.add(
          current,
          tf.add(tf.mul(tf.sub(z, current), alpha), tf.mul(tf.sub(current, previous), 1 - alpha)),
        );
        return projectToBall(x, moved, this.norm, epsilon, bounds);
      });
      previous.dispose();
      previous = current;
      current = next;
      grad.dispose();
      evaluation = lossAndGrad(model, current, loss);
      grad = evaluation.grad;
      const lossNext = read(evaluation.losses);
      const wrong = misclassified(evaluation.logits, ctx.labelValues);
      evaluation.losses.dispose();
      evaluation.logits.dispose();

      const newlyFound = new Uint8Array(n);
      const improved = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        if (wrong[i] && !found[i]) newlyFound[i] = found[i] = 1;
        if (lossNext[i] > lossCurrent[i]) increases[i]++;
        if (lossNext[i] > lossMax[i]) {
          improved[i] = 1;
          lossMax[i] = lossNext[i];
        }
      }
      firstAdv = replaceRows(newlyFound, current, firstAdv);
      xMax = replaceRows(improved, current, xMax);
      gradMax = replaceRows(improved, grad, gradMax);
      lossCurrent = lossNext;

      const iteration = k + 1;
      if (checkpoints.has(iteration)) {
        const interval = iteration - lastCheckpoint;
        const reduce = new Uint8Array(n);
        for (let i = 0; i < n; i++) {
          const oscillating = increases[i] < this.rho * interval;
          const stalled = !reducedAtLastCheck[i] && lossMax[i] <= lossMaxAtLastCheck[i];
          if (oscillating || stalled) {
            reduce[i] = 1;
            stepSizes[i] /= 2;
          }
          increases[i] = 0;
        }
        // Restart reduced examples from their best point, with its gradient, as Algorithm 1 does.
        current = replaceRows(reduce, xMax, current);
        grad = replaceRows(reduce, gradMax, grad);
        for (let i = 0; i < n; i++) if (reduce[i]) lossCurrent[i] = lossMax[i];
        reducedAtLastCheck = reduce;
        lossMaxAtLastCheck = Float32Array.from(lossMax);
        lastCheckpoint = iteration;
        this.onCheckpoint?.({ restart, iteration, stepSizes: Float32Array.from(stepSizes) });
      }
    }
    const adv = selectRows(found, firstAdv, xMax);
    [current, previous, grad, xMax, gradMax, firstAdv].forEach((t) => t.dispose());
    return { adv, found, loss: lossMax };
  }
}

function misclassified(logits: tf.Tensor2D, labels: Int32Array): Uint8Array {
  const pred = tf.argMax(logits, 1);
  const values = pred.dataSync();
  pred.dispose();
  return Uint8Array.from(values, (p, i) => Number(p !== labels[i]));
}

/** `selectRows` that disposes the tensor it replaces (skipping the work when no row changes). */
function replaceRows<T extends tf.Tensor>(mask: Uint8Array, source: T, target: T): T {
  if (!mask.some((v) => v)) return target;
  const merged = selectRows(mask, source, target);
  target.dispose();
  return merged;
}
