import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; tfjs-layers registers all of core's (as the union package does).
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../register_all_kernels.js';

export type ComparedBackend = 'cpu' | 'wasm';

/** Registers the training kernels and starts both backends once, so tests can hop between them. */
export async function prepareBackends(): Promise<void> {
  registerWasmTrainingKernels();
  for (const name of ['cpu', 'wasm'] as const) {
    if (!(await tf.setBackend(name))) {
      throw new Error(`test setup: backend ${name} failed to initialize`);
    }
  }
}

/** Runs `compute` on the named backend and returns its result as plain numbers, disposing the rest. */
export async function runOn(backend: ComparedBackend, compute: () => tf.Tensor): Promise<{ values: Float64Array; shape: number[] }> {
  await tf.setBackend(backend);
  const out = tf.tidy(compute);
  const values = Float64Array.from(out.dataSync());
  const shape = out.shape;
  out.dispose();
  return { values, shape };
}

/** max |a - b| / max(1e-6, max |b|): one number that is scale-free for sums of many products. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) {
    return Infinity;
  }
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

/** Deterministic uniform values in [-1, 1), so cpu and wasm see the same inputs. */
export function seededValues(size: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

export function seededTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed), shape);
}

export function wasmBackend(): BackendWasm {
  return tf.findBackend('wasm') as BackendWasm;
}

/** Bytes the wasm module holds: the heap only grows, so growth after warm-up means a leak. */
export function wasmHeapBytes(): number {
  return (wasmBackend().wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer.byteLength;
}

/**
 * Repeats `step` on wasm and returns how many tensors, backend data ids and wasm heap bytes it left
 * behind after the first few calls (which may legitimately grow the heap once).
 */
export async function leakAfterRepeats(step: () => void, repeats = 100, warmup = 5): Promise<{ tensors: number; dataIds: number; heapBytes: number }> {
  await tf.setBackend('wasm');
  for (let i = 0; i < warmup; i++) {
    step();
  }
  const tensors = tf.memory().numTensors;
  const dataIds = wasmBackend().numDataIds();
  const heapBytes = wasmHeapBytes();
  for (let i = 0; i < repeats; i++) {
    step();
  }
  return {
    tensors: tf.memory().numTensors - tensors,
    dataIds: wasmBackend().numDataIds() - dataIds,
    heapBytes: wasmHeapBytes() - heapBytes,
  };
}
