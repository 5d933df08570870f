import { backend_util, PadV2, Reshape, Slice, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { disposeIntermediates, runWasmKernel } from './wasm_kernel_calls.js';

export interface FullCorrelationInput {
  /** dy spread by the forward stride, cropped where the padding below would be negative. */
  source: TensorInfo;
  /** Explicit NHWC padding for a stride-1 convolution of `source` that yields dx's spatial size. */
  pad: backend_util.ExplicitPadding;
  /** Whether `source` is an intermediate the caller must dispose (it is `dy` itself otherwise). */
  owned: boolean;
}

/**
 * dx[h] = sum over oh,kh with oh*s + kh*d - padTop = h of dy[oh] * f[kh] is a stride-1 correlation,
 * at dilation d, of dy spread out by s (zeros between rows and columns) with the spatially flipped
 * filter, padded by (K-1)*d - padTop on the leading side. This prepares that spread, padded input
 * for an NHWC dy; the caller supplies the flipped filter and the convolution.
 */
export function fullCorrelationInput(dy: TensorInfo, convInfo: backend_util.Conv2DInfo, backend: BackendWasm): FullCorrelationInput {
  const { batchSize, outHeight, outWidth, outChannels, inHeight, inWidth } = convInfo;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, filterHeight, filterWidth } = convInfo;

  // [N,OH,OW,C] -> [N,OH,1,OW,1,C] -> pad to [N,OH,sH,OW,sW,C] -> [N,OH*sH,OW*sW,C]; the trailing
  // sH-1 rows and sW-1 columns are zeros that the bottom/right padding accounts for.
  let spread = dy;
  if (strideHeight > 1 || strideWidth > 1) {
    const split = runWasmKernel(Reshape, { x: dy }, { shape: [batchSize, outHeight, 1, outWidth, 1, outChannels] }, backend);
    const padded = runWasmKernel(
      PadV2,
      { x: split },
      { paddings: [[0, 0], [0, 0], [0, strideHeight - 1], [0, 0], [0, strideWidth - 1], [0, 0]], constantValue: 0 },
      backend,
    );
    spread = runWasmKernel(Reshape, { x: padded }, { shape: [batchSize, outHeight * strideHeight, outWidth * strideWidth, outChannels] }, backend);
    disposeIntermediates(backend, split, padded);
  }
  const top = (filterHeight - 1) * dilationHeight - convInfo.padInfo.top;
  const left = (filterWidth - 1) * dilationWidth - convInfo.padInfo.left;
  const bottom = inHeight + (filterHeight - 1) * dilationHeight - top - spread.shape[1];
  const right = inWidth + (filterWidth - 1) * dilationWidth - left - spread.shape[2];
  const pad: backend_util.ExplicitPadding = [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]];
  if (top >= 0 && left >= 0 && bottom >= 0 && right >= 0) {
    return { source: spread, pad, owned: spread !== dy };
  }
  // Negative padding (forward padding wider than the filter's reach): rows dx never sees.
  const begin = [0, Math.max(0, -top), Math.max(0, -left), 0];
  const size = [batchSize, spread.shape[1] - begin[1] - Math.max(0, -bottom), spread.shape[2] - begin[2] - Math.max(0, -right), outChannels];
  const source = runWasmKernel(Slice, { x: spread }, { begin, size }, backend);
  if (spread !== dy) {
    disposeIntermediates(backend, spread);
  }
  return { source, pad, owned: true };
}
