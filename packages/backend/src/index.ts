// The Node.js entry; a browser bundle gets ./browser.ts, with the same exports (package.json's "browser" condition).
export { initBackend, currentBackend, BACKEND_PREFERENCE } from './init_backend.js';
export type { BackendInfo, BackendName, InitBackendOptions } from './init_backend.js';
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
export { fileSystem, registerFileSystemRouter, FILE_SCHEME } from './io/file_system.js';
export { writeFileAtomic, writeFileSynced } from './io/atomic_file.js';
export { saveModel, loadModel } from './io/save_load.js';
export type { Saveable } from './io/save_load.js';
