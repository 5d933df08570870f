/**
 * A 2-D affine map `[a, b, c, d, e, f]` from input to output pixel coordinates:
 * `x' = a*x + b*y + c`, `y' = d*x + e*y + f`, where x is the column, y the row, and pixel
 * centres sit at integer coordinates (the top-left pixel's centre is (0, 0)). Because y points
 * down, a positive rotation angle turns the picture counter-clockwise as seen on screen.
 */
export type AffineMatrix = readonly [number, number, number, number, number, number];

/** The affine map that leaves every point where it is; the start of {@link chain}. */
export const IDENTITY: AffineMatrix = [1, 0, 0, 0, 1, 0];

/** `outer ∘ inner`: apply `inner` first, then `outer`. */
export function compose(outer: AffineMatrix, inner: AffineMatrix): AffineMatrix {
  const [a, b, c, d, e, f] = outer;
  const [p, q, r, s, t, u] = inner;
  return [a * p + b * s, a * q + b * t, a * r + b * u + c, d * p + e * s, d * q + e * t, d * r + e * u + f];
}

/** Composes left to right: `chain(m1, m2, m3)` applies m1, then m2, then m3. */
export function chain(...matrices: AffineMatrix[]): AffineMatrix {
  return matrices.reduce((acc, m) => compose(m, acc), IDENTITY);
}

/** The inverse map, e.g. the output-to-input map that sampling needs; throws for a singular matrix. */
export function invert(m: AffineMatrix): AffineMatrix {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) {
    throw new Error(`invert: affine matrix [${m.join(', ')}] is singular (determinant ${det})`);
  }
  return [e / det, -b / det, (b * f - c * e) / det, -d / det, a / det, (c * d - a * f) / det];
}

/** Moves points `dx` pixels right and `dy` pixels down. */
export function translation(dx: number, dy: number): AffineMatrix {
  return [1, 0, dx, 0, 1, dy];
}

/** Conjugates a linear map by a shift to `center`, so it acts about that point. */
function aboutCenter(linear: AffineMatrix, cx: number, cy: number): AffineMatrix {
  return chain(translation(-cx, -cy), linear, translation(cx, cy));
}

/** Counter-clockwise on screen by `degrees` about (cx, cy). */
export function rotation(degrees: number, cx: number, cy: number): AffineMatrix {
  const radians = (degrees * Math.PI) / 180;
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  return aboutCenter([cos, sin, 0, -sin, cos, 0], cx, cy);
}

/** Stretches by `sx` horizontally and `sy` vertically about (cx, cy). */
export function scaling(sx: number, sy: number, cx: number, cy: number): AffineMatrix {
  return aboutCenter([sx, 0, 0, 0, sy, 0], cx, cy);
}

/** Horizontal shear about (cx, cy): rows below the centre move right by `s` pixels per row. */
export function shearing(s: number, cx: number, cy: number): AffineMatrix {
  return aboutCenter([1, s, 0, 0, 1, 0], cx, cy);
}

/** Centre of an image of the given size in pixel coordinates. */
export function imageCenter(height: number, width: number): { cx: number; cy: number } {
  return { cx: (width - 1) / 2, cy: (height - 1) / 2 };
}
