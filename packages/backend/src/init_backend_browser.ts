import * as tf from '@tensorflow/tfjs-core';
import {
  currentBackend,
  initBackendOn,
  type BackendInfo,
  type BackendName,
  type InitBackendOptions,
  type Platform,
} from './choose_backend.js';

export { currentBackend };
export type { BackendInfo, BackendName, InitBackendOptions };

/** Backends in a browser, in the order of preference. */
export const BACKEND_PREFERENCE = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

/** The package that registers each GPU backend; this package cannot import them for the user (see `prepare`). */
const GPU_PACKAGES: Partial<Record<BackendName, string>> = {
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  webgl: '@tensorflow/tfjs-backend-webgl',
};

const browser: Platform = {
  name: 'a browser',
  preference: BACKEND_PREFERENCE,
  requested: (options) => ({ backend: options.backend ?? 'auto', source: 'options.backend' }),
  // webgpu and webgl are optional: importing them here would make every bundler fail for a user who installed neither,
  // so they count when the program imported them (which registers their factory). wasm and cpu are required peers.
  prepare: async (name) =>
    tf.findBackendFactory(name) != null
      ? { available: true }
      : { available: false, why: [`${name}: ${GPU_PACKAGES[name] ?? `@tensorflow/tfjs-backend-${name}`} not imported`] },
  remedy: (name) => `Install ${GPU_PACKAGES[name] ?? `@tensorflow/tfjs-backend-${name}`} and import it before initBackend.`,
  initializationRemedy: (name) => {
    if (name === 'wasm') {
      return (
        "Its .wasm files must be served beside the page, or where setWasmPaths (from '@tensorflow/tfjs-backend-wasm') " +
        'says, before initBackend; see the browser console for the failed request.'
      );
    }
    if (name === 'webgl' || name === 'webgpu') return `This browser (or its GPU driver) may not offer ${name === 'webgl' ? 'WebGL' : 'WebGPU'}.`;
    return '';
  },
  defaultLog: (line) => console.info(line),
};

/**
 * Picks and initializes a tfjs backend in a browser: webgpu > webgl > wasm > cpu, unless `options.backend` names one.
 * webgpu and webgl are tried when the program imported `@tensorflow/tfjs-backend-webgpu` / `-webgl`; wasm needs its
 * .wasm files served (see `setWasmPaths`). A requested backend that cannot start is an error, never a silent fallback.
 * Registers the kernels that make the wasm backend trainable.
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  return initBackendOn(browser, options);
}
