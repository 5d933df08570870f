import {
  backend_util,
  Conv2D,
  Conv2DBackpropInput,
  Reverse,
  Transpose,
  type Conv2DBackpropInputAttrs,
  type Conv2DBackpropInputInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { disposeIntermediates, runWasmKernel } from './wasm_kernel_calls.js';
import { assertShape, backpropInputOperands } from './tensor_checks.js';
import { fullCorrelationInput } from './full_correlation_input.js';
import { conv2DBackpropInputCol2im, prefersCol2im } from './conv2d_backprop_input_col2im.js';

/**
 * The wasm Conv2DBackpropInput is a direct loop, not XNNPACK: 83 ms for the [128,7,7,64] ->
 * [128,13,13,32] gradient of the reference model's second convolution, a third of a training step.
 * dx is the full correlation of dy spread by the stride with the filter flipped in space and its
 * channel axes swapped ([KH,KW,Cout,Cin]), which the XNNPACK Conv2D computes faster even though,
 * at stride s, all but 1/s^2 of the spread input is zeros. Strided convolutions therefore take a col2im path
 * instead (`conv2d_backprop_input_col2im.ts`: one XNNPACK matmul and a scatter-add on the heap). NCHW goes to the
 * original kernel.
 */
export function makeConv2DBackpropInputViaConv2D(original: KernelConfig): KernelConfig {
  const originalFunc = original.kernelFunc;
  const kernelFunc = (args: { inputs: Conv2DBackpropInputInputs; backend: BackendWasm; attrs: Conv2DBackpropInputAttrs }): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
    if (backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC') !== 'channelsLast') {
      return originalFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    const name = Conv2DBackpropInput;
    const { dy, filter } = backpropInputOperands(name, inputs, inputShape);
    const convInfo = backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    assertShape(name, 'dy', dy, convInfo.outShape, `the forward output of inputShape [${inputShape.join(',')}] and filter [${filter.shape.join(',')}]`);

    if (prefersCol2im(convInfo)) {
      return conv2DBackpropInputCol2im(dy, filter, convInfo, backend);
    }
    const { source, pad: sourcePad, owned } = fullCorrelationInput(dy, convInfo, backend);
    const flipped = runWasmKernel(Reverse, { x: filter }, { dims: [0, 1] }, backend);
    const swapped = runWasmKernel(Transpose, { x: flipped }, { perm: [0, 1, 3, 2] }, backend);
    const dx = runWasmKernel(Conv2D, { x: source, filter: swapped }, { strides: [1, 1], dilations: [1, 1], pad: sourcePad, dataFormat: 'NHWC' }, backend);
    disposeIntermediates(backend, flipped, swapped);
    if (owned) {
      disposeIntermediates(backend, source);
    }
    return dx;
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelFunc };
}
