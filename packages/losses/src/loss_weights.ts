import type { DDARWeights } from './ddar_objective.js';
import { RECONSTRUCTION_KINDS } from './reconstruction.js';
import { TOTAL_VARIATION_VARIANTS } from './total_variation.js';
import { assertNonNegative, assertNumberInRange, assertOneOf } from './validate.js';

/**
 * Loss weights as callers give them: any subset of {@link DDARWeights}, `{}` meaning a model's defaults. This is the
 * one form "no weights" takes; `null` and `undefined` are not weights.
 */
export type LossWeights = Partial<DDARWeights>;

/** The loss terms that take a weight, in the order the objective sums them. */
export const WEIGHTED_TERMS = [
  'classification',
  'reconstruction',
  'smoothness',
  'magnitude',
  'biasReduction',
  'appearanceInvariance',
  'crossReconstruction',
] as const;

/** One of {@link WEIGHTED_TERMS}. */
export type WeightedTerm = (typeof WEIGHTED_TERMS)[number];

const OPTIONS = ['reconstructionKind', 'tvVariant', 'labelSmoothing', 'validateLabels'] as const;
const KNOWN: readonly string[] = [...WEIGHTED_TERMS, ...OPTIONS];

/**
 * The one check of loss weights, run where they enter (a training config, {@link ddarObjective}): an object whose every
 * key is a known weight or option (a misspelt `reconstrution` would otherwise be ignored silently) and whose every set
 * value is valid. Errors read `Error in <op>: <name>.<key> must be ..., but got ...`.
 */
export function validateLossWeights(weights: unknown, op: string, name = 'weights'): asserts weights is LossWeights {
  if (weights === null || typeof weights !== 'object' || Array.isArray(weights)) {
    throw new Error(`Error in ${op}: ${name} must be an object, but got ${Array.isArray(weights) ? 'an array' : String(weights)}`);
  }
  const given = weights as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!KNOWN.includes(key)) {
      throw new Error(`Error in ${op}: ${name}.${key} is not a loss weight or option; the known ones are ${KNOWN.join(', ')}`);
    }
  }
  for (const key of WEIGHTED_TERMS) {
    if (given[key] !== undefined) assertNonNegative(op, `${name}.${key}`, given[key] as number);
  }
  if (given.labelSmoothing !== undefined) assertNumberInRange(op, `${name}.labelSmoothing`, given.labelSmoothing as number, 0, 1);
  if (given.reconstructionKind !== undefined) assertOneOf(op, `${name}.reconstructionKind`, given.reconstructionKind, RECONSTRUCTION_KINDS);
  if (given.tvVariant !== undefined) assertOneOf(op, `${name}.tvVariant`, given.tvVariant, TOTAL_VARIATION_VARIANTS);
  if (given.validateLabels !== undefined && typeof given.validateLabels !== 'boolean') {
    throw new Error(`Error in ${op}: ${name}.validateLabels must be true or false, but got ${String(given.validateLabels)}`);
  }
}
