/**
 * PGD — Projected Gradient Descent, L-inf and L2, with random start and restarts.
 * A. Madry, A. Makelov, L. Schmidt, D. Tsipras, A. Vladu, "Towards Deep Learning Models Resistant to
 * Adversarial Attacks", ICLR 2018. (Without the random start it is BIM, see bim.ts.)
 *
 *   x_0     = x + uniform noise in the epsilon ball        (randomStart)
 *   x_{t+1} = Proj_{ball(x, eps) ∩ bounds}( x_t + alpha * step(grad_x CE(f(x_t), y)) )
 *
 * where step is sign(.) for L-inf and g / ||g||_2 for L2. Across steps and restarts each example keeps
 * its first successful iterate, else the one with the highest loss (best_iterate.ts), as APGD does; the
 * per-batch helper for adversarial training, pgdAdversarial, keeps the last iterate of each restart.
 */
import * as tf from '@tensorflow/tfjs-core';
import { runAttack, type Attack, type AttackContext, type AttackResult, type RunOptions } from './attack.js';
import { attackLoss } from './fgsm.js';
import { prepareHelper } from './helper.js';
import type { Bounds, Model, ModelLike } from './model.js';
import { BestIterate } from './best_iterate.js';
import { ascentStep, lossAndGrad, projectToBall, randomStart, type Norm } from './ops.js';
import { SeededRandom } from '@ddar/random';
import { attackRandom } from './attack_random.js';
import { checkEpsilon, checkPositive, checkPositiveInt, checkSeed, type Labels } from './validate.js';

/**
 * Madry et al.'s (2018) step size, 2.5 epsilon / steps: from a random start, enough to cross the ball whatever the step
 * count. (A fixed relative step, as in Foolbox, is sized for one step count and leaves short runs weaker than FGSM.)
 * Every PGD of the project uses it unless given a `stepSize`; callers pass theirs through unset rather than repeat it.
 */
export function madryStepSize(epsilon: number, steps: number): number {
  return (2.5 * epsilon) / steps;
}

/** Called after every PGD step with the batch-mean loss at the iterate the step started from. */
export type PgdStepCallback = (info: { epsilon: number; restart: number; step: number; loss: number }) => void;

/** Hyper-parameters of {@link PGD}; every field is optional. */
export interface PgdConfig {
  /** Default `'linf'`. */
  norm?: Norm;
  /** Iterations per restart. Default 40. */
  steps?: number;
  /** Step size relative to epsilon. Default 2.5 / steps ({@link madryStepSize}), for both norms. */
  relStepSize?: number;
  /** Absolute step size; overrides `relStepSize`. */
  stepSize?: number;
  /** Start from a uniform random point in the ball. Default true. */
  randomStart?: boolean;
  /** Independent runs per example, keeping the best. Default 1. */
  restarts?: number;
  /** Seed of the random starts. Default 0. */
  seed?: number;
  /** Progress hook called after every step, e.g. to log the loss curve. Default none. */
  onStep?: PgdStepCallback;
}

export interface PgdCoreOptions {
  norm: Norm;
  epsilon: number;
  stepSize: number;
  steps: number;
  randomStart: boolean;
  restarts: number;
  rng: SeededRandom;
  /**
   * Return each example's best iterate over all steps and restarts (evaluation), or the last iterate of each restart,
   * keeping the best restart per example (adversarial training, after Madry et al.).
   */
  bestIterate: boolean;
  onStep?: PgdStepCallback;
}

/** The PGD loop on validated inputs; returns a new tensor the caller owns. */
export function pgdCore(
  model: Model,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  targets: tf.Tensor1D | undefined,
  options: PgdCoreOptions,
): tf.Tensor4D {
  const { norm, epsilon, stepSize, steps, restarts, rng, onStep, bestIterate } = options;
  const loss = attackLoss(labels, targets);
  const best = new BestIterate();
  try {
    for (let restart = 0; restart < restarts; restart++) {
      let adv = options.randomStart ? randomStart(x, norm, epsilon, model.bounds, rng) : tf.clone(x);
      for (let step = 0; step < steps; step++) {
        const { losses, grad, logits } = lossAndGrad(model, adv, loss);
        // The step's own forward pass scores the iterate it starts from. The clean input of a run without random
        // start is not an attack point, so a one-step run stays exactly FGSM.
        if (bestIterate && (step > 0 || options.randomStart)) best.offer(adv, losses, logits, labels, targets);
        if (onStep) onStep({ epsilon, restart, step, loss: meanOf(losses) });
        const next = tf.tidy(() => projectToBall(x, tf.add(adv, ascentStep(grad, norm, stepSize)), norm, epsilon, model.bounds));
        [adv, losses, grad, logits].forEach((t) => t.dispose());
        adv = next;
      }
      // Adversarial training's common case: the last iterate as it is, without scoring it.
      if (!bestIterate && restarts === 1) return adv;
      // The last iterate is the only one no step has scored: one forward pass.
      const [logits, losses] = tf.tidy(() => {
        const z = model.logits(adv);
        return [z, loss(z)];
      });
      best.offer(adv, losses as tf.Tensor1D, logits as tf.Tensor2D, labels, targets);
      [adv, logits, losses].forEach((t) => t.dispose());
    }
    return best.take();
  } finally {
    best.dispose();
  }
}

function meanOf(t: tf.Tensor1D): number {
  const mean = tf.mean(t);
  const value = mean.dataSync()[0];
  mean.dispose();
  return value;
}

function resolveConfig(where: string, config: PgdConfig, defaults: Required<Omit<PgdConfig, 'stepSize' | 'onStep' | 'relStepSize'>>) {
  if (config === null || typeof config !== 'object') {
    throw new Error(`${where}: config must be an object, but got ${String(config)}`);
  }
  const norm = config.norm ?? defaults.norm;
  if (norm !== 'linf' && norm !== 'l2') {
    throw new Error(`${where}: config.norm must be 'linf' or 'l2', but got '${String(norm)}'`);
  }
  const steps = checkPositiveInt(where, 'config.steps', config.steps ?? defaults.steps);
  return {
    /** Norm of the ball, `'linf'` or `'l2'`. */
    norm,
    /** Iterations per restart. */
    steps,
    /** Step size relative to epsilon; used unless `stepSize` is set. */
    relStepSize: checkPositive(where, 'config.relStepSize', config.relStepSize ?? madryStepSize(1, steps)),
    /** Absolute step size, or undefined to use `relStepSize * epsilon`. */
    stepSize: config.stepSize === undefined ? undefined : checkPositive(where, 'config.stepSize', config.stepSize),
    /** Whether each restart begins at a uniform random point in the ball. */
    randomStart: config.randomStart ?? defaults.randomStart,
    /** Independent runs per example, keeping the best. */
    restarts: checkPositiveInt(where, 'config.restarts', config.restarts ?? defaults.restarts),
    /** Seed of the random starts; each epsilon of a `run` forks its own stream from it. */
    seed: checkSeed(where, config.seed ?? defaults.seed) ?? 0,
    /** Progress hook called after every step, if given. */
    onStep: config.onStep,
  };
}

/**
 * Projected gradient descent (Madry et al. 2018). `new PGD()` is L-inf PGD with 40 steps and a
 * random start; `new PGD({ norm: 'l2' })` the L2 version.
 */
export class PGD implements Attack {
  readonly name: string;
  readonly norm: Norm;
  readonly blackBox = false;
  /** The hyper-parameters after defaults and validation. */
  readonly config: ReturnType<typeof resolveConfig>;

  /**
   * @param config hyper-parameters; every field has a default.
   * @param name for presets built on PGD (BIM): the name used in errors.
   * @param defaults for presets built on PGD (BIM): their default hyper-parameters.
   */
  constructor(
    config: PgdConfig = {},
    name = 'PGD',
    defaults = { norm: 'linf' as Norm, steps: 40, randomStart: true, restarts: 1, seed: 0 },
  ) {
    this.name = name;
    this.config = resolveConfig(this.name, config, defaults);
    this.norm = this.config.norm;
  }

  async run(model: ModelLike, inputs: tf.Tensor4D, labels: Labels, options: RunOptions): Promise<AttackResult[]> {
    const c = this.config;
    const rng = new SeededRandom(c.seed);
    return runAttack(this, model, inputs, labels, options, {
      targeted: true,
      attackAt: (ctx: AttackContext, epsilon: number) =>
        pgdCore(ctx.model, ctx.x, ctx.labels, ctx.targets, {
          norm: c.norm,
          epsilon,
          stepSize: c.stepSize ?? c.relStepSize * epsilon,
          steps: c.steps,
          randomStart: c.randomStart,
          restarts: c.restarts,
          rng: rng.fork(),
          bestIterate: true,
          onStep: c.onStep,
        }),
    });
  }
}

/** Options for {@link pgdAdversarial}; defaults are lighter than {@link PGD}'s (10 steps) for per-batch training use. */
export interface PgdAdversarialOptions {
  /** Perturbation budget in the chosen norm, in input units. */
  epsilon: number;
  /** Absolute step size. Default {@link madryStepSize}, `2.5 * epsilon / steps`. */
  stepSize?: number;
  /** Default 10. */
  steps?: number;
  /** Default `'linf'`. */
  norm?: Norm;
  /** Default true. */
  randomStart?: boolean;
  /** Default 1. */
  restarts?: number;
  /** Seed of the random start; by default each call draws fresh noise from a fixed sequence. */
  seed?: number;
  /** Class to move towards instead of away from the label. */
  targets?: Labels;
  /** Used when `model` is a bare function. Default `[0, 1]`. */
  bounds?: Bounds;
}

/**
 * PGD adversarials for one batch at one epsilon, without result bookkeeping — what adversarial
 * training calls on every batch. `model` may be any function whose gradients flow. Unlike {@link PGD},
 * it returns the last iterate (of the best restart per example), as PGD adversarial training does.
 * Returns a new tensor the caller owns.
 */
export function pgdAdversarial(model: ModelLike, x: tf.Tensor4D, y: Labels, options: PgdAdversarialOptions): tf.Tensor4D {
  const where = 'pgdAdversarial';
  if (options === null || typeof options !== 'object') {
    throw new Error(`${where}: options must be an object with epsilon, but got ${String(options)}`);
  }
  const epsilon = checkEpsilon(where, 'options.epsilon', options.epsilon);
  const steps = checkPositiveInt(where, 'options.steps', options.steps ?? 10);
  const stepSize =
    options.stepSize === undefined ? madryStepSize(epsilon, steps) : checkPositive(where, 'options.stepSize', options.stepSize);
  const norm = options.norm ?? 'linf';
  if (norm !== 'linf' && norm !== 'l2') {
    throw new Error(`${where}: options.norm must be 'linf' or 'l2', but got '${String(norm)}'`);
  }
  const restarts = checkPositiveInt(where, 'options.restarts', options.restarts ?? 1);
  const rng = attackRandom(checkSeed(where, options.seed));
  const ctx = prepareHelper(where, model, x, y, options.bounds, options.targets);
  try {
    return pgdCore(ctx.model, ctx.x, ctx.labels, ctx.targets, {
      norm,
      epsilon,
      stepSize,
      steps,
      randomStart: options.randomStart ?? true,
      restarts,
      rng,
      // Training takes the last iterate (Madry et al.), not the first misclassified one, which would be a weaker example.
      bestIterate: false,
    });
  } finally {
    ctx.dispose();
  }
}
