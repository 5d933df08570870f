export { initBackend, currentBackend, BACKEND_PREFERENCE } from './init_backend.js';
export type { BackendInfo, BackendName, InitBackendOptions } from './init_backend.js';
export { registerWasmTrainingKernels } from './kernels/register_all_kernels.js';
