// Assembles src/kernels/simd/heap_kernels.wat into src/kernels/simd/heap_kernels_wasm.ts (the module's bytes, base64),
// which is committed so that building the package needs no WebAssembly toolchain. A test checks the two agree.
// Usage: node scripts/build_simd.mjs [--check]   (--check: exit 1 if the committed file is out of date)
/* global console */
import { readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';
import { heapKernelsModuleSource } from './heap_kernels_source.mjs';

const target = fileURLToPath(new URL('../src/kernels/simd/heap_kernels_wasm.ts', import.meta.url));
const source = await heapKernelsModuleSource();
if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== source) {
    console.error(`${target} is out of date: run node scripts/build_simd.mjs`);
    process.exit(1);
  }
} else {
  writeFileSync(target, source);
  console.log(`wrote ${target}`);
}
