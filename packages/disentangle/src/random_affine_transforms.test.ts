import { sampleAffineTransforms } from './random_affine_transforms.js';

describe('sampleAffineTransforms', () => {
  it('draws every parameter within its range, reproducibly for a seed', () => {
    const transforms = sampleAffineTransforms(500, { maxRotationDegrees: 10, maxShiftPixels: 2, scaleRange: [0.9, 1.1] }, 7);
    for (const { rotationDegrees, shiftX, shiftY, scale } of transforms) {
      expect(Math.abs(rotationDegrees!)).toBeLessThanOrEqual(10);
      expect(Math.abs(shiftX!)).toBeLessThanOrEqual(2);
      expect(Math.abs(shiftY!)).toBeLessThanOrEqual(2);
      expect(scale!).toBeGreaterThanOrEqual(0.9);
      expect(scale!).toBeLessThanOrEqual(1.1);
    }
    // Spread over the range, not stuck in a corner of it.
    expect(Math.max(...transforms.map((t) => t.rotationDegrees!))).toBeGreaterThan(9);
    expect(Math.min(...transforms.map((t) => t.rotationDegrees!))).toBeLessThan(-9);
    expect(sampleAffineTransforms(500, { maxRotationDegrees: 10, maxShiftPixels: 2, scaleRange: [0.9, 1.1] }, 7)).toEqual(transforms);
    expect(sampleAffineTransforms(3, {}, 8)).not.toEqual(sampleAffineTransforms(3, {}, 7));
  });

  it('uses the report defaults: ±45 degrees, ±3 pixels, scale in [0.8, 1.2]', () => {
    const transforms = sampleAffineTransforms(2000);
    expect(Math.max(...transforms.map((t) => Math.abs(t.rotationDegrees!)))).toBeGreaterThan(44);
    expect(Math.max(...transforms.map((t) => Math.abs(t.shiftX!)))).toBeGreaterThan(2.9);
    expect(Math.max(...transforms.map((t) => t.scale!))).toBeGreaterThan(1.19);
    expect(Math.min(...transforms.map((t) => t.scale!))).toBeLessThan(0.81);
  });

  it('rejects bad ranges', () => {
    expect(() => sampleAffineTransforms(1, { maxShiftPixels: -1 })).toThrow(
      'Error in sampleAffineTransforms: ranges.maxShiftPixels must be a non-negative number, but got -1',
    );
    expect(() => sampleAffineTransforms(1.5)).toThrow('Error in sampleAffineTransforms: count must be a non-negative integer, but got 1.5');
  });
});
