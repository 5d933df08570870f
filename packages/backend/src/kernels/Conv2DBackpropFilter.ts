import {
  backend_util,
  Conv2D,
  Conv2DBackpropFilter,
  Slice,
  Transpose,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropFilterInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { disposeIntermediates, runWasmKernel } from './wasm_kernel_calls.js';
import { assertRank, assertShape, requireFloat32Rank4 } from './tensor_checks.js';
import { conv2DBackpropFilterIm2col, prefersIm2col } from './conv2d_backprop_filter_im2col.js';

/**
 * tfjs never passes `dilations` to this kernel (the Conv2D gradient refuses dilated convolutions),
 * but the construction below handles them for free, so callers of `runKernel` may pass them.
 */
export type Conv2DBackpropFilterWasmAttrs = Conv2DBackpropFilterAttrs & { dilations?: number | [number, number] };

/**
 * dW[kh,kw,ci,co] = sum over n,oh,ow of x[n, oh*s + kh*d - padTop, ow*s + kw*d - padLeft, ci] * dy[n,oh,ow,co].
 *
 * Read with ci as the batch, (h,w) as space and n as the channel to contract, that sum is itself a
 * forward convolution: input x as [Cin,H,W,N], filter dy as [OH,OW,N,Cout], with the roles of stride
 * and dilation swapped (stride d, dilation s) and the forward pass's own top/left padding. The
 * wasm Conv2D (XNNPACK, SIMD) then does the work instead of a JS loop; only transposes, at most
 * one small slice and the final transpose surround it.
 *
 * With few input channels (an image model's first layer) most of that time goes into transposing a large dy for a
 * tiny convolution; there an im2col matrix built on the heap and one XNNPACK matmul are faster
 * (`conv2d_backprop_filter_im2col.ts`).
 */
export function conv2DBackpropFilter(args: {
  inputs: Conv2DBackpropFilterInputs;
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterWasmAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape, dilations = 1 } = attrs;
  const name = Conv2DBackpropFilter;
  const x = requireFloat32Rank4(name, inputs, 'x');
  const dy = requireFloat32Rank4(name, inputs, 'dy');
  assertRank(name, 'filterShape', filterShape, 4);
  const channelsLast = backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC') === 'channelsLast';
  const convInfo = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
    channelsLast ? 'channelsLast' : 'channelsFirst',
  );
  assertShape(name, 'dy', dy, convInfo.outShape, `the forward output of x [${x.shape.join(',')}] and filterShape [${filterShape.join(',')}]`);

  if (channelsLast && prefersIm2col(convInfo)) {
    return conv2DBackpropFilterIm2col(x, dy, convInfo, backend);
  }

  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = convInfo;
  const { inHeight, inWidth, outHeight, outWidth, inChannels, outChannels } = convInfo;
  const { top, left } = convInfo.padInfo;
  // Only as much bottom/right padding as the last filter tap reads: the output then has exactly
  // the filter's size and needs no slice, except when the forward pass left input rows unread.
  const bottom = Math.max(0, (filterHeight - 1) * dilationHeight + (outHeight - 1) * strideHeight - top - (inHeight - 1));
  const right = Math.max(0, (filterWidth - 1) * dilationWidth + (outWidth - 1) * strideWidth - left - (inWidth - 1));

  const xT = runWasmKernel(Transpose, { x }, { perm: channelsLast ? [3, 1, 2, 0] : [1, 2, 3, 0] }, backend);
  const dyT = runWasmKernel(Transpose, { x: dy }, { perm: channelsLast ? [1, 2, 0, 3] : [2, 3, 0, 1] }, backend);
  const correlation = runWasmKernel(
    Conv2D,
    { x: xT, filter: dyT },
    {
      strides: [dilationHeight, dilationWidth],
      dilations: [strideHeight, strideWidth],
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dataFormat: 'NHWC',
    },
    backend,
  );
  disposeIntermediates(backend, xT, dyT);

  let cropped = correlation;
  if (correlation.shape[1] !== filterHeight || correlation.shape[2] !== filterWidth) {
    cropped = runWasmKernel(Slice, { x: correlation }, { begin: [0, 0, 0, 0], size: [inChannels, filterHeight, filterWidth, outChannels] }, backend);
    disposeIntermediates(backend, correlation);
  }
  const dw = runWasmKernel(Transpose, { x: cropped }, { perm: [1, 2, 0, 3] }, backend);
  disposeIntermediates(backend, cropped);
  return dw;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
