import {
  ResizeNearestNeighborGrad,
  type KernelConfig,
  type KernelFunc,
  type ResizeNearestNeighborGradAttrs,
  type ResizeNearestNeighborGradInputs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapKernels, heapOffset } from './simd/heap_kernels.js';
import { requireFloat32Rank4, requireInput } from './tensor_checks.js';

/**
 * The gradient of `upSampling2d` (nearest neighbour, whole factors, no corner alignment), which the DDAR decoders
 * use: each input pixel's gradient is the sum of its f x f block of dy. tfjs-backend-wasm 4.22's kernel searches a
 * window around every pixel (~4.5 ms for [64,28,28,16] -> [64,14,14,16]); this one sums the blocks directly, 4
 * channels at a time in WebAssembly SIMD (heap_kernels.wat), in the cpu kernel's order (block rows, then columns).
 * Other sizes and `alignCorners` go to the original kernel.
 */
export function makeResizeNearestNeighborGradByFactor(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: {
    inputs: ResizeNearestNeighborGradInputs;
    backend: BackendWasm;
    attrs: ResizeNearestNeighborGradAttrs;
  }): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const name = ResizeNearestNeighborGrad;
    const images = requireInput(name, inputs as Record<string, TensorInfo | undefined>, 'images');
    const dy = requireFloat32Rank4(name, inputs as Record<string, TensorInfo | undefined>, 'dy');
    const [n, inH, inW, c] = images.shape;
    const [, outH, outW] = dy.shape;
    const wholeFactors =
      images.shape.length === 4 &&
      !attrs.alignCorners &&
      dy.shape[0] === n &&
      dy.shape[3] === c &&
      inH > 0 &&
      inW > 0 &&
      outH % inH === 0 &&
      outW % inW === 0 &&
      c % 4 === 0 &&
      n * c > 0;
    const simd = wholeFactors ? heapKernels(backend) : undefined;
    if (simd === undefined) return original.kernelFunc(args as never) as TensorInfo;
    const dx = backend.makeOutput(images.shape, 'float32');
    simd.resizeNearestGradByFactor(heapOffset(backend, dy), heapOffset(backend, dx), n, inH, inW, c, outH / inH, outW / inW);
    return dx;
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelFunc };
}
