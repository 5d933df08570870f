import * as tf from '@tensorflow/tfjs-core';
import { WEIGHTED_TERMS, type DDARWeights, type WeightedTerm } from '@ddar/losses';
import type { ClassifierModel, LossTermsOptions, LossWeights } from './classifier_model.js';

/** What {@link termGradientNorms} needs of a model; every model of this package has it. */
export type TermGradientSubject = Pick<ClassifierModel, 'kind' | 'lossWeights' | 'lossTerms' | 'backboneWeights'> & {
  readonly network: { readonly weights: ReadonlyArray<{ readonly trainable: boolean; read(): tf.Tensor; write(value: tf.Tensor): unknown }> };
};

/** Options of {@link termGradientNorms}. */
export interface TermGradientNormsOptions extends Pick<LossTermsOptions, 'transformedImages'> {
  /**
   * Only these terms (those of them with a positive weight); default every term. Each term's norm is computed on its
   * own, so threads holding copies of one model can share the terms out and get exactly the norms of one thread.
   */
  terms?: readonly WeightedTerm[];
}

/**
 * The terms whose norms {@link termGradientNorms} computes for these weights: those with a positive weight, in
 * `WEIGHTED_TERMS` order.
 */
export function termsWithWeight(model: Pick<TermGradientSubject, 'lossWeights'>, weights: LossWeights = {}): WeightedTerm[] {
  const resolved = model.lossWeights(weights);
  return WEIGHTED_TERMS.filter((term) => (resolved[term] ?? (term === 'classification' ? 1 : 0)) > 0);
}

/**
 * For each loss term with a positive weight, the L2 norm of the gradient of `weight * term` with
 * respect to the backbone's variables, on one batch in training mode: how hard each term pulls on the
 * shared representation. A reconstruction term whose norm is a small fraction of the cross-entropy's
 * barely shapes the backbone, whatever its value.
 *
 * `options.transformedImages` is required when a geometric-consistency weight is set (as in training
 * with geometric augmentation). One backward pass per term. Training-mode passes update batch-norm statistics, so every
 * non-trainable weight is put back afterwards: the model leaves exactly as it came.
 */
export function termGradientNorms(
  model: TermGradientSubject,
  images: tf.Tensor4D,
  labels: tf.Tensor1D,
  weights: LossWeights = {},
  options: TermGradientNormsOptions = {},
): Partial<Record<WeightedTerm, number>> {
  const resolved = model.lossWeights(weights);
  const variables = model.backboneWeights;
  if (variables.length === 0) {
    throw new Error(`Error in termGradientNorms: the ${model.kind} model's backbone has no trainable weights`);
  }
  const state = model.network.weights.filter((weight) => !weight.trainable);
  const snapshot = state.map((weight) => tf.clone(weight.read()));
  const norms: Partial<Record<WeightedTerm, number>> = {};
  try {
    for (const term of termsWithWeight(model, weights)) {
      if (options.terms !== undefined && !options.terms.includes(term)) continue;
      const weight = resolved[term] ?? (term === 'classification' ? 1 : 0);
      norms[term] = tf.tidy(() => {
        const { grads, value } = tf.variableGrads(
          () => model.lossTerms(images, labels, onlyTerm(resolved, term, weight), { transformedImages: options.transformedImages }).total,
          variables,
        );
        value.dispose();
        const squares = Object.values(grads).map((gradient) => tf.sum(tf.square(gradient)));
        return Math.sqrt(tf.addN(squares).dataSync()[0]);
      });
    }
  } finally {
    state.forEach((weight, i) => weight.write(snapshot[i]));
    tf.dispose(snapshot);
  }
  return norms;
}

/** `weights` with every term but `term` switched off (the term options, such as the reconstruction kind, kept). */
function onlyTerm(weights: DDARWeights, term: WeightedTerm, weight: number): LossWeights {
  const off = Object.fromEntries(WEIGHTED_TERMS.map((name) => [name, 0]));
  return { ...weights, ...off, [term]: weight };
}
