import {
  BatchMatMul,
  Conv2DBackpropInput,
  GatherV2,
  Identity,
  MaxPoolGrad,
  ResizeNearestNeighborGrad,
  Sign,
  Slice,
  Sum,
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
} from '@tensorflow/tfjs-core';
import { makeBatchMatMulViaTranspose } from './BatchMatMulViaTranspose.js';
import { makeConv2DBackpropInputViaConv2D } from './Conv2DBackpropInputViaConv2D.js';
import { makeGatherRowsFromHeap } from './GatherRowsFromHeap.js';
import { makeIdentityShared } from './IdentityShared.js';
import { makeMaxPoolGradFast } from './MaxPoolGradFast.js';
import { makeResizeNearestNeighborGradByFactor } from './ResizeNearestNeighborGradByFactor.js';
import { makeSignExact } from './SignExact.js';
import { makeSliceFromHeap } from './SliceFromHeap.js';
import { makeSumOverLeadingAxes } from './SumOverLeadingAxes.js';

/**
 * Kernels wasm has but runs slowly on training's paths (BatchMatMul, Conv2DBackpropInput, MaxPoolGrad,
 * ResizeNearestNeighborGrad, Slice, Sum over leading axes, Identity's copy, GatherV2 of rows) or inexactly (Sign), each with its
 * replacement.
 */
const REPLACEMENT_KERNELS: ReadonlyArray<[string, (original: KernelConfig) => KernelConfig]> = [
  [BatchMatMul, makeBatchMatMulViaTranspose],
  [Conv2DBackpropInput, makeConv2DBackpropInputViaConv2D],
  [Sign, makeSignExact],
  [MaxPoolGrad, makeMaxPoolGradFast],
  [Slice, makeSliceFromHeap],
  [Sum, makeSumOverLeadingAxes],
  [ResizeNearestNeighborGrad, makeResizeNearestNeighborGradByFactor],
  [Identity, makeIdentityShared],
  [GatherV2, makeGatherRowsFromHeap],
];

const installed = new Set<KernelConfig['kernelFunc']>();

/**
 * Replaces wasm kernels that tfjs-backend-wasm does have but runs slowly on the paths training takes
 * (BatchMatMul with transposes, Conv2DBackpropInput, MaxPoolGrad, ResizeNearestNeighborGrad, strided Slice, the Sum of a
 * bias gradient) or inexactly (Sign of tiny
 * values). Unlike `registerWasmTrainingKernels`, this overrides existing kernels; `initBackend` does it unless told
 * `replaceKernels: false`. Idempotent; each replacement keeps the original's setup, so this may run
 * before or after the wasm backend initializes, but after `@tensorflow/tfjs-backend-wasm` is imported (`initBackend`
 * imports it): its kernels are what is replaced.
 */
export function registerWasmReplacementKernels(): void {
  // Without wasm's kernels there is nothing to wrap: say so rather than leave the slow kernels in place unnoticed.
  if (REPLACEMENT_KERNELS.every(([kernelName]) => getKernel(kernelName, 'wasm') === undefined)) {
    throw new Error(
      "registerWasmReplacementKernels: the wasm backend's kernels are not registered; import '@tensorflow/tfjs-backend-wasm' first (initBackend does)",
    );
  }
  for (const [kernelName, makeFaster] of REPLACEMENT_KERNELS) {
    const current = getKernel(kernelName, 'wasm');
    if (current === undefined || installed.has(current.kernelFunc)) {
      continue;
    }
    const faster = makeFaster(current);
    installed.add(faster.kernelFunc);
    unregisterKernel(kernelName, 'wasm');
    registerKernel(faster);
  }
}
