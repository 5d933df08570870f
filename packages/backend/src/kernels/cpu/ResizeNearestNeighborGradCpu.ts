import {
  ResizeNearestNeighborGrad,
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
  type KernelFunc,
  type ResizeNearestNeighborGradAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { requireFloat32Rank4, requireInput } from '../tensor_checks.js';

/**
 * tfjs-backend-cpu 4.22's ResizeNearestNeighborGrad offsets dy by the *input's* batch stride, so every image after
 * the first reads the wrong part of dy: the gradient of `upSampling2d` (the DDAR decoders') is wrong on the cpu
 * backend whenever the batch has more than one image. This is the same search with dy's own strides: each input
 * pixel sums the dy pixels whose nearest source it is (`floor`, or `round` with `alignCorners`), so a batch gives
 * exactly what its images give one at a time.
 */
function resizeNearestNeighborGrad(args: {
  inputs: Record<string, TensorInfo | undefined>;
  backend: MathBackendCPU;
  attrs: ResizeNearestNeighborGradAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const name = ResizeNearestNeighborGrad;
  const images = requireInput(name, inputs, 'images');
  const dy = requireFloat32Rank4(name, inputs, 'dy');
  const [batch, xHeight, xWidth, depth] = images.shape;
  const [, yHeight, yWidth] = dy.shape;
  const dyValues = backend.data.get(dy.dataId).values as Float32Array;
  const output = new Float32Array(batch * xHeight * xWidth * depth);
  const { alignCorners } = attrs;
  const heightScale = (alignCorners && yHeight > 1 ? xHeight - 1 : xHeight) / (alignCorners && yHeight > 1 ? yHeight - 1 : yHeight);
  const widthScale = (alignCorners && yWidth > 1 ? xWidth - 1 : xWidth) / (alignCorners && yWidth > 1 ? yWidth - 1 : yWidth);
  const nearest = (fraction: number, size: number) => Math.min(size - 1, alignCorners ? Math.round(fraction) : Math.floor(fraction));
  // Which input row (column) each dy row (column) reads: the transpose of the forward op's gather.
  const sourceRow = Int32Array.from({ length: yHeight }, (_, r) => nearest(r * heightScale, xHeight));
  const sourceColumn = Int32Array.from({ length: yWidth }, (_, c) => nearest(c * widthScale, xWidth));
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < yHeight; r++) {
      const outRow = (b * xHeight + sourceRow[r]) * xWidth;
      const dyRow = (b * yHeight + r) * yWidth;
      for (let c = 0; c < yWidth; c++) {
        const to = (outRow + sourceColumn[c]) * depth;
        const from = (dyRow + c) * depth;
        for (let d = 0; d < depth; d++) output[to + d] += dyValues[from + d];
      }
    }
  }
  return backend.makeTensorInfo(images.shape, 'float32', output);
}

const config: KernelConfig = {
  kernelName: ResizeNearestNeighborGrad,
  backendName: 'cpu',
  kernelFunc: resizeNearestNeighborGrad as unknown as KernelFunc,
};

/** Replaces tfjs-backend-cpu's ResizeNearestNeighborGrad with the corrected one above. Idempotent. */
export function registerCpuKernelFixes(): void {
  if (getKernel(ResizeNearestNeighborGrad, 'cpu')?.kernelFunc === config.kernelFunc) return;
  if (getKernel(ResizeNearestNeighborGrad, 'cpu') !== undefined) unregisterKernel(ResizeNearestNeighborGrad, 'cpu');
  registerKernel(config);
}
