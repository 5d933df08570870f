// Placeholder until the WASM training kernels land; see kernels/README in docs/backend.md.
export function registerWasmTrainingKernels(): void {}
