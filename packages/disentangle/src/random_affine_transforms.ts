import type { AffineTransform } from './affine_images.js';
import { SeededRandom } from '@ddar/random';

/** How far {@link sampleAffineTransforms} may move an image; the defaults are those of the disentanglement report. */
export interface AffineRanges {
  /** Rotations are uniform in [-max, max] degrees. Default 45. */
  maxRotationDegrees?: number;
  /** Each shift component is uniform in [-max, max] pixels. Default 3. */
  maxShiftPixels?: number;
  /** The scale is uniform in [low, high]. Default [0.8, 1.2]. */
  scaleRange?: readonly [number, number];
}

/** {@link AffineRanges} with every default filled in. */
export type ResolvedAffineRanges = Required<AffineRanges>;

/** Fills in the defaults of `ranges` and checks them; `op` and `prefix` name the caller and the argument in errors. */
export function resolveAffineRanges(op: string, ranges: AffineRanges = {}, prefix = 'ranges.'): ResolvedAffineRanges {
  if (ranges == null || typeof ranges !== 'object') {
    throw new Error(`Error in ${op}: ${prefix.replace(/\.$/, '')} must be an object, but got ${String(ranges)}`);
  }
  const maxRotationDegrees = ranges.maxRotationDegrees ?? 45;
  const maxShiftPixels = ranges.maxShiftPixels ?? 3;
  const scaleRange = ranges.scaleRange ?? [0.8, 1.2];
  for (const [name, value] of [
    ['maxRotationDegrees', maxRotationDegrees],
    ['maxShiftPixels', maxShiftPixels],
  ] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(`Error in ${op}: ${prefix}${name} must be a non-negative number, but got ${String(value)}`);
    }
  }
  if (
    !Array.isArray(scaleRange) ||
    scaleRange.length !== 2 ||
    !scaleRange.every((s) => typeof s === 'number' && Number.isFinite(s) && s > 0) ||
    scaleRange[0] > scaleRange[1]
  ) {
    throw new Error(`Error in ${op}: ${prefix}scaleRange must be [low, high] with 0 < low <= high, but got ${JSON.stringify(scaleRange)}`);
  }
  return { maxRotationDegrees, maxShiftPixels, scaleRange: [scaleRange[0], scaleRange[1]] };
}

/**
 * `count` random transforms, each mixing a rotation, a shift and a scale drawn independently and
 * uniformly from `ranges`; the same `seed` gives the same list. These are the transforms the
 * disentanglement report's template invariance applies (transform i to image i).
 */
export function sampleAffineTransforms(count: number, ranges: AffineRanges = {}, seed = 0): AffineTransform[] {
  const op = 'sampleAffineTransforms';
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`Error in ${op}: count must be a non-negative integer, but got ${String(count)}`);
  }
  const { maxRotationDegrees, maxShiftPixels, scaleRange } = resolveAffineRanges(op, ranges);
  const random = SeededRandom.stream(seed, 0);
  return Array.from({ length: count }, () => ({
    rotationDegrees: random.uniform(-maxRotationDegrees, maxRotationDegrees),
    shiftX: random.uniform(-maxShiftPixels, maxShiftPixels),
    shiftY: random.uniform(-maxShiftPixels, maxShiftPixels),
    scale: random.uniform(scaleRange[0], scaleRange[1]),
  }));
}
