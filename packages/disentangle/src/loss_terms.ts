import * as tf from '@tensorflow/tfjs-core';
import type { DDARObjective, DDARObjectiveInputs, DDARWeights } from '@ddar/losses';
import { ddarObjective } from '@ddar/losses';
import type { LossTerms, LossWeights } from './classifier_model.js';

/**
 * `defaults` overridden by the fields of `given` that are set (an explicit `undefined` keeps the
 * default), then `forced` on top: the terms a model does not have are switched off whatever the caller
 * asked, so the three models can be trained with one weights object. The merged weights are checked
 * once, when their objective is made (see {@link computeLossTerms}).
 */
export function resolveLossWeights(defaults: DDARWeights, given: LossWeights, forced: Partial<DDARWeights> = {}): DDARWeights {
  const set = Object.fromEntries(Object.entries({ ...given }).filter(([, value]) => value !== undefined));
  return { ...defaults, ...set, ...forced };
}

/** Objectives already made, by their weights: a training run asks for the same few on every step. */
const objectives = new Map<string, DDARObjective>();
const MAX_CACHED_OBJECTIVES = 16;

/** `ddarObjective(weights)`, which validates them, made once per distinct weights. */
function objectiveFor(weights: DDARWeights): DDARObjective {
  const key = JSON.stringify(weights, Object.keys(weights).sort());
  let objective = objectives.get(key);
  if (objective === undefined) {
    objective = ddarObjective(weights);
    if (objectives.size >= MAX_CACHED_OBJECTIVES) objectives.delete(objectives.keys().next().value as string);
    objectives.set(key, objective);
  }
  return objective;
}

/**
 * The batch a loss runs on: the images, followed by their transformed copies under geometric
 * augmentation, with the labels to match.
 */
export function withTransformedCopies(
  images: tf.Tensor4D,
  labels: tf.Tensor1D,
  transformedImages: tf.Tensor4D | undefined,
): { images: tf.Tensor4D; labels: tf.Tensor1D } {
  if (transformedImages === undefined) return { images, labels };
  return { images: tf.concat([images, transformedImages]), labels: tf.concat([labels, labels]) };
}

/**
 * Runs `forward` and the objective in one tidy scope: only the total and the terms survive, as new
 * scalars owned by the caller, and with `returnLogits` the logits of the forward pass: those of the first
 * `imageCount` rows, the images themselves, when the pass also covered their transformed copies.
 */
export function computeLossTerms(
  weights: DDARWeights,
  forward: () => DDARObjectiveInputs,
  returnLogits = false,
  imageCount?: number,
): LossTerms {
  const objective = objectiveFor(weights);
  let logits: tf.Tensor2D | undefined;
  const flat = tf.tidy(() => {
    const inputs = forward();
    const { total, terms } = objective(inputs);
    if (returnLogits) {
      const rows = inputs.logits.shape[0];
      logits = tf.keep(imageCount === undefined || rows === imageCount ? inputs.logits : tf.slice(inputs.logits, 0, imageCount));
    }
    return { total, ...terms } as Record<string, tf.Scalar>;
  });
  const { total, ...terms } = flat;
  const result: LossTerms = { total, terms: terms as unknown as LossTerms['terms'] };
  if (logits !== undefined) result.logits = logits;
  return result;
}
