import { geometryMatrix, isIdentity, NO_GEOMETRY } from './geometry.js';

/** Where an affine matrix sends the point (x, y). */
function apply(m: readonly number[], x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

describe('the geometry sliders', () => {
  it('scale and turn about the image centre, then shift', () => {
    const m = geometryMatrix({ rotation: 30, shiftX: 2, shiftY: -3, scale: 1.2 }, 28, 28);
    const [cx, cy] = apply(m, 13.5, 13.5);
    expect(cx).toBeCloseTo(15.5, 10);
    expect(cy).toBeCloseTo(10.5, 10);
    // A point one pixel right of the centre: 1.2 pixels away, turned 30° counter-clockwise on screen (y points down).
    const [x, y] = apply(m, 14.5, 13.5);
    expect(x - cx).toBeCloseTo(1.2 * Math.cos(Math.PI / 6), 10);
    expect(y - cy).toBeCloseTo(-1.2 * Math.sin(Math.PI / 6), 10);
  });

  it('leave the image alone at rest', () => {
    expect(isIdentity(NO_GEOMETRY)).toBe(true);
    expect(isIdentity({ ...NO_GEOMETRY, rotation: 1 })).toBe(false);
    const m = geometryMatrix(NO_GEOMETRY, 28, 28);
    [1, 0, 0, 0, 1, 0].forEach((v, i) => expect(m[i]).toBeCloseTo(v, 12));
  });
});
