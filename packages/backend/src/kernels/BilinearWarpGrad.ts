import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BilinearCorners, warpOperands } from './bilinear_sampling.js';
import { DdarBilinearWarpGrad, type DdarBilinearWarpGradAttrs, type DdarBilinearWarpGradInputs } from './fused_kernel_names.js';
import { assertShape, requireInput } from './tensor_checks.js';

/**
 * Gradient of DdarBilinearWarp, both outputs in one pass over the pixels: each output pixel adds weight * dy to its
 * four neighbours in dImage (a scatter-add; neighbours shared by several samples add up), and its displacement
 * gradient is the derivative of the bilinear surface at the sample point, (sum_b rowWeight[b] (v[b,1] - v[b,0]),
 * sum_a columnWeight[a] (v[1,a] - v[0,a])) projected on dy: the right-hand derivative on a grid line. The composite
 * version's backward pass is ~15 kernels (scatterND, products, sums, a transpose) over tensors it saved from the
 * forward pass; this one saves nothing and recomputes the corners.
 */
function bilinearWarpGrad(args: {
  inputs: DdarBilinearWarpGradInputs;
  backend: BackendWasm;
  attrs: DdarBilinearWarpGradAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const name = DdarBilinearWarpGrad;
  const { image, displacement, clamp } = warpOperands(name, inputs, attrs as unknown as NamedAttrMap);
  const dy = requireInput(name, inputs, 'dy');
  assertShape(name, 'dy', dy, image.shape, 'the shape of image');
  const dImage = backend.makeOutput(image.shape, 'float32');
  const dDisplacement = backend.makeOutput(displacement.shape, 'float32');
  const dImageValues = backend.typedArrayFromHeap(dImage) as Float32Array;
  const dDisplacementValues = backend.typedArrayFromHeap(dDisplacement) as Float32Array;
  dImageValues.fill(0);
  if (image.shape.some((d) => d === 0)) {
    dDisplacementValues.fill(0);
    return [dImage, dDisplacement];
  }
  const imageValues = backend.typedArrayFromHeap(image) as Float32Array;
  const displacementValues = backend.typedArrayFromHeap(displacement) as Float32Array;
  const dyValues = backend.typedArrayFromHeap(dy) as Float32Array;
  const [n, h, w, c] = image.shape;
  const corners = new BilinearCorners(h, w, clamp);
  let pixel = 0;
  for (let b = 0; b < n; b++) {
    const imageStart = b * h * w;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++, pixel++) {
        corners.locate(x, y, displacementValues[2 * pixel], displacementValues[2 * pixel + 1]);
        const { i00, i01, i10, i11, w00, w01, w10, w11 } = corners;
        const at00 = (imageStart + i00) * c;
        const at01 = (imageStart + i01) * c;
        const at10 = (imageStart + i10) * c;
        const at11 = (imageStart + i11) * c;
        const from = pixel * c;
        // The neighbours' values projected on dy, corner by corner.
        let p00 = 0;
        let p01 = 0;
        let p10 = 0;
        let p11 = 0;
        for (let ch = 0; ch < c; ch++) {
          const g = dyValues[from + ch];
          if (i00 >= 0) {
            p00 += imageValues[at00 + ch] * g;
            dImageValues[at00 + ch] += w00 * g;
          }
          if (i01 >= 0) {
            p01 += imageValues[at01 + ch] * g;
            dImageValues[at01 + ch] += w01 * g;
          }
          if (i10 >= 0) {
            p10 += imageValues[at10 + ch] * g;
            dImageValues[at10 + ch] += w10 * g;
          }
          if (i11 >= 0) {
            p11 += imageValues[at11 + ch] * g;
            dImageValues[at11 + ch] += w11 * g;
          }
        }
        dDisplacementValues[2 * pixel] = corners.row0 * (p01 - p00) + corners.row1 * (p11 - p10);
        dDisplacementValues[2 * pixel + 1] = corners.column0 * (p10 - p00) + corners.column1 * (p11 - p01);
      }
    }
  }
  return [dImage, dDisplacement];
}

export const bilinearWarpGradConfig: KernelConfig = {
  kernelName: DdarBilinearWarpGrad,
  backendName: 'wasm',
  kernelFunc: bilinearWarpGrad as unknown as KernelFunc,
};
