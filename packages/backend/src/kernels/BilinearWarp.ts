import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BilinearCorners, warpOperands } from './bilinear_sampling.js';
import { DdarBilinearWarp, type DdarBilinearWarpAttrs, type DdarBilinearWarpInputs } from './fused_kernel_names.js';

/**
 * @ddar/disentangle's `warp` as one kernel: output pixel (x, y) of image n is the bilinear sample of `image[n]` at
 * (x + dx, y + dy). The composite version runs ~15 small kernels forward (gather indices built with floor, clip,
 * compare and cast, a gatherND, the weighted sum); this reads `image` and `displacement` in place on the WASM heap and
 * writes each output pixel once. Semantics, NaN and border handling included: see `BilinearCorners`.
 */
function bilinearWarp(args: { inputs: DdarBilinearWarpInputs; backend: BackendWasm; attrs: DdarBilinearWarpAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { image, displacement, clamp } = warpOperands(DdarBilinearWarp, inputs, attrs as unknown as NamedAttrMap);
  const out = backend.makeOutput(image.shape, 'float32');
  if (image.shape.some((d) => d === 0)) return out;
  // Views are taken after the last allocation: growing the heap detaches earlier ones.
  const outValues = backend.typedArrayFromHeap(out) as Float32Array;
  const imageValues = backend.typedArrayFromHeap(image) as Float32Array;
  const displacementValues = backend.typedArrayFromHeap(displacement) as Float32Array;
  const [n, h, w, c] = image.shape;
  const corners = new BilinearCorners(h, w, clamp);
  let pixel = 0;
  for (let b = 0; b < n; b++) {
    const imageStart = b * h * w;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++, pixel++) {
        corners.locate(x, y, displacementValues[2 * pixel], displacementValues[2 * pixel + 1]);
        const { i00, i01, i10, i11, w00, w01, w10, w11 } = corners;
        // Every corner is multiplied in, even one that reads 0: a NaN weight must make the pixel NaN.
        const at00 = (imageStart + i00) * c;
        const at01 = (imageStart + i01) * c;
        const at10 = (imageStart + i10) * c;
        const at11 = (imageStart + i11) * c;
        const to = pixel * c;
        for (let ch = 0; ch < c; ch++) {
          const v00 = i00 < 0 ? 0 : imageValues[at00 + ch];
          const v01 = i01 < 0 ? 0 : imageValues[at01 + ch];
          const v10 = i10 < 0 ? 0 : imageValues[at10 + ch];
          const v11 = i11 < 0 ? 0 : imageValues[at11 + ch];
          outValues[to + ch] = v00 * w00 + v01 * w01 + v10 * w10 + v11 * w11;
        }
      }
    }
  }
  return out;
}

export const bilinearWarpConfig: KernelConfig = {
  kernelName: DdarBilinearWarp,
  backendName: 'wasm',
  kernelFunc: bilinearWarp as unknown as KernelFunc,
};
