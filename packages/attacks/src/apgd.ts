/**
 * APGD-CE and APGD-DLR — Auto-PGD on the cross-entropy or the DLR loss (dlr.ts).
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
 * in the ball, and an example's result is its first misclassified iterate, else its best-loss one:
 * every iterate is scored by the forward pass that takes its gradient. The loop (apgdRun) is shared
 * with the targeted APGD-T (apgd_t.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { runAttack, type Attack, type AttackResult, type RunOptions } from './attack.js';
import { dlrLoss } from './dlr.js';
import type { Model, ModelLike } from './model.js';
import { ascentStep, crossEntropy, lossAndGrad, perExample, projectToBall, randomStart, selectRows, type Norm } from './ops.js';
import { SeededRandom } from '@ddar/random';
import { checkInRange, checkPositiveInt, checkSeed, type Labels } from './validate.js';

/** Hyper-parameters of {@link APGD}; the step size is not one of them (APGD adapts it per example). */
export interface ApgdConfig {
  /** The loss to ascend: `'ce'` (APGD-CE) or `'dlr'` (APGD-DLR, for models with at least 3 classes). Default `'ce'`. */
  loss?: ApgdLoss;
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

/** {@link ApgdConfig} after defaults and validation, as the APGD loop takes it. */
export interface ApgdSettings {
  norm: Norm;
  steps: number;
  restarts: number;
  momentum: number;
  rho: number;
  randomStart: boolean;
  seed: number;
}

/** Defaults and validation of the hyper-parameters every APGD variant shares (APGD-CE, APGD-DLR, APGD-T). */
export function resolveApgdSettings(where: string, config: Omit<ApgdConfig, 'loss' | 'onCheckpoint'>): ApgdSettings {
  if (config === null || typeof config !== 'object') {
    throw new Error(`${where}: config must be an object, but got ${String(config)}`);
  }
  const norm = config.norm ?? 'linf';
  if (norm !== 'linf' && norm !== 'l2') {
    throw new Error(`${where}: config.norm must be 'linf' or 'l2', but got '${String(norm)}'`);
  }
  return {
    norm,
    steps: checkPositiveInt(where, 'config.steps', config.steps ?? 100),
    restarts: checkPositiveInt(where, 'config.restarts', config.restarts ?? 1),
    momentum: checkInRange(where, 'config.momentum', config.momentum ?? 0.75, 0, 1),
    rho: checkInRange(where, 'config.rho', config.rho ?? 0.75, 0, 1),
    randomStart: config.randomStart ?? true,
    seed: checkSeed(where, config.seed) ?? 0,
  };
}

/** What {@link apgdRun} returns per example: its adversarial, whether it is misclassified, and its best loss. */
export interface ApgdRunResult {
  /** First misclassified iterate, else the highest-loss one; the caller owns it. */
  adv: tf.Tensor4D;
  /** 1 where `adv` is misclassified. */
  found: Uint8Array;
  /** Highest loss reached. */
  loss: Float32Array;
}

/**
 * APGD on validated inputs, with `settings.restarts` runs from `rng`: per example, the first misclassified iterate of
 * the first run that found one, else the highest-loss iterate of all runs. `loss` is the per-example loss to ascend
 * (cross-entropy, DLR, targeted DLR); `labels` decide what is misclassified.
 */
export function apgdRun(
  model: Model,
  x: tf.Tensor4D,
  labels: Int32Array,
  loss: (logits: tf.Tensor2D) => tf.Tensor1D,
  epsilon: number,
  settings: ApgdSettings,
  rng: SeededRandom,
  onCheckpoint?: ApgdConfig['onCheckpoint'],
): ApgdRunResult {
  let best: ApgdRunResult | undefined;
  for (let restart = 0; restart < settings.restarts; restart++) {
    const r = apgdOnce(model, x, labels, loss, epsilon, settings, rng, (info) => onCheckpoint?.({ restart, ...info }));
    if (best === undefined) {
      best = r;
      continue;
    }
    const replace = new Uint8Array(r.found.length);
    for (let i = 0; i < replace.length; i++) {
      replace[i] = Number(!best.found[i] && (r.found[i] || r.loss[i] > best.loss[i]));
      if (replace[i]) {
        best.found[i] = r.found[i];
        best.loss[i] = r.loss[i];
      }
    }
    best.adv = replaceRows(replace, r.adv, best.adv);
    r.adv.dispose();
  }
  return best!;
}

/** Algorithm 1 once, from one (random) start. */
function apgdOnce(
  model: Model,
  x: tf.Tensor4D,
  labels: Int32Array,
  loss: (logits: tf.Tensor2D) => tf.Tensor1D,
  epsilon: number,
  settings: ApgdSettings,
  rng: SeededRandom,
  onCheckpoint: (info: { iteration: number; stepSizes: Float32Array }) => void,
): ApgdRunResult {
  const { norm, steps, momentum, rho } = settings;
  const n = x.shape[0];
  const bounds = model.bounds;
  const checkpoints = new Set(apgdCheckpoints(steps));
  const read = (t: tf.Tensor): Float32Array => Float32Array.from(t.dataSync());

  let current = settings.randomStart ? randomStart(x, norm, epsilon, bounds, rng) : tf.clone(x);
  let evaluation = lossAndGrad(model, current, loss);
  let grad = evaluation.grad;
  let lossCurrent = read(evaluation.losses);
  const found = misclassified(evaluation.logits, labels);
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

  for (let k = 0; k < steps; k++) {
    const alpha = k === 0 ? 1 : momentum;
    const next = tf.tidy(() => {
      const eta = perExample(tf.tensor1d(stepSizes));
      const z = projectToBall(x, tf.add(current, ascentStep(grad, norm, eta)), norm, epsilon, bounds);
      const moved = tf.add(
        current,
        tf.add(tf.mul(tf.sub(z, current), alpha), tf.mul(tf.sub(current, previous), 1 - alpha)),
      );
      return projectToBall(x, moved, norm, epsilon, bounds);
    });
    previous.dispose();
    previous = current;
    current = next;
    grad.dispose();
    evaluation = lossAndGrad(model, current, loss);
    grad = evaluation.grad;
    const lossNext = read(evaluation.losses);
    const wrong = misclassified(evaluation.logits, labels);
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
        const oscillating = increases[i] < rho * interval;
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
      onCheckpoint({ iteration, stepSizes: Float32Array.from(stepSizes) });
    }
  }
  const adv = selectRows(found, firstAdv, xMax);
  [current, previous, grad, xMax, gradMax, firstAdv].forEach((t) => t.dispose());
  return { adv, found, loss: lossMax };
}

/** The losses {@link APGD} can ascend. */
export type ApgdLoss = 'ce' | 'dlr';

/**
 * APGD (Croce & Hein 2020): PGD with momentum and a per-example step size that halves at checkpoints
 * when progress stalls, so it needs no step-size tuning. `new APGD()` is APGD-CE, L-inf with 100 steps;
 * `new APGD({ loss: 'dlr' })` is APGD-DLR. For the targeted APGD-T see apgd_t.ts.
 */
export class APGD implements Attack {
  /** `APGD-CE` or `APGD-DLR`, after the loss. */
  readonly name: string;
  readonly norm: Norm;
  readonly blackBox = false;
  /** The loss ascended, after defaults. */
  readonly loss: ApgdLoss;
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
  private readonly settings: ApgdSettings;
  private readonly onCheckpoint?: ApgdConfig['onCheckpoint'];

  constructor(config: ApgdConfig = {}) {
    const loss = config?.loss ?? 'ce';
    if (loss !== 'ce' && loss !== 'dlr') {
      throw new Error(`APGD: config.loss must be 'ce' or 'dlr', but got '${String(loss)}'`);
    }
    this.loss = loss;
    this.name = loss === 'ce' ? 'APGD-CE' : 'APGD-DLR';
    this.settings = resolveApgdSettings(this.name, config);
    this.norm = this.settings.norm;
    this.steps = this.settings.steps;
    this.restarts = this.settings.restarts;
    this.momentum = this.settings.momentum;
    this.rho = this.settings.rho;
    this.randomStart = this.settings.randomStart;
    this.seed = this.settings.seed;
    this.onCheckpoint = config.onCheckpoint;
  }

  async run(model: ModelLike, inputs: tf.Tensor4D, labels: Labels, options: RunOptions): Promise<AttackResult[]> {
    const rng = new SeededRandom(this.seed);
    return runAttack(this, model, inputs, labels, options, {
      targeted: false,
      attackAt: (ctx, epsilon) => {
        const y = ctx.labels;
        if (this.loss === 'dlr' && ctx.numClasses < 3) {
          throw new Error(
            `${this.name}: model must return at least 3 logits for the DLR loss (it divides by z_π1 - z_π3), but returns ${ctx.numClasses}`,
          );
        }
        const loss = this.loss === 'ce' ? (z: tf.Tensor2D) => crossEntropy(z, y) : (z: tf.Tensor2D) => dlrLoss(z, y);
        return apgdRun(ctx.model, ctx.x, ctx.labelValues, loss, epsilon, this.settings, rng.fork(), this.onCheckpoint).adv;
      },
    });
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
