import { getKernel, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Runs one of the wasm backend's own kernels on tensors that live on the wasm heap. Calling the
 * kernel function directly (not `tf.engine().runKernel`) keeps intermediates out of the engine's
 * bookkeeping and off the gradient tape, so the composite kernel is one node to autodiff.
 */
export function runWasmKernel(
  kernelName: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap,
  backend: BackendWasm,
): TensorInfo {
  const kernel = getKernel(kernelName, 'wasm');
  if (kernel === undefined) {
    throw new Error(`@ddar/backend: the wasm backend has no '${kernelName}' kernel to build on`);
  }
  const out = kernel.kernelFunc({ inputs, attrs, backend });
  if (Array.isArray(out)) {
    throw new Error(`@ddar/backend: wasm kernel '${kernelName}' returned ${out.length} outputs, expected one`);
  }
  return out;
}

/** Releases intermediates made by `runWasmKernel`; reshape outputs share a refcounted dataId. */
export function disposeIntermediates(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) {
    backend.disposeData(info.dataId);
  }
}
