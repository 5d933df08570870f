import type { NamedTensorInfoMap } from '@tensorflow/tfjs-core';

// Kernels that exist in no tfjs backend: fused versions of @ddar/disentangle's composite ops and of the Adam step of
// @ddar/training, which call them when the active backend registers them (and fall back to their composite form
// otherwise). The `Ddar` prefix
// keeps them clear of tfjs's kernel names. @ddar/disentangle cannot import this package (dependency arrows point
// down, and this package is at the bottom), so it spells the same strings; its tests check that they agree.

/**
 * Bilinear warp, exactly `warp(image, displacement, { border, units: 'pixels' })` of @ddar/disentangle.
 * Inputs: `image` [N, H, W, C] and `displacement` [N, H, W, 2] (dx, dy in pixels), float32.
 * Output: [N, H, W, C].
 */
export const DdarBilinearWarp = 'DdarBilinearWarp';
export type DdarBilinearWarpInputs = Pick<NamedTensorInfoMap, 'image' | 'displacement'>;
/** What a sample outside the image reads: 0 (`zeros`) or the nearest edge pixel (`clamp`). */
export type DdarWarpBorder = 'zeros' | 'clamp';
export interface DdarBilinearWarpAttrs {
  border: DdarWarpBorder;
}

/**
 * Gradient of {@link DdarBilinearWarp}. Inputs: `dy` [N, H, W, C], `image`, `displacement` (as the forward
 * kernel's). Attrs: the forward kernel's. Outputs: [dImage [N, H, W, C], dDisplacement [N, H, W, 2]].
 */
export const DdarBilinearWarpGrad = 'DdarBilinearWarpGrad';
export type DdarBilinearWarpGradInputs = Pick<NamedTensorInfoMap, 'dy' | 'image' | 'displacement'>;
export type DdarBilinearWarpGradAttrs = DdarBilinearWarpAttrs;

/**
 * Displacement of an integral warp composed with a global affine transform, exactly
 * `integralAffineDisplacement(increments, affineResidual)` of @ddar/disentangle.
 * Inputs: `increments` [N, H, W, 2] and `affineResidual` [N, 6], float32. Output: [N, H, W, 2] (dx, dy, pixels).
 */
export const DdarIntegralAffineDisplacement = 'DdarIntegralAffineDisplacement';
export type DdarIntegralAffineDisplacementInputs = Pick<NamedTensorInfoMap, 'increments' | 'affineResidual'>;

/**
 * Gradient of {@link DdarIntegralAffineDisplacement}. Inputs: `dy` [N, H, W, 2], `increments`, `affineResidual`.
 * Outputs: [dIncrements [N, H, W, 2], dAffineResidual [N, 6]].
 */
export const DdarIntegralAffineDisplacementGrad = 'DdarIntegralAffineDisplacementGrad';
export type DdarIntegralAffineDisplacementGradInputs = Pick<NamedTensorInfoMap, 'dy' | 'increments' | 'affineResidual'>;

/**
 * One Adam step of one variable, exactly tfjs-core's AdamOptimizer arithmetic op by op in float32 (see AdamStep.ts).
 * Inputs: `value`, `firstMoment`, `secondMoment`, `gradient`, float32, one shape. Attrs: {@link DdarAdamStepAttrs}.
 * Outputs: [new value, new first moment, new second moment].
 */
export const DdarAdamStep = 'DdarAdamStep';
export type DdarAdamStepInputs = Pick<NamedTensorInfoMap, 'value' | 'firstMoment' | 'secondMoment' | 'gradient'>;
/** The optimizer's hyper-parameters, and 1 - beta^t of this step as the optimizer holds it (float32). */
export interface DdarAdamStepAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
}
