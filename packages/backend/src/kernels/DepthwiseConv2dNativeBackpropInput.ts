import {
  backend_util,
  DepthwiseConv2dNative,
  DepthwiseConv2dNativeBackpropInput,
  Reshape,
  Reverse,
  Sum,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type DepthwiseConv2dNativeBackpropInputInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { disposeIntermediates, runWasmKernel } from './wasm_kernel_calls.js';
import { assertShape, backpropInputOperands } from './tensor_checks.js';
import { fullCorrelationInput } from './full_correlation_input.js';

/**
 * dx[n,h,w,c] = sum over q,kh,kw of dy[n,oh,ow,c*m+q] * f[kh,kw,c,q], where oh*s + kh*d - padTop = h.
 *
 * That is the classic "full" correlation (see full_correlation_input.ts): dy spread out by the
 * stride, correlated with the filter flipped in space at the forward dilation. Each of the C*m dy channels has
 * its own filter tap, which is exactly the wasm DepthwiseConv2dNative with multiplier 1; summing the
 * m channels that came from one input channel gives dx.
 */
export function depthwiseConv2dNativeBackpropInput(args: {
  inputs: DepthwiseConv2dNativeBackpropInputInputs;
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const name = DepthwiseConv2dNativeBackpropInput;
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  const { dy, filter } = backpropInputOperands(name, inputs, inputShape);
  const convInfo = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    dilations ?? 1,
    pad,
    dimRoundingMode,
    true,
  );
  assertShape(name, 'dy', dy, convInfo.outShape, `the forward output of inputShape [${inputShape.join(',')}] and filter [${filter.shape.join(',')}]`);

  const { batchSize, filterHeight, filterWidth, inHeight, inWidth, inChannels, outChannels, dilationHeight, dilationWidth } = convInfo;
  const multiplier = filter.shape[3];

  const { source, pad: sourcePad, owned } = fullCorrelationInput(dy, convInfo, backend);
  const flipped = runWasmKernel(Reverse, { x: filter }, { dims: [0, 1] }, backend);
  const perChannel = runWasmKernel(Reshape, { x: flipped }, { shape: [filterHeight, filterWidth, outChannels, 1] }, backend);
  const full = runWasmKernel(
    DepthwiseConv2dNative,
    { x: source, filter: perChannel },
    {
      strides: [1, 1],
      dilations: [dilationHeight, dilationWidth],
      pad: sourcePad,
    },
    backend,
  );
  disposeIntermediates(backend, flipped, perChannel);
  if (owned) {
    disposeIntermediates(backend, source);
  }
  if (multiplier === 1) {
    return full;
  }
  const split = runWasmKernel(Reshape, { x: full }, { shape: [batchSize, inHeight, inWidth, inChannels, multiplier] }, backend);
  disposeIntermediates(backend, full);
  const dx = runWasmKernel(Sum, { x: split }, { axis: [4], keepDims: false }, backend);
  disposeIntermediates(backend, split);
  return dx;
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as KernelFunc,
};
