import * as tf from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels } from './kernels/register_all_kernels.js';
import { registerWasmReplacementKernels } from './kernels/register_replacement_kernels.js';
import { registerWasmFusedKernels } from './kernels/register_fused_kernels.js';
import { registerCpuKernelFixes } from './kernels/cpu/ResizeNearestNeighborGradCpu.js';

/**
 * A tfjs backend `initBackend` can pick. `tensorflow` (tfjs-node-gpu or tfjs-node) exists only in Node.js, `webgpu` and
 * `webgl` only in a browser; `wasm` and `cpu` in both.
 */
export type BackendName = 'tensorflow' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** Options for `initBackend`; all optional, so `initBackend()` picks the fastest backend available. */
export interface InitBackendOptions {
  /**
   * Force a backend. Defaults, in Node.js, to the `DDAR_BACKEND` environment variable, else the fastest available; in a
   * browser, to the fastest available.
   */
  backend?: BackendName | 'auto';
  /**
   * Where the one line saying which backend and why goes; `false` silences it. Default: console.error in Node.js (stdout
   * stays the program's), console.info in a browser.
   */
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

/** Whether a backend can be tried: its factory is registered with tfjs (for `tensorflow`, which binding did it). */
export type Availability = { available: true; binding?: BackendInfo['binding'] } | { available: false; why: string[] };

/** What differs between Node.js and a browser: which backends exist, in what order, and how each is made available. */
export interface Platform {
  /** Named in errors: `Node.js` or `a browser`. */
  name: string;
  /** Every backend this platform has, fastest first. */
  preference: readonly BackendName[];
  /** The backend asked for (the option, else the platform's own default such as `DDAR_BACKEND`) and where it came from. */
  requested(options: InitBackendOptions): { backend: string; source: string };
  /** Imports whatever a backend needs; says why it is not available when it is not. */
  prepare(name: BackendName): Promise<Availability>;
  /** What to do when a backend that was asked for is not available, appended to the error. */
  remedy(name: BackendName): string;
  /** What to do when a backend that was asked for is available but failed to initialize, appended to the error. */
  initializationRemedy(name: BackendName): string;
  /** Runs once a backend is active (e.g. the `file://` handlers in Node.js). */
  afterActivation?(): void;
  /** Where the chosen backend is logged unless the caller says otherwise. */
  defaultLog(line: string): void;
}

/**
 * tfjs's cpu and wasm backends, imported by the first `initBackend` rather than by importing this package: importing
 * tfjs-backend-wasm registers wasm above every other backend, so a program that imported this package only for its
 * file IO would find tfjs on a backend nobody initialized ("highest priority backend 'wasm' has not yet been
 * initialized"). Both before any kernel registration: the replacements wrap wasm's kernels, and registering cpu's
 * corrected kernel before tfjs-backend-cpu registers its own would be a double registration. Both are required peers,
 * in a browser too, so a bundler always finds them.
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

function requestedBackend(platform: Platform, options: InitBackendOptions): BackendName | 'auto' {
  const { backend, source } = platform.requested(options);
  if (backend === 'auto' || platform.preference.includes(backend as BackendName)) return backend as BackendName | 'auto';
  const choices = `auto, ${platform.preference.join(', ')}`;
  const elsewhere = (['tensorflow', 'webgpu', 'webgl'] as const).includes(backend as never)
    ? `; '${backend}' is not a backend of ${platform.name}`
    : '';
  throw new Error(`initBackend: ${source} must be one of ${choices}, but got '${backend}'${elsewhere}`);
}

let current: BackendInfo | undefined;

/**
 * `initBackend` on one platform: registers the kernels that make the wasm backend trainable, then tries the platform's
 * backends fastest first (or the one requested, which must start: never a silent fallback) and logs which one it took.
 */
export async function initBackendOn(platform: Platform, options: InitBackendOptions): Promise<BackendInfo> {
  const requested = requestedBackend(platform, options);
  const log = options.log === false ? undefined : (options.log ?? ((line: string) => platform.defaultLog(line)));
  await loadTfjsBackends();
  registerWasmTrainingKernels();
  if (options.replaceKernels !== false) {
    registerWasmReplacementKernels();
    registerCpuKernelFixes();
  }
  if (options.fusedKernels !== false) registerWasmFusedKernels();

  let info: BackendInfo | undefined;
  const skipped: string[] = [];
  const candidates: readonly BackendName[] = requested === 'auto' ? platform.preference : [requested];
  for (const name of candidates) {
    const availability = await platform.prepare(name);
    if (!availability.available) {
      if (requested === name) {
        throw new Error(
          `initBackend: backend '${name}' was requested but is not available (${availability.why.join('; ')}). ${platform.remedy(name)}`,
        );
      }
      skipped.push(...availability.why);
      continue;
    }
    if (await activate(name)) {
      const { binding } = availability;
      const how = requested === 'auto' ? 'fastest available' : 'requested';
      if (binding !== undefined) info = { name, binding, reason: `${how} (${binding})` };
      else if (requested === 'auto' && skipped.length > 0) info = { name, reason: `${how}; ${skipped.join('; ')}` };
      else info = { name, reason: how };
      break;
    }
    if (requested === name) {
      throw new Error(`initBackend: backend '${name}' was requested but failed to initialize. ${platform.initializationRemedy(name)}`.trim());
    }
    skipped.push(`${name} failed to initialize`);
  }
  if (info === undefined) {
    throw new Error(`initBackend: no backend could be initialized (${skipped.join('; ')})`);
  }
  platform.afterActivation?.();
  current = info;
  log?.(`[ddar] backend: ${info.name} (${info.reason})`);
  return info;
}

/** The backend chosen by the last `initBackend` call, if any. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}
