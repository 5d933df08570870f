import * as tf from '@tensorflow/tfjs-core';
import type { DDARObjectiveInputs, DDARWeights } from '@ddar/losses';
import { ddarObjective } from '@ddar/losses';
import type { LossTerms, LossWeights } from './classifier_model.js';

/**
 * `defaults` overridden by the fields of `given` that are set (an explicit `undefined` keeps the
 * default), then `forced` on top: the terms a model does not have are switched off whatever the caller
 * asked, so the three models can be trained with one weights object.
 */
export function resolveLossWeights(defaults: DDARWeights, given: LossWeights, forced: Partial<DDARWeights> = {}): DDARWeights {
  if (given == null || typeof given !== 'object') {
    throw new Error(`Error in lossTerms: weights must be an object, but got ${String(given)}`);
  }
  const set = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
  return { ...defaults, ...set, ...forced };
}

/**
 * Runs `forward` and the objective in one tidy scope: only the total and the terms survive, as new
 * scalars owned by the caller.
 */
export function computeLossTerms(weights: DDARWeights, forward: () => DDARObjectiveInputs): LossTerms {
  const objective = ddarObjective(weights);
  const flat = tf.tidy(() => {
    const { total, terms } = objective(forward());
    return { total, ...terms } as Record<string, tf.Scalar>;
  });
  const { total, ...terms } = flat;
  return { total, terms: terms as unknown as LossTerms['terms'] };
}
