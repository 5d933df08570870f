import { getKernel, registerKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig } from './Conv2DBackpropFilter.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './DepthwiseConv2dNativeBackpropFilter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './DepthwiseConv2dNativeBackpropInput.js';
import { unsortedSegmentSumConfig } from './UnsortedSegmentSum.js';

/** The kernels training needs that @tensorflow/tfjs-backend-wasm 4.22 lacks (the cpu backend has them). */
export const WASM_TRAINING_KERNELS: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  unsortedSegmentSumConfig,
];

/**
 * Registers the kernels that make the wasm backend trainable. Safe to call any number of times, and
 * leaves alone any kernel the wasm backend (a newer release, or another library) already provides.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of WASM_TRAINING_KERNELS) {
    if (getKernel(config.kernelName, config.backendName) === undefined) {
      registerKernel(config);
    }
  }
}
