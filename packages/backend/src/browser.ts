// The browser entry (package.json's "browser" condition): the exports of ./index.ts without Node.js built-ins. Its
// initBackend tries webgpu > webgl > wasm > cpu; the file IO functions throw, saying what to use in a browser.
export { initBackend, currentBackend, BACKEND_PREFERENCE } from './init_backend_browser.js';
export type { BackendInfo, BackendName, InitBackendOptions } from './init_backend_browser.js';
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
export {
  fileSystem,
  registerFileSystemRouter,
  FILE_SCHEME,
  writeFileAtomic,
  writeFileSynced,
  saveModel,
  loadModel,
} from './io/file_system_browser.js';
export type { Saveable } from './io/file_system_browser.js';
