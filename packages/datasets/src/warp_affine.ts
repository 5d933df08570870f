import type { AffineMatrix } from './affine_matrix.js';
import { invert } from './affine_matrix.js';

export interface WarpShape {
  count: number;
  height: number;
  width: number;
  channels: number;
}

/**
 * The one resampling routine behind every geometric transform: for each output pixel, maps its
 * centre back through the inverse of the image's matrix and samples the input bilinearly,
 * treating everything outside the input as 0. Done on the CPU rather than with tfjs'
 * `Transform` kernel so results are identical on every backend (the cpu backend's kernel in
 * tfjs 4.22 only transforms the first image of a batch).
 *
 * @param output receives `count * outHeight * outWidth * channels` values, written from 0.
 */
export function warpAffineBilinear(
  input: Float32Array,
  shape: WarpShape,
  matrices: readonly AffineMatrix[],
  outHeight: number,
  outWidth: number,
  output: Float32Array,
): void {
  const { count, height, width, channels } = shape;
  const inImage = height * width * channels;
  const outImage = outHeight * outWidth * channels;
  for (let n = 0; n < count; n++) {
    const [a, b, c, d, e, f] = invert(matrices.length === 1 ? matrices[0] : matrices[n]);
    const inBase = n * inImage;
    let o = n * outImage;
    for (let y = 0; y < outHeight; y++) {
      for (let x = 0; x < outWidth; x++, o += channels) {
        const sx = a * x + b * y + c;
        const sy = d * x + e * y + f;
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const fx = sx - x0;
        const fy = sy - y0;
        const w00 = (1 - fx) * (1 - fy);
        const w01 = fx * (1 - fy);
        const w10 = (1 - fx) * fy;
        const w11 = fx * fy;
        if (x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height) {
          const i00 = inBase + (y0 * width + x0) * channels;
          const i10 = i00 + width * channels;
          for (let ch = 0; ch < channels; ch++) {
            output[o + ch] =
              w00 * input[i00 + ch] + w01 * input[i00 + channels + ch] + w10 * input[i10 + ch] + w11 * input[i10 + channels + ch];
          }
          continue;
        }
        // Near or beyond the border: missing neighbours contribute 0.
        for (let ch = 0; ch < channels; ch++) output[o + ch] = 0;
        if (x0 < -1 || y0 < -1 || x0 >= width || y0 >= height) continue;
        for (let corner = 0; corner < 4; corner++) {
          const px = x0 + (corner & 1);
          const py = y0 + (corner >> 1);
          if (px < 0 || py < 0 || px >= width || py >= height) continue;
          const weight = corner === 0 ? w00 : corner === 1 ? w01 : corner === 2 ? w10 : w11;
          const i = inBase + (py * width + px) * channels;
          for (let ch = 0; ch < channels; ch++) output[o + ch] += weight * input[i + ch];
        }
      }
    }
  }
}
