import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { prepareBackends, wasmBackend } from '../test-utils/backends.js';
import { heapKernels } from './heap_kernels.js';

const PACKAGE_ROOT = path.resolve(__dirname, '../../..');

test('heap_kernels_wasm.ts is heap_kernels.wat assembled (rerun scripts/build_simd.mjs after editing the .wat)', () => {
  expect(() => execFileSync(process.execPath, ['scripts/build_simd.mjs', '--check'], { cwd: PACKAGE_ROOT, stdio: 'pipe' })).not.toThrow();
});

test('one instance per wasm heap, reused', async () => {
  await prepareBackends();
  await tf.setBackend('wasm');
  const first = heapKernels(wasmBackend());
  expect(first).toBeDefined();
  expect(heapKernels(wasmBackend())).toBe(first);
});

test('a backend without a plain wasm heap gets no SIMD kernels', () => {
  const notWasm = { wasm: {} } as unknown as Parameters<typeof heapKernels>[0];
  expect(heapKernels(notWasm)).toBeUndefined();
});
