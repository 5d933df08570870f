import { BatchMatMul, Reshape, type TensorInfo, type backend_util } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { disposeIntermediates, runWasmKernel } from './wasm_kernel_calls.js';

/** Largest column matrix (N*OH*OW x KH*KW*Cin floats) the col2im path builds: 8 Mi floats, 32 MiB of heap. */
export const COL2IM_MAX_ELEMENTS = 1 << 23;

/**
 * Whether dx of this NHWC convolution should go through {@link conv2DBackpropInputCol2im}: strided convolutions
 * (where the full correlation wastes all but 1/s^2 of its work on the zeros that spread dy) whose column matrix fits
 * {@link COL2IM_MAX_ELEMENTS}. At stride 1 the XNNPACK full correlation is as fast or faster (measured, see
 * docs/performance.md).
 */
export function prefersCol2im(info: backend_util.Conv2DInfo): boolean {
  const strided = info.strideHeight > 1 || info.strideWidth > 1;
  const columns = info.batchSize * info.outHeight * info.outWidth * info.filterHeight * info.filterWidth * info.inChannels;
  return strided && columns <= COL2IM_MAX_ELEMENTS;
}

/**
 * dx of an NHWC convolution as col2im(dy x W^T): one wasm BatchMatMul (XNNPACK) turns dy viewed as [N*OH*OW, Cout]
 * and the filter viewed as [KH*KW*Cin, Cout] into the column matrix [N*OH*OW, KH*KW*Cin], whose rows a JS loop over
 * the WASM heap adds back into the input pixels each filter tap read (taps that read padding are dropped).
 */
export function conv2DBackpropInputCol2im(dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo, backend: BackendWasm): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const taps = filterHeight * filterWidth * inChannels;
  const positions = batchSize * outHeight * outWidth;
  const dyMatrix = runWasmKernel(Reshape, { x: dy }, { shape: [1, positions, outChannels] }, backend);
  const filterMatrix = runWasmKernel(Reshape, { x: filter }, { shape: [1, taps, outChannels] }, backend);
  const columns = runWasmKernel(BatchMatMul, { a: dyMatrix, b: filterMatrix }, { transposeA: false, transposeB: true }, backend);
  disposeIntermediates(backend, dyMatrix, filterMatrix);

  const dx = backend.makeOutput([batchSize, inHeight, inWidth, inChannels], 'float32');
  const out = backend.typedArrayFromHeap(dx) as Float32Array;
  out.fill(0);
  const cols = backend.typedArrayFromHeap(columns) as Float32Array;
  const rowStride = inWidth * inChannels;
  const imageStride = inHeight * rowStride;
  let at = 0;
  for (let n = 0; n < batchSize; n++) {
    const image = n * imageStride;
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight + kh * dilationHeight - top;
          if (ih < 0 || ih >= inHeight) {
            at += filterWidth * inChannels;
            continue;
          }
          const row = image + ih * rowStride;
          for (let kw = 0; kw < filterWidth; kw++, at += inChannels) {
            const iw = ow * strideWidth + kw * dilationWidth - left;
            if (iw < 0 || iw >= inWidth) continue;
            const pixel = row + iw * inChannels;
            for (let ci = 0; ci < inChannels; ci++) out[pixel + ci] += cols[at + ci];
          }
        }
      }
    }
  }
  disposeIntermediates(backend, columns);
  return dx;
}
