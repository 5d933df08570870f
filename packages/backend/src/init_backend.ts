import * as tf from '@tensorflow/tfjs-core';
import { registerFileSystemRouter } from './io/file_system.js';
import { registerWasmTrainingKernels } from './kernels/register_all_kernels.js';
import { registerWasmReplacementKernels } from './kernels/register_replacement_kernels.js';
import { registerWasmFusedKernels } from './kernels/register_fused_kernels.js';
import { registerCpuKernelFixes } from './kernels/cpu/ResizeNearestNeighborGradCpu.js';

/** Backends in the order of preference: `tensorflow` is tfjs-node-gpu or tfjs-node. */
export const BACKEND_PREFERENCE = ['tensorflow', 'wasm', 'cpu'] as const;
/** A tfjs backend `initBackend` can pick; `tensorflow` covers both tfjs-node-gpu and tfjs-node. */
export type BackendName = (typeof BACKEND_PREFERENCE)[number];

/** Options for `initBackend`; all optional, so `initBackend()` picks the fastest backend available. */
export interface InitBackendOptions {
  /** Force a backend. Defaults to the `DDAR_BACKEND` environment variable, else the fastest available. */
  backend?: BackendName | 'auto';
  /** Where the one line saying which backend and why goes; `false` silences it. Default: console.error. */
  log?: ((line: string) => void) | false;
  /**
   * Replace the wasm kernels that are slow on training paths (BatchMatMul with transposes, Conv2DBackpropInput,
   * MaxPoolGrad, strided Slice) or inexact (Sign of |x| <= 1e-7) with this package's versions, tested against the cpu backend,
   * and the cpu backend's ResizeNearestNeighborGrad, wrong for batches of more than one image in tfjs-backend-cpu 4.22,
   * with a corrected one. Default true. Once registered they stay registered for the process.
   */
  replaceKernels?: boolean;
  /**
   * Register the fused wasm kernels that @ddar/disentangle's `warp` and `integralAffineDisplacement` use when the
   * backend has them (`registerWasmFusedKernels`). Default true; `false` leaves those ops on their composite path.
   * Once registered they stay registered for the process (`unregisterWasmFusedKernels` removes them).
   */
  fusedKernels?: boolean;
}

/** Which backend `initBackend` activated and why, as returned and as logged. */
export interface BackendInfo {
  /** The active tfjs backend, as `tf.getBackend()` reports it. */
  name: BackendName;
  /** Why this backend was chosen, as logged. */
  reason: string;
  /** For `tensorflow`: which binding was loaded. */
  binding?: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node';
}

const TENSORFLOW_BINDINGS = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/**
 * Loads tfjs-node-gpu or tfjs-node if the user installed one. Both are optional peer dependencies:
 * a missing package, or one whose native library failed to install, means "not available".
 */
async function loadTensorflowBinding(): Promise<{ binding?: BackendInfo['binding']; failures: string[] }> {
  const failures: string[] = [];
  for (const binding of TENSORFLOW_BINDINGS) {
    try {
      await import(binding);
      if (tf.findBackendFactory('tensorflow') != null) {
        return { binding, failures };
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
  return { failures };
}

function requestedBackend(options: InitBackendOptions): BackendName | 'auto' {
  const requested = options.backend ?? process.env.DDAR_BACKEND ?? 'auto';
  const source = options.backend !== undefined ? 'options.backend' : 'DDAR_BACKEND';
  if (requested !== 'auto' && !(BACKEND_PREFERENCE as readonly string[]).includes(requested)) {
    throw new Error(
      `initBackend: ${source} must be one of auto, ${BACKEND_PREFERENCE.join(', ')}, but got '${requested}'`,
    );
  }
  return requested as BackendName | 'auto';
}

/**
 * tfjs's cpu and wasm backends, imported by the first `initBackend` rather than by importing this package: importing
 * tfjs-backend-wasm registers wasm above every other backend, so a program that imported this package only for its
 * file IO would find tfjs on a backend nobody initialized ("highest priority backend 'wasm' has not yet been
 * initialized"). Both before any kernel registration: the replacements wrap wasm's kernels, and registering cpu's
 * corrected kernel before tfjs-backend-cpu registers its own would be a double registration.
 */
async function loadTfjsBackends(): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
  await import('@tensorflow/tfjs-backend-wasm');
}

async function activate(name: BackendName): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}

let current: BackendInfo | undefined;

/**
 * Picks and initializes a tfjs backend: tfjs-node-gpu > tfjs-node > wasm > cpu, unless one is
 * requested through `options.backend` or `DDAR_BACKEND`. A requested backend that cannot start is an
 * error, never a silent fallback. Registers the kernels that make the wasm backend trainable and, unless tfjs-node
 * already serves it, the `file://` scheme for `model.save` / `tf.loadLayersModel`.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const requested = requestedBackend(options);
  const log = options.log === false ? undefined : (options.log ?? ((line: string) => console.error(line)));
  await loadTfjsBackends();
  registerWasmTrainingKernels();
  if (options.replaceKernels !== false) {
    registerWasmReplacementKernels();
    registerCpuKernelFixes();
  }
  if (options.fusedKernels !== false) registerWasmFusedKernels();

  let info: BackendInfo | undefined;
  const skipped: string[] = [];
  const candidates: readonly BackendName[] = requested === 'auto' ? BACKEND_PREFERENCE : [requested];
  for (const name of candidates) {
    if (name === 'tensorflow') {
      const { binding, failures } = await loadTensorflowBinding();
      if (binding !== undefined && (await activate('tensorflow'))) {
        info = { name, binding, reason: requested === 'auto' ? `fastest available (${binding})` : `requested (${binding})` };
        break;
      }
      skipped.push(...failures);
      if (requested === 'tensorflow') {
        throw new Error(
          `initBackend: backend 'tensorflow' was requested but is not available (${failures.join('; ')}). ` +
            `Install @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu, or request wasm or cpu.`,
        );
      }
      continue;
    }
    if (await activate(name)) {
      const why = requested === 'auto' ? (skipped.length > 0 ? `fastest available; ${skipped.join('; ')}` : 'fastest available') : 'requested';
      info = { name, reason: why };
      break;
    }
    if (requested === name) {
      throw new Error(`initBackend: backend '${name}' was requested but failed to initialize`);
    }
    skipped.push(`${name} failed to initialize`);
  }
  if (info === undefined) {
    throw new Error(`initBackend: no backend could be initialized (${skipped.join('; ')})`);
  }
  registerFileSystemRouter();
  current = info;
  log?.(`[ddar] backend: ${info.name} (${info.reason})`);
  return info;
}

/** The backend chosen by the last `initBackend` call, if any. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}
