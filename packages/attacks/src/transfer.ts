/**
 * Transfer attack: adversarials crafted white-box on a source (surrogate) model, scored on the target.
 * N. Papernot, P. McDaniel, I. Goodfellow, "Transferability in Machine Learning: from Phenomena to
 * Black-Box Attacks using Adversarial Samples", arXiv 1605.07277 (2016); also Tramèr et al., "Ensemble
 * Adversarial Training", ICLR 2018, for its use as a gradient-masking check.
 *
 * A target model that resists white-box attacks but falls to transferred ones hides its gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import { disposeResults, judge, type Attack, type AttackResult, type RunOptions } from './attack.js';
import { asModel, type ModelLike } from './model.js';
import { countClasses } from './ops.js';
import { checkInputs, checkLabels, type Labels } from './validate.js';

/** The source model and the white-box attack a {@link TransferAttack} crafts with. */
export interface TransferConfig {
  /** The model the adversarials are crafted on. */
  source: ModelLike;
  /** Any white-box attack run on `source`. */
  attack: Attack;
}

/** Per-epsilon transfer result: the usual fields judged on the target, plus the source's accuracy. */
export interface TransferResult extends AttackResult {
  /** Robust accuracy of the source model on the same adversarials, to tell weak crafting from poor transfer. */
  sourceRobustAccuracy: number;
}

/** Runs `attack` on `source`, then judges the adversarials on the model passed to `run` (the target). */
export class TransferAttack implements Attack {
  readonly name: string;
  readonly norm: Attack['norm'];
  readonly blackBox = true;
  /** The model the adversarials are crafted on. */
  readonly source: ModelLike;
  /** The white-box attack run on `source`. */
  readonly attack: Attack;

  constructor(config: TransferConfig) {
    if (config === null || typeof config !== 'object' || config.source === undefined) {
      throw new Error(`Transfer: config.source (the surrogate model) is required, but got ${String(config?.source)}`);
    }
    if (config.attack === undefined || typeof config.attack.run !== 'function') {
      throw new Error(`Transfer: config.attack must be an attack object with run(), but got ${String(config.attack)}`);
    }
    this.source = config.source;
    this.attack = config.attack;
    this.name = `Transfer(${config.attack.name})`;
    this.norm = config.attack.norm;
  }

  async run(model: ModelLike, inputs: tf.Tensor4D, labels: Labels, options: RunOptions): Promise<TransferResult[]> {
    const target = asModel(model);
    const x = checkInputs(this.name, inputs, target);
    const numClasses = countClasses(target, x);
    const y = checkLabels(this.name, 'labels', labels, x.shape[0], numClasses);
    let t: ReturnType<typeof checkLabels> | undefined;
    try {
      t = options?.targets === undefined ? undefined : checkLabels(this.name, 'options.targets', options.targets, x.shape[0], numClasses);
      const crafted = await this.attack.run(this.source, inputs, y.values, options);
      const ctx = { model: target, x, labels: y.tensor, labelValues: y.values, numClasses, targets: t?.tensor, targetValues: t?.values };
      try {
        return crafted.map((r) => ({ ...r, ...judge(ctx, r.clipped), sourceRobustAccuracy: r.robustAccuracy }));
      } catch (error) {
        disposeResults(crafted);
        throw error;
      }
    } finally {
      y.tensor.dispose();
      t?.tensor.dispose();
    }
  }
}

/**
 * Convenience: craft with `attack` on `source`, score on `target`; one call sweeps all epsilons.
 */
export function transferAttack(
  source: ModelLike,
  target: ModelLike,
  inputs: tf.Tensor4D,
  labels: Labels,
  attack: Attack,
  options: RunOptions,
): Promise<TransferResult[]> {
  return new TransferAttack({ source, attack }).run(target, inputs, labels, options);
}
