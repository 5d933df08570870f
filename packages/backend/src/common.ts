// The exports both entries share (./index.ts for Node.js, ./browser.ts for a browser): everything that needs no
// Node.js built-in.
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './kernels/register_all_kernels.js';
export { registerWasmReplacementKernels } from './kernels/register_replacement_kernels.js';
export { registerWasmFusedKernels, unregisterWasmFusedKernels, WASM_FUSED_KERNELS } from './kernels/register_fused_kernels.js';
export {
  DdarAdamStep,
  DdarBilinearWarp,
  DdarBilinearWarpGrad,
  DdarIntegralAffineDisplacement,
  DdarIntegralAffineDisplacementGrad,
} from './kernels/fused_kernel_names.js';
export type {
  DdarAdamStepAttrs,
  DdarAdamStepInputs,
  DdarBilinearWarpAttrs,
  DdarBilinearWarpGradAttrs,
  DdarBilinearWarpGradInputs,
  DdarBilinearWarpInputs,
  DdarIntegralAffineDisplacementGradInputs,
  DdarIntegralAffineDisplacementInputs,
  DdarWarpBorder,
} from './kernels/fused_kernel_names.js';
