import * as tf from '@tensorflow/tfjs-core';
import type { LossTerms, LossTermsOptions, LossWeights } from '@ddar/disentangle';
import type { DDARWeights } from '@ddar/losses';

export type { LossTerms, LossTermsOptions, LossWeights };

/** A weight as tfjs-layers exposes it (`LayerVariable`). */
export interface ModelWeight {
  /** Unique name of the weight in the running model, used to match it on restore. */
  readonly name: string;
  /** The name the weight is saved under in `model.json`. */
  readonly originalName: string;
  /** The weight's shape; tfjs-layers allows `null` for dimensions fixed only at build time. */
  readonly shape: ReadonlyArray<number | null>;
  /** The `tf.Variable` behind the weight (typed as a plain Tensor by tfjs-layers). */
  read(): tf.Tensor;
  /** Overwrites the weight's value, e.g. when a checkpoint is restored. */
  write(value: tf.Tensor): unknown;
}

/**
 * The part of a `@ddar/disentangle` model (DDAR, baseline, AE-reg) that training relies on. Declared here, by shape,
 * so that any model offering these members trains, and so that this package's contract with the models is visible in
 * one place.
 */
export interface TrainableModel {
  /** Model architecture (e.g. `ddar`), recorded in checkpoints so a resume cannot mix architectures. */
  readonly kind: string;
  /** Logits of the inference path; adversarial examples are crafted against it. */
  classify(x: tf.Tensor4D): tf.Tensor2D;
  /** The training loss of a batch `x` [N, H, W, C] with labels `y` [N]; called inside `optimizer.minimize`. */
  lossTerms(x: tf.Tensor4D, y: tf.Tensor1D, weights?: LossWeights, options?: LossTermsOptions): LossTerms;
  /** The variables training updates: `tf.Variable`s, or tfjs-layers `LayerVariable`s. */
  readonly trainableWeights: ReadonlyArray<tf.Variable | ModelWeight>;
  /**
   * The tfjs-layers model holding every weight, trainable or not (batch-norm statistics): when present, resuming
   * restores all of them; without it only the trainable weights are restored.
   */
  readonly network?: { readonly weights: ModelWeight[] };
  /** The backbone's variables; with `lossWeights`, lets training log how hard each loss term pulls on them. */
  readonly backboneWeights?: tf.Variable[];
  /** The weights `lossTerms` resolves `weights` to (the model's defaults filled in). */
  lossWeights?(weights?: LossWeights): DDARWeights;
  /** Saves topology and weights, as tfjs `LayersModel.save` does; used for checkpoints. */
  save(handlerOrURL: tf.io.IOHandler | string): Promise<tf.io.SaveResult>;
}

/** The `tf.Variable`s behind `model.trainableWeights`, in their (stable) order. */
export function trainableVariables(model: TrainableModel): tf.Variable[] {
  return model.trainableWeights.map((weight) => {
    const variable = weight instanceof tf.Variable ? weight : weight.read();
    if (!(variable instanceof tf.Variable)) {
      throw new Error(`train: model.trainableWeights must hold variables, but ${weight.name} reads as a constant tensor`);
    }
    return variable;
  });
}
