import * as tf from '@tensorflow/tfjs-core';
import { craftAdversarialBatch } from './adversarial_examples.js';
import { transformedCopies } from './geometric_augmentation.js';
import type { ResolvedAdversarialConfig, GeometricAugmentationConfig } from './config.js';
import type { LossTermsOptions, LossWeights, TrainableModel } from './trainable_model.js';
import { applyFusedAdam } from './fused_adam.js';

export interface TrainingStepContext {
  model: TrainableModel;
  optimizer: tf.Optimizer;
  /** The trainable variables, always in the same order: optimizers keep their slots by position. */
  variables: tf.Variable[];
  lossWeights: LossWeights;
  adversarial: ResolvedAdversarialConfig | null;
  /** Ranges of the per-image random affine transforms, or null without geometric augmentation. */
  augmentation: Required<GeometricAugmentationConfig> | null;
}

export interface StepOutcome {
  /** `total` and every term `lossTerms` returned, as numbers. */
  losses: Record<string, number>;
  /** How many clean images of the batch the model classified correctly before the update. */
  correct: number;
  /** With adversarial training: how many of the adversarial images it classified correctly. */
  adversarialCorrect?: number;
  /** When a loss is NaN or infinite: those terms. The update was then not applied. */
  nonFinite?: Record<string, number>;
}

/** The loss, accuracy and gradients of one batch (or one shard of it), before any update. */
export interface BatchGradients extends Omit<StepOutcome, 'nonFinite'> {
  /** One gradient per context variable, in the same order; the caller disposes them. */
  gradients: tf.Tensor[];
}

function countCorrectLogits(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'));
}

function countCorrect(model: TrainableModel, images: tf.Tensor4D, labels: tf.Tensor1D): tf.Scalar {
  return countCorrectLogits(model.classify(images), labels);
}

/**
 * Crafts adversarials when configured and computes the loss terms, accuracy and gradients of one batch. Every tensor it
 * creates is disposed before it returns, except the gradients, which the caller owns.
 */
export function batchGradients(
  context: Omit<TrainingStepContext, 'optimizer'>,
  images: tf.Tensor4D,
  labels: tf.Tensor1D,
  attackSeed: number,
): BatchGradients {
  const { model, variables, lossWeights, adversarial, augmentation } = context;
  const adversarialImages = adversarial === null ? undefined : craftAdversarialBatch(model, images, labels, adversarial, attackSeed);
  const transformedImages = transformedCopies(images, augmentation, attackSeed);
  const inputs = adversarialImages ?? images;
  // Reconstructing the clean image from the adversarial one asks the decoders to undo the perturbation; with
  // 'adversarial' the model reconstructs exactly what it saw, as in clean training.
  const options: LossTermsOptions = { returnLogits: true };
  if (adversarialImages !== undefined && adversarial?.reconstructionInput === 'clean') options.reconstructionTarget = images;
  if (transformedImages !== undefined) options.transformedImages = transformedImages;

  const termNames: string[] = [];
  const termValues: tf.Scalar[] = [];
  // The logits of the loss's forward pass (training mode) on `inputs`, when the model returns them; saves one forward
  // pass per step, and is how Keras and most training loops count training accuracy.
  let inputLogits: tf.Tensor2D | undefined;
  let gradientMap: tf.NamedTensorMap | undefined;
  let total: tf.Scalar | undefined;
  try {
    const result = tf.variableGrads(() => {
      const { total: loss, terms, logits } = model.lossTerms(inputs, labels, lossWeights, options);
      if (logits !== undefined) inputLogits = tf.keep(logits);
      for (const [name, value] of Object.entries(terms) as [string, tf.Scalar | undefined][]) {
        if (value === undefined) continue;
        // Kept out of the gradient scope's cleanup so they can be logged; disposed below.
        termNames.push(name);
        termValues.push(tf.keep(value));
      }
      return loss;
    }, variables);
    gradientMap = result.grads;
    total = result.value;

    const accuracyTerms = adversarialImages === undefined ? 1 : 2;
    const correctOn = (x: tf.Tensor4D) => (x === inputs && inputLogits !== undefined ? countCorrectLogits(inputLogits, labels) : countCorrect(model, x, labels));
    const summary = tf.tidy(() =>
      tf.stack([total!, ...termValues, correctOn(images), ...(adversarialImages === undefined ? [] : [correctOn(adversarialImages)])]),
    );
    const values = summary.dataSync();
    summary.dispose();

    const losses: Record<string, number> = { total: values[0] };
    termNames.forEach((name, i) => {
      if (name !== 'total') losses[name] = values[i + 1];
    });
    const outcome: BatchGradients = {
      losses,
      correct: values[values.length - accuracyTerms],
      // A variable the loss does not reach has no gradient; a zero keeps every list aligned with `variables`.
      gradients: variables.map((variable) => gradientMap![variable.name] ?? tf.zerosLike(variable)),
    };
    gradientMap = undefined;
    if (adversarialImages !== undefined) outcome.adversarialCorrect = values[values.length - 1];
    return outcome;
  } finally {
    tf.dispose(termValues);
    inputLogits?.dispose();
    if (gradientMap !== undefined) tf.dispose(Object.values(gradientMap));
    total?.dispose();
    adversarialImages?.dispose();
    transformedImages?.dispose();
  }
}

/** The terms of `losses` that are NaN or infinite, or undefined when every term is finite. */
export function nonFiniteTerms(losses: Record<string, number>): Record<string, number> | undefined {
  const nonFinite = Object.fromEntries(Object.entries(losses).filter(([, value]) => !Number.isFinite(value)));
  return Object.keys(nonFinite).length > 0 ? nonFinite : undefined;
}

/** Applies `gradients` (aligned with `variables`) with the optimizer, then disposes them. */
export function applyGradients(optimizer: tf.Optimizer, variables: tf.Variable[], gradients: tf.Tensor[]): void {
  try {
    if (applyFusedAdam(optimizer, variables, gradients)) return;
    optimizer.applyGradients(variables.map((variable, i) => ({ name: variable.name, tensor: gradients[i] })));
  } finally {
    tf.dispose(gradients);
  }
}

/**
 * One optimizer step on one batch: craft adversarials when configured, compute the loss and its gradients, and apply
 * them unless a loss term is not finite. Every tensor created here is disposed before it returns.
 */
export function trainingStep(context: TrainingStepContext, images: tf.Tensor4D, labels: tf.Tensor1D, attackSeed: number): StepOutcome {
  const { gradients, ...outcome } = batchGradients(context, images, labels, attackSeed);
  const nonFinite = nonFiniteTerms(outcome.losses);
  if (nonFinite !== undefined) {
    tf.dispose(gradients);
    return { ...outcome, nonFinite };
  }
  applyGradients(context.optimizer, context.variables, gradients);
  return outcome;
}
