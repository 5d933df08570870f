import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { HEAP_KERNELS_WASM_BASE64 } from './heap_kernels_wasm.js';

/** The functions of heap_kernels.wat; every pointer is a byte offset into the wasm backend's heap. */
export interface HeapKernels {
  maxPoolGrad2x2(x: number, dy: number, dx: number, n: number, inH: number, inW: number, c: number, outH: number, outW: number): void;
  sumRows(x: number, out: number, rows: number, c: number): void;
  resizeNearestGradByFactor(dy: number, dx: number, n: number, inH: number, inW: number, c: number, fy: number, fx: number): void;
  matmulFewRows(a: number, b: number, out: number, m: number, k: number, n: number): void;
  adamStep(
    w: number, m: number, v: number, g: number, newW: number, newM: number, newV: number, count: number,
    beta1: number, beta2: number, oneMinusBeta1: number, oneMinusBeta2: number,
    oneMinusAccBeta1: number, oneMinusAccBeta2: number, negativeLearningRate: number, epsilon: number,
  ): void;
}

/** The part of the WebAssembly JS API used here (the project compiles against ES2022 without DOM types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  validate(bytes: Uint8Array): boolean;
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** One instance per wasm memory: a backend re-created after `tf.removeBackend` gets a new heap. */
const instances = new WeakMap<WasmMemory, HeapKernels | null>();

/**
 * heap_kernels.wat instantiated on the heap of `backend`, or undefined where that cannot be done: a runtime without
 * WebAssembly SIMD, or the multi-threaded wasm build, whose heap is shared memory (the module declares a plain one).
 * Callers then use the general kernel.
 */
export function heapKernels(backend: BackendWasm): HeapKernels | undefined {
  const memory = (backend.wasm as unknown as { asm?: { memory?: WasmMemory } }).asm?.memory;
  if (wasmApi === undefined || !(memory instanceof wasmApi.Memory)) return undefined;
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    kernels = instantiate(memory);
    instances.set(memory, kernels);
  }
  return kernels ?? undefined;
}

function instantiate(memory: WasmMemory): HeapKernels | null {
  if (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer) return null;
  const bytes = base64Bytes(HEAP_KERNELS_WASM_BASE64);
  const api = wasmApi as WasmApi;
  if (!api.validate(bytes)) return null;
  // Synchronous: the module is ~1 KB, far below the size browsers allow to compile on the main thread.
  const instance = new api.Instance(new api.Module(bytes), { env: { memory } });
  return instance.exports as unknown as HeapKernels;
}

function base64Bytes(base64: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(base64, 'base64'));
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Byte offset of a tensor's data on the wasm heap. */
export function heapOffset(backend: BackendWasm, info: TensorInfo): number {
  return backend.dataIdMap.get(info.dataId)!.memoryOffset;
}
