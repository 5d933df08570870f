import {
  backend_util,
  MaxPoolGrad,
  type KernelConfig,
  type KernelFunc,
  type MaxPoolGradAttrs,
  type MaxPoolGradInputs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapKernels, heapOffset } from './simd/heap_kernels.js';
import { assertShape, requireFloat32Rank4 } from './tensor_checks.js';

/**
 * tfjs-backend-wasm 4.22's MaxPoolGrad takes ~65-85 ms for the [128,26,26,32] pool of the reference model, a
 * fifth of a training step. This one reads `x` and `dy` straight from the WASM heap (no copy), finds each window's
 * maximum with all channels of a window position in one contiguous inner loop, and adds `dy` to that input pixel:
 * one pass over `x`, a few milliseconds. The maximum is the first strict one in row-major window order, the rule
 * of the cpu backend's `maxPoolPositions` (ties go to the top-left, NaN never wins; an all-NaN window passes no
 * gradient), so results match cpu exactly up to float summation order where windows overlap. The common 2x2 pool
 * with stride 2 and channels in fours runs in WebAssembly SIMD (heap_kernels.wat), 4 channels at a time.
 */
export function makeMaxPoolGradFast(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: { inputs: MaxPoolGradInputs; backend: BackendWasm; attrs: MaxPoolGradAttrs }): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const name = MaxPoolGrad;
    const dy = requireFloat32Rank4(name, inputs, 'dy');
    const x = requireFloat32Rank4(name, inputs, 'input');
    const { filterSize, strides, pad, dimRoundingMode } = attrs;
    const info = backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    assertShape(name, 'dy', dy, info.outShape, 'the pooling output of input with these attributes');
    const dx = backend.makeOutput(x.shape, 'float32');
    const dxValues = backend.typedArrayFromHeap(dx) as Float32Array;
    const simd = isNonOverlapping2x2(info) ? heapKernels(backend) : undefined;
    const coversInput = info.outHeight * 2 === info.inHeight && info.outWidth * 2 === info.inWidth;
    if (simd === undefined || !coversInput) dxValues.fill(0);
    if (dxValues.length === 0 || dy.shape.some((d) => d === 0)) return dx;
    if (simd !== undefined) {
      const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
      simd.maxPoolGrad2x2(heapOffset(backend, x), heapOffset(backend, dy), heapOffset(backend, dx), batchSize, inHeight, inWidth, inChannels, outHeight, outWidth);
      return dx;
    }
    maxPoolGradInto(backend.typedArrayFromHeap(x) as Float32Array, backend.typedArrayFromHeap(dy) as Float32Array, dxValues, info);
    return dx;
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelFunc };
}

/** A 2x2 pool with stride 2 whose windows lie inside the input, over channels in fours: what maxPoolGrad2x2 takes. */
function isNonOverlapping2x2(info: backend_util.Conv2DInfo): boolean {
  return (
    info.filterHeight === 2 &&
    info.filterWidth === 2 &&
    info.strideHeight === 2 &&
    info.strideWidth === 2 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0 &&
    info.outHeight * 2 <= info.inHeight &&
    info.outWidth * 2 <= info.inWidth &&
    info.inChannels % 4 === 0
  );
}

function maxPoolGradInto(x: Float32Array, dy: Float32Array, dx: Float32Array, info: backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { effectiveFilterHeight, effectiveFilterWidth, dilationHeight, dilationWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  // Heap offsets of the window's in-image positions, in row-major window order.
  const offsets = new Int32Array(effectiveFilterHeight * effectiveFilterWidth);
  const rowStride = inWidth * channels;
  const imageStride = inHeight * rowStride;
  let dyAt = 0;
  for (let b = 0; b < batchSize; b++) {
    const image = b * imageStride;
    for (let yR = 0; yR < outHeight; yR++) {
      const rCorner = yR * strideHeight - padTop;
      const rMin = Math.max(0, rCorner);
      const rEnd = Math.min(inHeight, effectiveFilterHeight + rCorner);
      for (let yC = 0; yC < outWidth; yC++, dyAt += channels) {
        const cCorner = yC * strideWidth - padLeft;
        const cMin = Math.max(0, cCorner);
        const cEnd = Math.min(inWidth, effectiveFilterWidth + cCorner);
        let count = 0;
        for (let r = rMin; r < rEnd; r += dilationHeight) {
          for (let c = cMin; c < cEnd; c += dilationWidth) offsets[count++] = image + r * rowStride + c * channels;
        }
        for (let d = 0; d < channels; d++) {
          let best = -Infinity;
          let bestAt = -1;
          for (let k = 0; k < count; k++) {
            const at = offsets[k] + d;
            const v = x[at];
            if (v > best) {
              best = v;
              bestAt = at;
            }
          }
          if (bestAt >= 0) dx[bestAt] += dy[dyAt + d];
        }
      }
    }
  }
}
