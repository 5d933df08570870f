import { summarizeAffine } from './affine_summary.js';

/** The residual of a model whose sampling map is the inverse of turning the template `degrees` counter-clockwise. */
function residualOfRotation(degrees: number): number[] {
  const t = (degrees * Math.PI) / 180;
  // Template to image: [[cos, sin], [-sin, cos]] (counter-clockwise on screen, y down); sampling is its inverse.
  return [Math.cos(t) - 1, -Math.sin(t), 0, Math.sin(t), Math.cos(t) - 1, 0];
}

describe('summarizeAffine: the affine part of the geometric code as a pose', () => {
  it('reads the identity as no rotation, unit scale, no shift', () => {
    expect(summarizeAffine([0, 0, 0, 0, 0, 0], 28, 28)).toEqual({ rotation: 0, scale: 1, anisotropy: 1, shiftX: -0, shiftY: -0 });
  });

  it('reads a counter-clockwise turn of the template as a positive rotation, as the slider names it', () => {
    for (const degrees of [30, -45, 80]) {
      const summary = summarizeAffine(residualOfRotation(degrees), 28, 28);
      expect(summary.rotation).toBeCloseTo(degrees, 6);
      expect(summary.scale).toBeCloseTo(1, 6);
      expect(summary.anisotropy).toBeCloseTo(1, 6);
    }
  });

  it('reads a sampling map that shrinks as a template drawn larger, and its offset as a shift in pixels', () => {
    // Reading at half the distance from the centre draws the template twice as large; reading 0.2 to the left of each
    // output point (in normalized units, 13.5 pixels each on a 28-pixel side) moves it 2.7 pixels right.
    const summary = summarizeAffine([-0.5, 0, -0.2, 0, -0.5, 0.1], 28, 28);
    expect(summary.scale).toBeCloseTo(2, 6);
    expect(summary.shiftX).toBeCloseTo(0.4 * 13.5, 6);
    expect(summary.shiftY).toBeCloseTo(-0.2 * 13.5, 6);
  });

  it('measures how far from a similarity the map is', () => {
    expect(summarizeAffine([0, 0, 0, 0, 1, 0], 28, 28).anisotropy).toBeCloseTo(2, 6);
  });

  it('says what is wrong with a malformed residual', () => {
    expect(() => summarizeAffine([0, 0], 28, 28)).toThrow('summarizeAffine: residual must hold 6 numbers, but got 2');
    expect(() => summarizeAffine([-1, 0, 0, 0, 0, 0], 28, 28)).toThrow(/is singular/);
  });
});
