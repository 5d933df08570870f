import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { adamStepConfig } from './AdamStep.js';
import { bilinearWarpConfig } from './BilinearWarp.js';
import { bilinearWarpGradConfig } from './BilinearWarpGrad.js';
import { integralAffineDisplacementConfig } from './IntegralAffineDisplacement.js';
import { integralAffineDisplacementGradConfig } from './IntegralAffineDisplacementGrad.js';

/**
 * Fused wasm kernels for @ddar/disentangle's geometric path (`warp`, `integralAffineDisplacement`), each with its
 * gradient kernel, and for @ddar/training's Adam step (`DdarAdamStep`). They exist in no tfjs backend: the packages
 * use them when the active backend has them, and their composite ops otherwise.
 */
export const WASM_FUSED_KERNELS: readonly KernelConfig[] = [
  adamStepConfig,
  bilinearWarpConfig,
  bilinearWarpGradConfig,
  integralAffineDisplacementConfig,
  integralAffineDisplacementGradConfig,
];

/**
 * Registers the fused kernels for the wasm backend; `initBackend` does it unless told `fusedKernels: false`. Safe to
 * call any number of times, and leaves alone a kernel of the same name registered by someone else.
 */
export function registerWasmFusedKernels(): void {
  for (const config of WASM_FUSED_KERNELS) {
    if (getKernel(config.kernelName, config.backendName) === undefined) {
      registerKernel(config);
    }
  }
}

/**
 * Unregisters the fused kernels this package registered, so that @ddar/disentangle takes its composite path again:
 * for comparisons in one process (tests, benchmarks). Kernels of the same name registered by someone else stay.
 */
export function unregisterWasmFusedKernels(): void {
  for (const config of WASM_FUSED_KERNELS) {
    if (getKernel(config.kernelName, config.backendName)?.kernelFunc === config.kernelFunc) {
      unregisterKernel(config.kernelName, config.backendName);
    }
  }
}
