import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy } from './cross_entropy.js';
import { displacementMagnitude } from './displacement_magnitude.js';
import { reconstruction, RECONSTRUCTION_KINDS, type ReconstructionKind } from './reconstruction.js';
import { totalVariation, TOTAL_VARIATION_VARIANTS, type TotalVariationVariant } from './total_variation.js';
import { assertNonNegative, assertNumberInRange, assertOneOf } from './validate.js';

/** Weights of the DDAR loss terms, and the options of those terms. */
export interface DDARWeights {
  /** Weight of the cross-entropy term. Default 1. */
  classification?: number;
  /** lambdaRec: weight of the reconstruction term rec(input, reconstruction). */
  reconstruction: number;
  /** lambdaSmooth: weight of the total variation of the displacement field. */
  smoothness: number;
  /** lambdaMag: weight of the mean squared displacement. Default 0. */
  magnitude?: number;
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
  /** The displacement field [N, H, W, 2]; needed when `weights.smoothness > 0` or `weights.magnitude > 0`. */
  displacement?: tf.Tensor4D;
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
 *  + smoothness * TV(displacement) + magnitude * mean|displacement|^2`.
 *
 * The weights are validated once here; the returned function is called every step. A term is
 * computed when its weight is positive (its tensors are then required) or when its tensors are given
 * anyway (so a zero-weight term can still be logged); only terms with a positive weight enter
 * `total`, so an unused, possibly non-finite term never poisons it. `terms` holds the unweighted
 * values. Every returned scalar is a new tensor owned by the caller; intermediates are disposed. Inside
 * `optimizer.minimize(() => objective(inputs).total)` the unused terms are disposed by tfjs.
 */
export function ddarObjective(weights: DDARWeights): DDARObjective {
  if (weights == null || typeof weights !== 'object') {
    throw new Error(`Error in ${OP}: weights must be an object, but got ${String(weights)}`);
  }
  const classificationWeight = weights.classification ?? 1;
  const magnitudeWeight = weights.magnitude ?? 0;
  const { reconstruction: reconstructionWeight, smoothness: smoothnessWeight } = weights;
  const reconstructionKind = weights.reconstructionKind ?? 'mse';
  const tvVariant = weights.tvVariant ?? 'anisotropic';
  const labelSmoothing = weights.labelSmoothing ?? 0;
  const validateLabels = weights.validateLabels ?? true;
  assertNonNegative(OP, 'weights.classification', classificationWeight);
  assertNonNegative(OP, 'weights.reconstruction', reconstructionWeight);
  assertNonNegative(OP, 'weights.smoothness', smoothnessWeight);
  assertNonNegative(OP, 'weights.magnitude', magnitudeWeight);
  assertNumberInRange(OP, 'weights.labelSmoothing', labelSmoothing, 0, 1);
  assertOneOf<ReconstructionKind>(OP, 'weights.reconstructionKind', reconstructionKind, RECONSTRUCTION_KINDS);
  assertOneOf<TotalVariationVariant>(OP, 'weights.tvVariant', tvVariant, TOTAL_VARIATION_VARIANTS);
  if (classificationWeight + reconstructionWeight + smoothnessWeight + magnitudeWeight === 0) {
    // A constant total has no gradient, and optimizer.minimize would fail later with a vaguer error.
    throw new Error(
      `Error in ${OP}: at least one of weights.classification, reconstruction, smoothness, magnitude must be ` +
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
    if ((smoothnessWeight > 0 || magnitudeWeight > 0) && inputs.displacement == null) {
      throw new Error(
        `Error in ${OP}: inputs.displacement is required because weights.smoothness is ${smoothnessWeight} and ` +
          `weights.magnitude is ${magnitudeWeight}, but it is missing`,
      );
    }
    if ((inputs.input == null) !== (inputs.reconstruction == null)) {
      throw new Error(
        `Error in ${OP}: inputs.input and inputs.reconstruction must be given together, but got ` +
          describeMissing(inputs, ['input', 'reconstruction']),
      );
    }

    const batchSize = inputs.logits?.shape?.[0];
    for (const name of ['input', 'reconstruction', 'displacement'] as const) {
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
      if (inputs.displacement != null) {
        computed.smoothness = totalVariation(inputs.displacement, tvVariant);
        computed.magnitude = displacementMagnitude(inputs.displacement);
        total = addWeighted(total, smoothnessWeight, computed.smoothness);
        total = addWeighted(total, magnitudeWeight, computed.magnitude);
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
