export { crossEntropy } from './cross_entropy.js';
export type { CrossEntropyOptions, Reduction } from './cross_entropy.js';
export { reconstruction, BCE_EPSILON, RECONSTRUCTION_KINDS } from './reconstruction.js';
export type { ReconstructionKind } from './reconstruction.js';
export { totalVariation, TOTAL_VARIATION_VARIANTS } from './total_variation.js';
export type { TotalVariationVariant } from './total_variation.js';
export { displacementMagnitude } from './displacement_magnitude.js';
export { biasReduction } from './bias_reduction.js';
export { appearanceInvariance } from './appearance_invariance.js';
export { ddarObjective } from './ddar_objective.js';
export { validateLossWeights, WEIGHTED_TERMS } from './loss_weights.js';
export type { LossWeights, WeightedTerm } from './loss_weights.js';
export type {
  DDARObjective,
  DDARObjectiveInputs,
  DDARObjectiveResult,
  DDARTerms,
  DDARWeights,
} from './ddar_objective.js';
