import * as tf from '@tensorflow/tfjs-core';
import { appearanceInvariance } from './appearance_invariance.js';
import { biasReduction } from './bias_reduction.js';
import { crossEntropy } from './cross_entropy.js';
import { displacementMagnitude } from './displacement_magnitude.js';
import { reconstruction, type ReconstructionKind } from './reconstruction.js';
import { totalVariation, type TotalVariationVariant } from './total_variation.js';
import { validateLossWeights } from './loss_weights.js';
import { assertNonNegative } from './validate.js';

/** Weights of the DDAR loss terms, and the options of those terms. */
export interface DDARWeights {
  /** Weight of the cross-entropy term. Default 1. */
  classification?: number;
  /** lambdaRec: weight of the reconstruction term rec(input, reconstruction). */
  reconstruction: number;
  /** lambdaSmooth: weight of the total variation of the local warp (its grid increments when given, else the displacement field). */
  smoothness: number;
  /** lambdaMag: weight of the mean squared displacement. Default 0. */
  magnitude?: number;
  /** Weight of the bias reduction of the mean warp (mean affine residual and mean grid increments), see {@link biasReduction}. Default 0. */
  biasReduction?: number;
  /** Geometric consistency: weight of {@link appearanceInvariance} of z_a under a small random affine transform. Default 0. */
  appearanceInvariance?: number;
  /** Geometric consistency: weight of rec(A x, warp(T(z_a(x)), G(z_g(A x)))), the cross-reconstruction. Default 0. */
  crossReconstruction?: number;
  /** Reconstruction loss, see {@link reconstruction}. Default `'mse'`. */
  reconstructionKind?: ReconstructionKind;
  /** Total variation flavour, see {@link totalVariation}. Default `'anisotropic'`. */
  tvVariant?: TotalVariationVariant;
  /** Label smoothing of the cross-entropy term, see {@link crossEntropy}. Default 0. */
  labelSmoothing?: number;
  /** Check labels on the CPU every call, see {@link crossEntropy}. Default true. */
  validateLabels?: boolean;
}

/** The tensors one training step feeds to a {@link DDARObjective}; all share the batch size N of `logits`. */
export interface DDARObjectiveInputs {
  /** Classifier logits [N, C]. */
  logits: tf.Tensor2D;
  /** Integer class ids [N]. */
  labels: tf.Tensor1D;
  /** The original images [N, H, W, C]; needed when `weights.reconstruction > 0`. */
  input?: tf.Tensor4D;
  /** The model's reconstruction of `input`, same shape; needed when `weights.reconstruction > 0`. */
  reconstruction?: tf.Tensor4D;
  /** The displacement field [N, H, W, 2]; needed when `weights.magnitude > 0`, and for smoothness without `warpIncrements`. */
  displacement?: tf.Tensor4D;
  /** An integral warp's grid increments [N, H, W, 2] (identity 1): smoothness then applies to them, and bias reduction. */
  warpIncrements?: tf.Tensor4D;
  /** The global affine residual [N, 6] (identity 0), for bias reduction. */
  affineResidual?: tf.Tensor2D;
  /** Geometric consistency: z_a of the images and of their transformed copies, [M, dA] each. */
  appearanceCodes?: { original: tf.Tensor2D; transformed: tf.Tensor2D };
  /** Geometric consistency: the transformed images and their cross-reconstruction, [M, H, W, C] each. */
  crossReconstruction?: { target: tf.Tensor4D; prediction: tf.Tensor4D };
}

/** The unweighted value of each term that was computed. */
export interface DDARTerms {
  /** Softmax cross-entropy of `logits` against `labels`; always computed. */
  classification: tf.Scalar;
  /** Reconstruction loss; present when `input` and `reconstruction` were given. */
  reconstruction?: tf.Scalar;
  /** Total variation of the displacement; present when `displacement` was given. */
  smoothness?: tf.Scalar;
  /** Mean squared displacement; present when `displacement` was given. */
  magnitude?: tf.Scalar;
  /** Bias reduction of the mean affine residual plus that of the mean increments; present when either was given. */
  biasReduction?: tf.Scalar;
  /** Appearance invariance; present when `appearanceCodes` was given. */
  appearanceInvariance?: tf.Scalar;
  /** Cross-reconstruction loss; present when `crossReconstruction` was given. */
  crossReconstruction?: tf.Scalar;
}

/** What a {@link DDARObjective} returns; every scalar is a new tensor the caller must dispose. */
export interface DDARObjectiveResult {
  /** The weighted sum that training minimizes. */
  total: tf.Scalar;
  /** The unweighted terms, for logging; zero-weight terms appear here but not in `total`. */
  terms: DDARTerms;
}

/** The per-step loss function built by {@link ddarObjective} from validated weights. */
export type DDARObjective = (inputs: DDARObjectiveInputs) => DDARObjectiveResult;

const OP = 'ddarObjective';

/**
 * The DDAR training loss
 * `classification * CE(labels, logits) + reconstruction * rec(input, reconstruction)
 *  + smoothness * TV(local warp) + magnitude * mean|displacement|^2
 *  + biasReduction * (|mean affine residual|^2 + mean |mean increments - 1|^2)
 *  + appearanceInvariance * invariance(z_a(x), z_a(A x)) + crossReconstruction * rec(A x, cross-reconstruction)`,
 * the local warp being `warpIncrements` when given, else `displacement`.
 *
 * The weights are validated once here; the returned function is called every step. A term is
 * computed when its weight is positive (its tensors are then required) or when its tensors are given
 * anyway (so a zero-weight term can still be logged); only terms with a positive weight enter
 * `total`, so an unused, possibly non-finite term never poisons it. `terms` holds the unweighted
 * values. Every returned scalar is a new tensor owned by the caller; intermediates are disposed. Inside
 * `optimizer.minimize(() => objective(inputs).total)` the unused terms are disposed by tfjs.
 */
export function ddarObjective(weights: DDARWeights): DDARObjective {
  validateLossWeights(weights, OP);
  const classificationWeight = weights.classification ?? 1;
  const magnitudeWeight = weights.magnitude ?? 0;
  const biasReductionWeight = weights.biasReduction ?? 0;
  const invarianceWeight = weights.appearanceInvariance ?? 0;
  const crossReconstructionWeight = weights.crossReconstruction ?? 0;
  const { reconstruction: reconstructionWeight, smoothness: smoothnessWeight } = weights;
  const reconstructionKind = weights.reconstructionKind ?? 'mse';
  const tvVariant = weights.tvVariant ?? 'anisotropic';
  const labelSmoothing = weights.labelSmoothing ?? 0;
  const validateLabels = weights.validateLabels ?? true;
  // The two weights every objective needs; validateLossWeights checked the others where they are set.
  assertNonNegative(OP, 'weights.reconstruction', reconstructionWeight);
  assertNonNegative(OP, 'weights.smoothness', smoothnessWeight);
  const weightSum =
    classificationWeight + reconstructionWeight + smoothnessWeight + magnitudeWeight + biasReductionWeight + invarianceWeight + crossReconstructionWeight;
  if (weightSum === 0) {
    // A constant total has no gradient, and optimizer.minimize would fail later with a vaguer error.
    throw new Error(
      `Error in ${OP}: at least one of weights.classification, reconstruction, smoothness, magnitude, biasReduction, ` +
        'appearanceInvariance, crossReconstruction must be ' +
        'positive, but all are 0',
    );
  }

  return (inputs: DDARObjectiveInputs): DDARObjectiveResult => {
    if (inputs == null || typeof inputs !== 'object') {
      throw new Error(`Error in ${OP}: inputs must be an object, but got ${String(inputs)}`);
    }
    if (reconstructionWeight > 0 && (inputs.input == null || inputs.reconstruction == null)) {
      throw new Error(
        `Error in ${OP}: inputs.input and inputs.reconstruction are required because weights.reconstruction is ` +
          `${reconstructionWeight}, but got ${describeMissing(inputs, ['input', 'reconstruction'])}`,
      );
    }
    if (magnitudeWeight > 0 && inputs.displacement == null) {
      throw new Error(
        `Error in ${OP}: inputs.displacement is required because weights.magnitude is ${magnitudeWeight}, but it is missing`,
      );
    }
    if (smoothnessWeight > 0 && inputs.displacement == null && inputs.warpIncrements == null) {
      throw new Error(
        `Error in ${OP}: inputs.warpIncrements or inputs.displacement is required because weights.smoothness is ` +
          `${smoothnessWeight}, but both are missing`,
      );
    }
    if (biasReductionWeight > 0 && inputs.warpIncrements == null && inputs.affineResidual == null) {
      throw new Error(
        `Error in ${OP}: inputs.warpIncrements or inputs.affineResidual is required because weights.biasReduction is ` +
          `${biasReductionWeight}, but both are missing`,
      );
    }
    if (invarianceWeight > 0 && inputs.appearanceCodes == null) {
      throw new Error(
        `Error in ${OP}: inputs.appearanceCodes is required because weights.appearanceInvariance is ${invarianceWeight}, but it is missing`,
      );
    }
    if (crossReconstructionWeight > 0 && inputs.crossReconstruction == null) {
      throw new Error(
        `Error in ${OP}: inputs.crossReconstruction is required because weights.crossReconstruction is ${crossReconstructionWeight}, but it is missing`,
      );
    }
    if ((inputs.input == null) !== (inputs.reconstruction == null)) {
      throw new Error(
        `Error in ${OP}: inputs.input and inputs.reconstruction must be given together, but got ` +
          describeMissing(inputs, ['input', 'reconstruction']),
      );
    }

    const batchSize = inputs.logits?.shape?.[0];
    for (const name of ['input', 'reconstruction', 'displacement', 'warpIncrements', 'affineResidual'] as const) {
      const tensor = inputs[name];
      if (tensor != null && batchSize !== undefined && tensor.shape[0] !== batchSize) {
        throw new Error(
          `Error in ${OP}: inputs.${name} must have batch size ${batchSize} (that of logits), ` +
            `but got shape [${tensor.shape.join(', ')}]`,
        );
      }
    }

    // tidy takes a flat NamedTensorMap, not the nested result, hence the regrouping below.
    const scalars = tf.tidy(() => {
      const computed: Record<string, tf.Scalar> = {
        classification: crossEntropy(inputs.logits, inputs.labels, { labelSmoothing, validateLabels }),
      };
      let total = weighted(classificationWeight, computed.classification);
      if (inputs.input != null && inputs.reconstruction != null) {
        computed.reconstruction = reconstruction(inputs.input, inputs.reconstruction, reconstructionKind);
        total = addWeighted(total, reconstructionWeight, computed.reconstruction);
      }
      const localWarp = inputs.warpIncrements ?? inputs.displacement;
      if (localWarp != null) {
        computed.smoothness = totalVariation(localWarp, tvVariant);
        total = addWeighted(total, smoothnessWeight, computed.smoothness);
      }
      if (inputs.displacement != null) {
        computed.magnitude = displacementMagnitude(inputs.displacement);
        total = addWeighted(total, magnitudeWeight, computed.magnitude);
      }
      if (inputs.warpIncrements != null || inputs.affineResidual != null) {
        const parts: tf.Scalar[] = [];
        if (inputs.affineResidual != null) parts.push(biasReduction(inputs.affineResidual, 0));
        if (inputs.warpIncrements != null) parts.push(biasReduction(inputs.warpIncrements, 1));
        computed.biasReduction = parts.length === 1 ? parts[0] : (tf.addN(parts) as tf.Scalar);
        total = addWeighted(total, biasReductionWeight, computed.biasReduction);
      }
      if (inputs.appearanceCodes != null) {
        computed.appearanceInvariance = appearanceInvariance(inputs.appearanceCodes.original, inputs.appearanceCodes.transformed);
        total = addWeighted(total, invarianceWeight, computed.appearanceInvariance);
      }
      if (inputs.crossReconstruction != null) {
        const { target, prediction } = inputs.crossReconstruction;
        computed.crossReconstruction = reconstruction(target, prediction, reconstructionKind);
        total = addWeighted(total, crossReconstructionWeight, computed.crossReconstruction);
      }
      // Not null: the constructor rejected all-zero weights.
      computed.total = total as tf.Scalar;
      return computed;
    }) as Record<string, tf.Scalar>;
    const { total, ...terms } = scalars;
    return { total, terms: terms as unknown as DDARTerms };
  };
}

function weighted(weight: number, term: tf.Scalar): tf.Scalar | null {
  if (weight === 0) return null;
  return weight === 1 ? tf.clone(term) : (tf.mul(term, weight) as tf.Scalar);
}

function addWeighted(total: tf.Scalar | null, weight: number, term: tf.Scalar): tf.Scalar | null {
  const contribution = weighted(weight, term);
  if (contribution === null) return total;
  return total === null ? contribution : (tf.add(total, contribution) as tf.Scalar);
}

function describeMissing(inputs: DDARObjectiveInputs, names: (keyof DDARObjectiveInputs)[]): string {
  const missing = names.filter((name) => inputs[name] == null);
  return missing.length === 0 ? 'all of them' : `no ${missing.join(' and no ')}`;
}
