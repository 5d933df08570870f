import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../init_backend.js';
import { DdarAdamStep, DdarBilinearWarp, DdarBilinearWarpGrad, DdarIntegralAffineDisplacement, DdarIntegralAffineDisplacementGrad } from './fused_kernel_names.js';
import { registerWasmFusedKernels, unregisterWasmFusedKernels, WASM_FUSED_KERNELS } from './register_fused_kernels.js';

const NAMES = [DdarAdamStep, DdarBilinearWarp, DdarBilinearWarpGrad, DdarIntegralAffineDisplacement, DdarIntegralAffineDisplacementGrad];
const registered = () => NAMES.filter((name) => tf.getKernel(name, 'wasm') !== undefined);

describe('the fused wasm kernels', () => {
  afterAll(() => registerWasmFusedKernels());

  it('are five wasm kernels: the Adam step, two forward kernels and their gradients, named with the Ddar prefix', () => {
    expect(WASM_FUSED_KERNELS.map((k) => k.kernelName)).toEqual(NAMES);
    expect(WASM_FUSED_KERNELS.every((k) => k.backendName === 'wasm' && k.kernelName.startsWith('Ddar'))).toBe(true);
  });

  it('are registered by initBackend unless fusedKernels is false, and can be unregistered', async () => {
    unregisterWasmFusedKernels();
    await initBackend({ backend: 'wasm', log: false, fusedKernels: false });
    expect(registered()).toEqual([]);
    await initBackend({ backend: 'wasm', log: false });
    expect(registered()).toEqual(NAMES);
    registerWasmFusedKernels();
    expect(registered()).toEqual(NAMES);
    unregisterWasmFusedKernels();
    expect(registered()).toEqual([]);
  });

  it('leave a kernel of the same name registered by someone else alone', () => {
    unregisterWasmFusedKernels();
    const theirs = { kernelName: DdarBilinearWarp, backendName: 'wasm', kernelFunc: () => ({ dataId: {}, shape: [], dtype: 'float32' as const }) };
    tf.registerKernel(theirs);
    registerWasmFusedKernels();
    expect(tf.getKernel(DdarBilinearWarp, 'wasm')?.kernelFunc).toBe(theirs.kernelFunc);
    unregisterWasmFusedKernels();
    expect(tf.getKernel(DdarBilinearWarp, 'wasm')?.kernelFunc).toBe(theirs.kernelFunc);
    expect(registered()).toEqual([DdarBilinearWarp]);
    tf.unregisterKernel(DdarBilinearWarp, 'wasm');
  });
});
