import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageShape } from '@ddar/backbones';
import type { DDARObjectiveResult, DDARWeights, LossWeights } from '@ddar/losses';

/** `ddar`: the disentangled model; `baseline`: backbone + linear classifier; `aeReg`: one code + plain decoder. */
export type ModelKind = 'ddar' | 'baseline' | 'aeReg';

/** Every {@link ModelKind}, for validating configuration and listing choices in CLIs. */
export const MODEL_KINDS: readonly ModelKind[] = ['ddar', 'baseline', 'aeReg'];

/**
 * Loss weights for `lossTerms` (declared by @ddar/losses); omitted fields take the model's defaults, `{}` all of them.
 * A model ignores the terms it does not have (the baseline has no reconstruction, only DDAR has a displacement field).
 */
export type { LossWeights };

/** Extra inputs of `lossTerms`. */
export interface LossTermsOptions {
  /**
   * What the reconstruction term compares the reconstruction with; default the input images. Adversarial
   * training passes the clean images here while the model sees the perturbed ones, so the codes must
   * still describe the clean image (the denoising reading of DDAR's regularizer).
   */
  reconstructionTarget?: tf.Tensor4D;
  /**
   * Geometric augmentation: the same images under a small random affine transform each, [N, H, W, C].
   * Classification and reconstruction then cover both the images and their transformed copies, and a
   * DDAR model adds its geometric-consistency terms (`appearanceInvariance`, `crossReconstruction`).
   * Cannot be combined with `reconstructionTarget`.
   */
  transformedImages?: tf.Tensor4D;
  /**
   * Also return the logits of this forward pass (training mode) as `logits`, a tensor the caller then owns: a training
   * loop counts correct predictions from them instead of running the classifier a second time.
   */
  returnLogits?: boolean;
}

/** The loss and its unweighted terms, as `ddarObjective` returns them, and the logits when asked for. */
export type LossTerms = DDARObjectiveResult & { logits?: tf.Tensor2D };

/**
 * What the training loop, the attacks and the bench need from any of the compared models, so that all
 * of them train and are evaluated by the same code.
 */
export interface ClassifierModel {
  /** Which of the compared architectures this is; decides how a saved model is loaded. */
  readonly kind: ModelKind;
  /** [H, W, C] of one input image. */
  readonly inputShape: ImageShape;
  /** Number of classes, the width of the logits. */
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
  /** The backbone's trainable variables (every weight but those of the classifier, the code heads and the decoders). */
  readonly backboneWeights: tf.Variable[];
  /** The loss weights `lossTerms` uses for `weights`: the model's defaults filled in, terms it lacks set to 0. */
  lossWeights(weights?: LossWeights): DDARWeights;
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
  /** The registered backbone name passed to `getBackbone`. */
  name: string;
  /** The options given to `getBackbone`, as plain JSON. */
  options: Record<string, unknown>;
}

interface ModelConfigBase {
  /** Marks a model.json as ours, with the version of this layout. */
  format: 'ddar-ts';
  /** Version of this layout; loading rejects versions it does not know. */
  formatVersion: 1;
  /** [H, W, C] of one input image. */
  inputShape: ImageShape;
  /** Number of classes, the width of the logits. */
  numClasses: number;
  /** What the backbone was built from. */
  backbone: BackboneRecord;
  /** Names of the layers the wrappers look up in the loaded network. */
  layers: { logits: string };
}

/** The recorded configuration of a {@link BaselineModel}. */
export interface BaselineModelConfig extends ModelConfigBase {
  /** Discriminates the {@link ModelConfig} union. */
  kind: 'baseline';
}

/** The recorded configuration of an {@link AutoencoderRegModel}. */
export interface AutoencoderRegModelConfig extends ModelConfigBase {
  /** Discriminates the {@link ModelConfig} union. */
  kind: 'aeReg';
  /** Size of the single code read by both the classifier and the decoder. */
  codeSize: number;
  /** Channels of the decoder's first feature map. */
  decoderWidth: number;
  /** Names of the logits layer, the code layer and the decoder's layers, in order. */
  layers: { logits: string; code: string; decoder: string[] };
}

/** The recorded configuration of a {@link DDARModel}, every default filled in. */
export interface DDARModelConfig extends ModelConfigBase {
  /** Discriminates the {@link ModelConfig} union. */
  kind: 'ddar';
  /** Appearance code size. */
  dA: number;
  /** Geometric code size. */
  dG: number;
  /** Channels of the decoders' first feature map. */
  decoderWidth: number;
  /** How the geometric code is decoded; absent in models saved before it existed, which are `displacement`. */
  geometry?: 'integral' | 'displacement';
  /** Bound on each displacement component, in `displacementUnits` (`displacement` geometry only). */
  maxDisplacement?: number;
  /** How the displacement field is read by the warp, see `DisplacementUnits`. */
  displacementUnits: 'pixels' | 'normalized';
  /** What the warp reads outside the template, see `WarpBorder`. */
  border: 'zeros' | 'clamp';
  /** Whether the field (or the grid increments) is decoded at low resolution and upsampled bilinearly. */
  lowResolutionField: boolean;
  /** Names of the layers the wrappers look up in the loaded network. */
  layers: {
    /** The classifier's output layer. */
    logits: string;
    /** The appearance head, output z_a. */
    appearanceCode: string;
    /** The geometric head, output z_g. */
    geometricCode: string;
    /** The appearance decoder's layers, in order. */
    appearanceDecoder: string[];
    /** The geometric decoder's layers, in order: the displacement field's, or the integral warp's increments'. */
    geometricDecoder: string[];
    /** The affine decoder's layers (`integral` geometry only). */
    affineDecoder?: string[];
  };
}

/** The configuration of any of the compared models, stored in model.json; switch on `kind`. */
export type ModelConfig = BaselineModelConfig | AutoencoderRegModelConfig | DDARModelConfig;

/** Key of the DDAR configuration inside a model.json's `userDefinedMetadata`. */
export const METADATA_KEY = 'ddar';
