import * as tf from '@tensorflow/tfjs-core';
import {
  currentBackend,
  initBackendOn,
  type Availability,
  type BackendInfo,
  type BackendName,
  type InitBackendOptions,
  type Platform,
} from './choose_backend.js';
import { registerFileSystemRouter } from './io/file_system.js';

export { currentBackend };
export type { BackendInfo, BackendName, InitBackendOptions };

/** Backends in Node.js, in the order of preference: `tensorflow` is tfjs-node-gpu or tfjs-node. */
export const BACKEND_PREFERENCE = ['tensorflow', 'wasm', 'cpu'] as const;

const TENSORFLOW_BINDINGS = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/**
 * Loads tfjs-node-gpu or tfjs-node if the user installed one. Both are optional peer dependencies:
 * a missing package, or one whose native library failed to install, means "not available".
 */
async function loadTensorflowBinding(): Promise<Availability> {
  const failures: string[] = [];
  for (const binding of TENSORFLOW_BINDINGS) {
    try {
      await import(binding);
      if (tf.findBackendFactory('tensorflow') != null) {
        return { available: true, binding };
      }
      failures.push(`${binding} loaded but registered no 'tensorflow' backend`);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
        failures.push(`${binding} not installed`);
      } else {
        failures.push(`${binding} failed to load: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  }
  return { available: false, why: failures };
}

const node: Platform = {
  name: 'Node.js',
  preference: BACKEND_PREFERENCE,
  requested: (options) =>
    options.backend !== undefined
      ? { backend: options.backend, source: 'options.backend' }
      : { backend: process.env.DDAR_BACKEND ?? 'auto', source: 'DDAR_BACKEND' },
  prepare: async (name: BackendName) => (name === 'tensorflow' ? loadTensorflowBinding() : { available: true }),
  remedy: () => 'Install @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu, or request wasm or cpu.',
  initializationRemedy: () => '',
  afterActivation: registerFileSystemRouter,
  defaultLog: (line) => console.error(line),
};

/**
 * Picks and initializes a tfjs backend: tfjs-node-gpu > tfjs-node > wasm > cpu, unless one is
 * requested through `options.backend` or `DDAR_BACKEND`. A requested backend that cannot start is an
 * error, never a silent fallback. Registers the kernels that make the wasm backend trainable and, unless tfjs-node
 * already serves it, the `file://` scheme for `model.save` / `tf.loadLayersModel`. (A browser bundle gets the browser's
 * `initBackend` instead: webgpu > webgl > wasm > cpu.)
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  return initBackendOn(node, options);
}
