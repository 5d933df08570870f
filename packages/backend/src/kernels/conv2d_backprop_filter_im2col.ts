import { BatchMatMul, Reshape, type TensorInfo, type backend_util } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapKernels, heapOffset } from './simd/heap_kernels.js';
import { disposeIntermediates, runWasmKernel } from './wasm_kernel_calls.js';

/**
 * Largest transposed-patch matrix (KH*KW*Cin x N*OH*OW floats) the im2col path builds: 8 Mi floats, 32 MiB of heap.
 * Beyond that the transposed-convolution construction, which needs no such buffer, is used.
 */
export const IM2COL_MAX_ELEMENTS = 1 << 23;

/** Input channels up to which im2col + one XNNPACK matmul beats transposing dy (measured: see docs/performance.md). */
export const IM2COL_MAX_IN_CHANNELS = 4;

/**
 * Whether the filter gradient of this NHWC convolution should go through {@link conv2DBackpropFilterIm2col}: few
 * input channels (the first layer of an image model, where the other construction spends most of its time
 * transposing a large dy for a tiny convolution) and a patch matrix that fits {@link IM2COL_MAX_ELEMENTS}.
 */
export function prefersIm2col(info: backend_util.Conv2DInfo): boolean {
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const positions = info.batchSize * info.outHeight * info.outWidth;
  return info.inChannels <= IM2COL_MAX_IN_CHANNELS && taps * positions <= IM2COL_MAX_ELEMENTS;
}

/**
 * dW = patches^T x dy for an NHWC convolution: the transposed im2col matrix [KH*KW*Cin, N*OH*OW] is written
 * straight into a WASM-heap tensor (zeros where a tap reads padding), dy is viewed as [N*OH*OW, Cout] without a
 * copy, and the two are contracted into [KH*KW*Cin, Cout] = [KH, KW, Cin, Cout]: by heap_kernels.wat's matmulFewRows
 * when Cout is a multiple of 4 (XNNPACK's BatchMatMul would pack the fresh dy on every call: 15-20 ms for the
 * reference model's first layer, against ~3 ms here), else by the wasm BatchMatMul.
 */
export function conv2DBackpropFilterIm2col(x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo, backend: BackendWasm): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const taps = filterHeight * filterWidth * inChannels;
  const positions = batchSize * outHeight * outWidth;
  const patches = backend.makeOutput([1, taps, positions], 'float32');
  const p = backend.typedArrayFromHeap(patches) as Float32Array;
  const xs = backend.typedArrayFromHeap(x) as Float32Array;
  const rowStride = inWidth * inChannels;
  const imageStride = inHeight * rowStride;
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      for (let ci = 0; ci < inChannels; ci++) {
        let at = ((kh * filterWidth + kw) * inChannels + ci) * positions;
        for (let n = 0; n < batchSize; n++) {
          const image = n * imageStride + ci;
          for (let oh = 0; oh < outHeight; oh++) {
            const ih = oh * strideHeight + kh * dilationHeight - top;
            if (ih < 0 || ih >= inHeight) {
              p.fill(0, at, at + outWidth);
              at += outWidth;
              continue;
            }
            const row = image + ih * rowStride;
            for (let ow = 0; ow < outWidth; ow++, at++) {
              const iw = ow * strideWidth + kw * dilationWidth - left;
              p[at] = iw >= 0 && iw < inWidth ? xs[row + iw * inChannels] : 0;
            }
          }
        }
      }
    }
  }
  const simd = outChannels % 4 === 0 ? heapKernels(backend) : undefined;
  if (simd !== undefined) {
    const dw = backend.makeOutput([filterHeight, filterWidth, inChannels, outChannels], 'float32');
    simd.matmulFewRows(heapOffset(backend, patches), heapOffset(backend, dy), heapOffset(backend, dw), taps, positions, outChannels);
    disposeIntermediates(backend, patches);
    return dw;
  }
  const dyMatrix = runWasmKernel(Reshape, { x: dy }, { shape: [1, positions, outChannels] }, backend);
  const product = runWasmKernel(BatchMatMul, { a: patches, b: dyMatrix }, { transposeA: false, transposeB: false }, backend);
  disposeIntermediates(backend, patches, dyMatrix);
  const dw = runWasmKernel(Reshape, { x: product }, { shape: [filterHeight, filterWidth, inChannels, outChannels] }, backend);
  disposeIntermediates(backend, product);
  return dw;
}
