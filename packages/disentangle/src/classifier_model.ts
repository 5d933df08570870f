import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageShape } from '@ddar/backbones';
import type { DDARObjectiveResult, DDARWeights } from '@ddar/losses';

/** `ddar`: the disentangled model; `baseline`: backbone + linear classifier; `aeReg`: one code + plain decoder. */
export type ModelKind = 'ddar' | 'baseline' | 'aeReg';

export const MODEL_KINDS: readonly ModelKind[] = ['ddar', 'baseline', 'aeReg'];

/**
 * Loss weights for `lossTerms`; omitted fields take the model's defaults. A model ignores the terms
 * it does not have (the baseline has no reconstruction, only DDAR has a displacement field).
 */
export type LossWeights = Partial<DDARWeights>;

/** Extra inputs of `lossTerms`. */
export interface LossTermsOptions {
  /**
   * What the reconstruction term compares the reconstruction with; default the input images. Adversarial
   * training passes the clean images here while the model sees the perturbed ones, so the codes must
   * still describe the clean image (the denoising reading of DDAR's regularizer).
   */
  reconstructionTarget?: tf.Tensor4D;
}

/** The loss and its unweighted terms, as `ddarObjective` returns them. */
export type LossTerms = DDARObjectiveResult;

/**
 * What the training loop, the attacks and the bench need from any of the compared models, so that all
 * of them train and are evaluated by the same code.
 */
export interface ClassifierModel {
  readonly kind: ModelKind;
  readonly inputShape: ImageShape;
  readonly numClasses: number;
  /** The whole trainable network, one functional tfjs-layers model. */
  readonly network: tfl.LayersModel;
  /** The variables `optimizer.minimize` should update. */
  readonly trainableWeights: tf.Variable[];
  /** The recorded configuration (also stored in the saved model.json). */
  readonly config: ModelConfig;
  /**
   * Logits [N, numClasses] of images [N, H, W, C] in [0, 1], through the inference path only
   * (no decoder runs). Differentiable, in inference mode (batch norm uses its moving statistics).
   */
  classify(images: tf.Tensor4D): tf.Tensor2D;
  /**
   * The training loss on a batch, in training mode. Meant to be called inside `optimizer.minimize`:
   * returns new scalars owned by the caller and disposes everything else.
   */
  lossTerms(images: tf.Tensor4D, labels: tf.Tensor1D, weights?: LossWeights, options?: LossTermsOptions): LossTerms;
  /** Saves in the standard tfjs format, the configuration in `userDefinedMetadata`. */
  save(destination: string | tf.io.IOHandler): Promise<tf.io.SaveResult>;
  /** Frees the weights. The model cannot be used afterwards. */
  dispose(): void;
}

/** Backbone provenance, recorded so a saved model says what it was built from. */
export interface BackboneRecord {
  name: string;
  options: Record<string, unknown>;
}

interface ModelConfigBase {
  /** Marks a model.json as ours, with the version of this layout. */
  format: 'ddar-ts';
  formatVersion: 1;
  inputShape: ImageShape;
  numClasses: number;
  backbone: BackboneRecord;
  /** Names of the layers the wrappers look up in the loaded network. */
  layers: { logits: string };
}

export interface BaselineModelConfig extends ModelConfigBase {
  kind: 'baseline';
}

export interface AutoencoderRegModelConfig extends ModelConfigBase {
  kind: 'aeReg';
  codeSize: number;
  decoderWidth: number;
  layers: { logits: string; code: string; decoder: string[] };
}

export interface DDARModelConfig extends ModelConfigBase {
  kind: 'ddar';
  dA: number;
  dG: number;
  decoderWidth: number;
  maxDisplacement: number;
  displacementUnits: 'pixels' | 'normalized';
  border: 'zeros' | 'clamp';
  lowResolutionField: boolean;
  layers: {
    logits: string;
    appearanceCode: string;
    geometricCode: string;
    appearanceDecoder: string[];
    geometricDecoder: string[];
  };
}

export type ModelConfig = BaselineModelConfig | AutoencoderRegModelConfig | DDARModelConfig;

/** Key of the DDAR configuration inside a model.json's `userDefinedMetadata`. */
export const METADATA_KEY = 'ddar';
