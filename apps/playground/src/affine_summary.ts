// The global affine part of DDAR's geometric code, read as a person would describe a pose. The model's residual r
// defines the sampling map A = [[1 + r0, r1, r2], [r3, 1 + r4, r5]] in normalized coordinates (the image spans [-1, 1]
// between its first and last pixel centres): output pixel p reads the template at A(p). The pose that carries the
// template into the image is A's inverse; that is what a user who turned the digit by 30° expects to see as +30°.

/** The affine part as rotation, scale, shear and shift of the template into the image. */
export interface AffineSummary {
  /** Counter-clockwise on screen, in degrees, as the rotation slider. */
  rotation: number;
  /** Geometric mean of the two axes' scale factors; above 1 enlarges. */
  scale: number;
  /** Ratio of the larger to the smaller singular value: 1 for a similarity transform. */
  anisotropy: number;
  /** Where the template's centre lands, in pixels from the image centre (right, down). */
  shiftX: number;
  shiftY: number;
}

/**
 * @param residual the model's affine residual, 6 numbers.
 * @param height image height in pixels, @param width width: the normalized unit is half the distance between the first
 * and last pixel centres.
 */
export function summarizeAffine(residual: ArrayLike<number>, height: number, width: number): AffineSummary {
  if (residual.length !== 6) throw new Error(`summarizeAffine: residual must hold 6 numbers, but got ${residual.length}`);
  const [a, b, c, d, e, f] = [1 + residual[0], residual[1], residual[2], residual[3], 1 + residual[4], residual[5]];
  const det = a * e - b * d;
  if (!(Math.abs(det) > 1e-9)) throw new Error(`summarizeAffine: the sampling map [${Array.from(residual)}] is singular`);
  // The template-to-image map M = inverse of the linear part, and the image point the template centre (0, 0) goes to.
  const [m11, m12, m21, m22] = [e / det, -b / det, -d / det, a / det];
  const centreX = -(m11 * c + m12 * f);
  const centreY = -(m21 * c + m22 * f);
  // With y pointing down, [[cos, sin], [-sin, cos]] turns the picture counter-clockwise (as @ddar/datasets' rotation).
  const rotation = (Math.atan2(m12 - m21, m11 + m22) * 180) / Math.PI;
  const scale = Math.sqrt(Math.abs(m11 * m22 - m12 * m21));
  // Singular values of M from its Frobenius norm and determinant.
  const frobenius = m11 * m11 + m12 * m12 + m21 * m21 + m22 * m22;
  const detM = Math.abs(m11 * m22 - m12 * m21);
  const root = Math.sqrt(Math.max(0, frobenius * frobenius - 4 * detM * detM));
  const largest = Math.sqrt((frobenius + root) / 2);
  const smallest = Math.sqrt(Math.max(0, (frobenius - root) / 2));
  return {
    rotation,
    scale,
    anisotropy: smallest > 0 ? largest / smallest : Infinity,
    shiftX: (centreX * (width - 1)) / 2,
    shiftY: (centreY * (height - 1)) / 2,
  };
}
