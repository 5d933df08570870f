import {
  backend_util,
  DepthwiseConv2dNative,
  DepthwiseConv2dNativeBackpropFilter,
  Reshape,
  Slice,
  Sum,
  Transpose,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type DepthwiseConv2dNativeBackpropFilterInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { disposeIntermediates, runWasmKernel } from './wasm_kernel_calls.js';
import { assertRank, assertShape, requireFloat32Rank4 } from './tensor_checks.js';

/**
 * dW[kh,kw,c,q] = sum over n,oh,ow of x[n, oh*s + kh*d - padTop, ow*s + kw*d - padLeft, c] * dy[n,oh,ow,c*m+q].
 *
 * As for Conv2DBackpropFilter the sum is a convolution with stride and dilation swapped, but no
 * channel may mix with another. Folding (c, n) into one channel axis makes it a *depthwise*
 * convolution: input x as [1,H,W,C*N], filter dy as [OH,OW,C*N,m], so the wasm DepthwiseConv2dNative
 * computes every (c, n, q) term without the C-fold waste a full Conv2D would do; a Sum over n
 * finishes it.
 */
export function depthwiseConv2dNativeBackpropFilter(args: {
  inputs: DepthwiseConv2dNativeBackpropFilterInputs;
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const name = DepthwiseConv2dNativeBackpropFilter;
  const x = requireFloat32Rank4(name, inputs, 'x');
  const dy = requireFloat32Rank4(name, inputs, 'dy');
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  assertRank(name, 'filterShape', filterShape, 4);
  const convInfo = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    dilations ?? 1,
    pad,
    dimRoundingMode,
    true,
  );
  assertShape(name, 'dy', dy, convInfo.outShape, `the forward output of x [${x.shape.join(',')}] and filterShape [${filterShape.join(',')}]`);

  const { batchSize, filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = convInfo;
  const { inHeight, inWidth, outHeight, outWidth, inChannels } = convInfo;
  const multiplier = filterShape[3];
  const { top, left } = convInfo.padInfo;
  const bottom = Math.max(0, (filterHeight - 1) * dilationHeight + (outHeight - 1) * strideHeight - top - (inHeight - 1));
  const right = Math.max(0, (filterWidth - 1) * dilationWidth + (outWidth - 1) * strideWidth - left - (inWidth - 1));
  const folded = inChannels * batchSize;

  const xT = runWasmKernel(Transpose, { x }, { perm: [1, 2, 3, 0] }, backend);
  const xFolded = runWasmKernel(Reshape, { x: xT }, { shape: [1, inHeight, inWidth, folded] }, backend);
  const dySplit = runWasmKernel(Reshape, { x: dy }, { shape: [batchSize, outHeight, outWidth, inChannels, multiplier] }, backend);
  const dyT = runWasmKernel(Transpose, { x: dySplit }, { perm: [1, 2, 3, 0, 4] }, backend);
  const dyFolded = runWasmKernel(Reshape, { x: dyT }, { shape: [outHeight, outWidth, folded, multiplier] }, backend);
  disposeIntermediates(backend, xT, dySplit, dyT);
  const correlation = runWasmKernel(
    DepthwiseConv2dNative,
    { x: xFolded, filter: dyFolded },
    {
      strides: [dilationHeight, dilationWidth],
      dilations: [strideHeight, strideWidth],
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    },
    backend,
  );
  disposeIntermediates(backend, xFolded, dyFolded);

  let cropped = correlation;
  if (correlation.shape[1] !== filterHeight || correlation.shape[2] !== filterWidth) {
    cropped = runWasmKernel(Slice, { x: correlation }, { begin: [0, 0, 0, 0], size: [1, filterHeight, filterWidth, folded * multiplier] }, backend);
    disposeIntermediates(backend, correlation);
  }
  const perSample = runWasmKernel(Reshape, { x: cropped }, { shape: [filterHeight, filterWidth, inChannels, batchSize, multiplier] }, backend);
  disposeIntermediates(backend, cropped);
  const dw = runWasmKernel(Sum, { x: perSample }, { axis: [3], keepDims: false }, backend);
  disposeIntermediates(backend, perSample);
  return dw;
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as KernelFunc,
};
