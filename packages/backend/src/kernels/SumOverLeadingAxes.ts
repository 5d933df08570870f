import { util, type KernelConfig, type KernelFunc, type SumAttrs, type SumInputs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapKernels, heapOffset, type HeapKernels } from './simd/heap_kernels.js';

/**
 * tfjs-backend-wasm 4.22's Sum over every axis but the last (the gradient of a bias, dy summed to [channels]) first
 * transposes the whole tensor so that the reduced axes come last: ~6 ms for the [128,26,26,32] gradient of the
 * reference model's first layer. This one sums the rows in place on the heap, 4 channels at a time in WebAssembly
 * SIMD (heap_kernels.wat), in row order. Every other Sum goes to the original kernel.
 */
export function makeSumOverLeadingAxes(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: { inputs: SumInputs; backend: BackendWasm; attrs: SumAttrs }): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x as TensorInfo | undefined;
    const simd = x !== undefined && reducesLeadingAxes(x, attrs) ? heapKernels(backend) : undefined;
    if (x === undefined || simd === undefined) return original.kernelFunc(args as never) as TensorInfo;
    return sumRows(simd, backend, x, attrs.keepDims);
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelFunc };
}

/** float32, rank >= 2, channels in fours, not empty, and the axes are exactly every axis but the last. */
function reducesLeadingAxes(x: TensorInfo, attrs: SumAttrs): boolean {
  const rank = x.shape.length;
  if (x.dtype !== 'float32' || rank < 2 || x.shape[rank - 1] % 4 !== 0 || util.sizeFromShape(x.shape) === 0) return false;
  const axes = [...new Set(util.parseAxisParam(attrs.axis, x.shape))].sort((a, b) => a - b);
  return axes.length === rank - 1 && axes.every((axis, i) => axis === i);
}

function sumRows(simd: HeapKernels, backend: BackendWasm, x: TensorInfo, keepDims: boolean): TensorInfo {
  const channels = x.shape[x.shape.length - 1];
  const shape = keepDims ? [...x.shape.slice(0, -1).map(() => 1), channels] : [channels];
  const out = backend.makeOutput(shape, 'float32');
  simd.sumRows(heapOffset(backend, x), heapOffset(backend, out), util.sizeFromShape(x.shape) / channels, channels);
  return out;
}

