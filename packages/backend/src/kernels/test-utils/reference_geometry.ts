/**
 * Float64 references from the definitions, for the fused geometry kernels: the bilinear warp (value and gradients,
 * one pixel at a time) and the integral affine displacement (running sums, centred, then the affine map).
 */

export type Border = 'zeros' | 'clamp';

/** Output and the gradients of sum(output * upstream) w.r.t. image and displacement. */
export function referenceWarp(
  image: ArrayLike<number>,
  displacement: ArrayLike<number>,
  upstream: ArrayLike<number>,
  [n, h, w, c]: readonly number[],
  border: Border,
): { output: Float64Array; dImage: Float64Array; dDisplacement: Float64Array } {
  const output = new Float64Array(n * h * w * c);
  const dImage = new Float64Array(n * h * w * c);
  const dDisplacement = new Float64Array(n * h * w * 2);
  /** Offset of pixel (y, x) of image b, or -1 where it reads 0. */
  const at = (b: number, y: number, x: number): number => {
    if (border === 'clamp') {
      y = Math.min(Math.max(y, 0), h - 1);
      x = Math.min(Math.max(x, 0), w - 1);
    } else if (y < 0 || y >= h || x < 0 || x >= w) {
      return -1;
    }
    return ((b * h + y) * w + x) * c;
  };
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const pixel = (b * h + y) * w + x;
        const sx = x + displacement[2 * pixel];
        const sy = y + displacement[2 * pixel + 1];
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const fx = sx - x0;
        const fy = sy - y0;
        const corners = [at(b, y0, x0), at(b, y0, x0 + 1), at(b, y0 + 1, x0), at(b, y0 + 1, x0 + 1)];
        const weights = [(1 - fy) * (1 - fx), (1 - fy) * fx, fy * (1 - fx), fy * fx];
        for (let ch = 0; ch < c; ch++) {
          const v = corners.map((k) => (k < 0 ? 0 : image[k + ch]));
          const g = upstream[pixel * c + ch];
          output[pixel * c + ch] = v.reduce((sum, value, k) => sum + value * weights[k], 0);
          corners.forEach((k, i) => {
            if (k >= 0) dImage[k + ch] += weights[i] * g;
          });
          dDisplacement[2 * pixel] += g * ((1 - fy) * (v[1] - v[0]) + fy * (v[3] - v[2]));
          dDisplacement[2 * pixel + 1] += g * ((1 - fx) * (v[2] - v[0]) + fx * (v[3] - v[1]));
        }
      }
    }
  }
  return { output, dImage, dDisplacement };
}

/** integralAffineDisplacement of @ddar/disentangle, from its definition. */
export function referenceIntegralDisplacement(
  increments: ArrayLike<number>,
  residual: ArrayLike<number>,
  [n, h, w]: readonly number[],
): Float64Array {
  const out = new Float64Array(n * h * w * 2);
  const halfW = w > 1 ? (w - 1) / 2 : 1;
  const halfH = h > 1 ? (h - 1) / 2 : 1;
  for (let b = 0; b < n; b++) {
    const gx = new Float64Array(h * w);
    const gy = new Float64Array(h * w);
    for (let y = 0; y < h; y++) {
      let sum = 0;
      for (let x = 0; x < w; x++) {
        if (x > 0) sum += increments[((b * h + y) * w + x) * 2];
        gx[y * w + x] = sum;
      }
      const mean = gx.subarray(y * w, y * w + w).reduce((s, v) => s + v, 0) / w;
      for (let x = 0; x < w; x++) gx[y * w + x] = (gx[y * w + x] - mean) / halfW;
    }
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let y = 0; y < h; y++) {
        if (y > 0) sum += increments[((b * h + y) * w + x) * 2 + 1];
        gy[y * w + x] = sum;
      }
      let mean = 0;
      for (let y = 0; y < h; y++) mean += gy[y * w + x] / h;
      for (let y = 0; y < h; y++) gy[y * w + x] = (gy[y * w + x] - mean) / halfH;
    }
    const r = Array.from({ length: 6 }, (_, k) => residual[b * 6 + k]);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const [u, v] = [gx[y * w + x], gy[y * w + x]];
        const mappedU = (1 + r[0]) * u + r[1] * v + r[2];
        const mappedV = r[3] * u + (1 + r[4]) * v + r[5];
        out[((b * h + y) * w + x) * 2] = (mappedU - (x - (w - 1) / 2) / halfW) * halfW;
        out[((b * h + y) * w + x) * 2 + 1] = (mappedV - (y - (h - 1) / 2) / halfH) * halfH;
      }
    }
  }
  return out;
}

/**
 * Gradient of sum(f(values) * upstream) by central differences in float64: exact up to rounding for a function
 * linear in `values` (the integral displacement is linear in the increments for a fixed residual, and conversely).
 */
export function centralDifferences(
  values: ArrayLike<number>,
  f: (values: Float64Array) => Float64Array,
  upstream: ArrayLike<number>,
): Float64Array {
  const objective = (v: Float64Array) => f(v).reduce((sum, out, i) => sum + out * upstream[i], 0);
  const step = 0.5;
  return Float64Array.from({ length: values.length }, (_, i) => {
    const plus = Float64Array.from(values);
    const minus = Float64Array.from(values);
    plus[i] += step;
    minus[i] -= step;
    return (objective(plus) - objective(minus)) / (2 * step);
  });
}
