import * as tf from '@tensorflow/tfjs-core';
import { asModel, type Model, type ModelLike } from './model.js';
import { countClasses, projectToBall, predict, type Norm } from './ops.js';
import { checkEpsilons, checkInputs, checkLabels, type Labels } from './validate.js';

/** The outcome of an attack at one epsilon (Foolbox 3 style). */
export interface AttackResult {
  /** The perturbation budget of this result, in the attack's norm, as given in `RunOptions.epsilons`. */
  epsilon: number;
  /** The attack's output before the final projection (for minimization attacks like CW, its best find). */
  raw: tf.Tensor4D;
  /** `raw` projected onto the epsilon ball around the input and into the model's bounds. */
  clipped: tf.Tensor4D;
  /**
   * 1 where `clipped` is adversarial: misclassified (untargeted) or classified as the target
   * (targeted). Inputs the model already gets wrong count as successes, as in Foolbox.
   */
  success: Uint8Array;
  /** Fraction of `clipped` still classified as the true label. */
  robustAccuracy: number;
}

/** Options of {@link Attack.run}: the epsilons to sweep and, optionally, targets. */
export interface RunOptions {
  /** Perturbation budgets to sweep, in the attack's norm; one call runs them all. */
  epsilons: number[];
  /** Target classes for a targeted attack (only attacks whose paper defines one accept this). */
  targets?: Labels;
}

/** An attack: a small object holding its hyper-parameters. */
export interface Attack {
  /** Display name (e.g. `PGD`), used in error messages and reports. */
  readonly name: string;
  /** The norm in which epsilons are measured and adversarials projected. */
  readonly norm: Norm;
  /** Whether the attack queries only model outputs (no gradients). */
  readonly blackBox: boolean;
  /**
   * Attacks `inputs` once per epsilon and returns one result per epsilon, in order. The caller owns the
   * returned tensors (see {@link disposeResults}).
   */
  run(model: ModelLike, inputs: tf.Tensor4D, labels: Labels, options: RunOptions): Promise<AttackResult[]>;
}

/** Disposes every tensor of a result list. */
export function disposeResults(results: AttackResult[]): void {
  for (const r of results) {
    r.raw.dispose();
    r.clipped.dispose();
  }
}

/** What an attack's per-epsilon routine receives after validation. */
export interface AttackContext {
  model: Model;
  x: tf.Tensor4D;
  labels: tf.Tensor1D;
  labelValues: Int32Array;
  targets?: tf.Tensor1D;
  targetValues?: Int32Array;
  numClasses: number;
}

/**
 * Validates the inputs once, then for each epsilon calls `attackAt` (or, for minimization attacks,
 * `attackOnce` a single time) and derives clipped adversarials, success masks and robust accuracy.
 */
export async function runAttack(
  attack: { name: string; norm: Norm },
  modelLike: ModelLike,
  inputs: tf.Tensor4D,
  labels: Labels,
  options: RunOptions,
  impl: {
    targeted: boolean;
    allowInfiniteEpsilon?: boolean;
    /** Produces the raw adversarial at one epsilon (asynchronously for ensembles that run other attacks). */
    attackAt?: (ctx: AttackContext, epsilon: number) => tf.Tensor4D | Promise<tf.Tensor4D>;
    /** Produces one raw adversarial independent of epsilon (minimization attacks). */
    attackOnce?: (ctx: AttackContext) => tf.Tensor4D;
  },
): Promise<AttackResult[]> {
  const where = attack.name;
  if (options === null || typeof options !== 'object') {
    throw new Error(`${where}: options must be an object with epsilons, but got ${String(options)}`);
  }
  const model = asModel(modelLike);
  const epsilons = checkEpsilons(where, options.epsilons, impl.allowInfiniteEpsilon ?? false);
  const x = checkInputs(where, inputs, model);
  const n = x.shape[0];
  const numClasses = countClasses(model, x);
  const owned: tf.Tensor[] = [];
  try {
    const y = checkLabels(where, 'labels', labels, n, numClasses);
    owned.push(y.tensor);
    const ctx: AttackContext = { model, x, labels: y.tensor, labelValues: y.values, numClasses };
    if (options.targets !== undefined) {
      if (!impl.targeted) {
        throw new Error(`${where}: options.targets given, but this attack has no targeted variant`);
      }
      const t = checkLabels(where, 'options.targets', options.targets, n, numClasses);
      owned.push(t.tensor);
      ctx.targets = t.tensor;
      ctx.targetValues = t.values;
    }
    const once = impl.attackOnce ? impl.attackOnce(ctx) : undefined;
    if (once) owned.push(once);
    const results: AttackResult[] = [];
    try {
      for (const epsilon of epsilons) {
        const raw = once ? tf.clone(once) : await impl.attackAt!(ctx, epsilon);
        const clipped = projectToBall(x, raw, attack.norm, epsilon, model.bounds);
        results.push({ epsilon, raw, clipped, ...judge(ctx, clipped) });
      }
    } catch (error) {
      disposeResults(results);
      throw error;
    }
    return results;
  } finally {
    owned.forEach((t) => t.dispose());
  }
}

/** Success mask and robust accuracy of candidate adversarials. */
export function judge(ctx: AttackContext, adv: tf.Tensor4D): { success: Uint8Array; robustAccuracy: number } {
  const pred = predict(ctx.model, adv);
  const n = pred.length;
  const success = new Uint8Array(n);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    if (pred[i] === ctx.labelValues[i]) correct++;
    success[i] = ctx.targetValues ? Number(pred[i] === ctx.targetValues[i]) : Number(pred[i] !== ctx.labelValues[i]);
  }
  return { success, robustAccuracy: correct / n };
}
