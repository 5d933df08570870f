// What this CPU can do at best, measured in the same run as the benchmarks so that their rates can be read against it:
// float32 matrix products of 512 x 512 x 512 (2 * 512^3 FLOP each) on the tfjs wasm backend (XNNPACK, SIMD) on one
// thread and on two worker threads at once (their rates summed), and in PyTorch with 1 and 2 threads (torch.mm, which
// nn.Linear runs, and the same product through oneDNN, which uses the CPU's widest vectors); and the CPU
// (lscpu's model name, CPU family and model) and the load average. Used by bench/throughput.mjs and
// bench/ddar_throughput.mjs; on its own: node bench/ceilings.mjs.
/* global console, URL */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { pytorchAvailable, runPytorch } from './pytorch.mjs';

const SIZE = 512;
const REPEATS = 15;
const WARMUPS = 3;
const WORKER = new URL('./matmul_worker.mjs', import.meta.url);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** lscpu's model name, CPU family and model (os.cpus() when lscpu is missing). */
export function cpuDescription() {
  const run = spawnSync('lscpu', [], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  const field = (name) => run.stdout?.match(new RegExp(`^${name}:\\s*(.+)$`, 'm'))?.[1].trim();
  const model = field('Model name') ?? os.cpus()[0]?.model ?? 'unknown CPU';
  const family = field('CPU family');
  const number = field('Model');
  return `${model}${family === undefined ? '' : `, CPU family ${family}`}${number === undefined ? '' : ` model ${number}`}, ${os.cpus().length} cores`;
}

export const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

/** GFLOP/s of `threads` wasm worker threads each timing the same product at once: the sum of their median rates. */
async function wasmMatmul(threads) {
  const workers = Array.from({ length: threads }, () => new Worker(WORKER, { workerData: { size: SIZE, repeats: REPEATS, warmups: WARMUPS } }));
  try {
    const next = (worker) =>
      new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    await Promise.all(workers.map(next));
    const results = workers.map(next);
    for (const worker of workers) worker.postMessage('go');
    const reports = await Promise.all(results);
    return reports.reduce((sum, { seconds }) => sum + (2 * SIZE ** 3) / median(seconds) / 1e9, 0);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/**
 * Measures the ceilings in GFLOP/s: { wasm1, wasm2, torch: { 1: { mm, onednn }, 2: { mm, onednn } } }, torch empty
 * without PyTorch (or when `withPytorch` is false).
 */
export async function measureCeilings({ withPytorch = true } = {}) {
  const wasm1 = await wasmMatmul(1);
  const wasm2 = await wasmMatmul(2);
  const torch = {};
  if (withPytorch) {
    for (const threads of [1, 2]) {
      const r = runPytorch('matmul', { threads });
      if (r !== undefined) torch[threads] = { mm: r.matmul.gflops, onednn: r.matmul.onednn_gflops };
    }
  }
  return { wasm1, wasm2, torch };
}

/** Prints the ceilings, with the CPU and the load average. */
export function printCeilings(ceilings) {
  const entries = Object.entries(ceilings.torch);
  const threadsText = (threads) => `${threads} thread${threads === '1' ? '' : 's'}`;
  const torch = entries.map(([threads, { mm }]) => `${mm.toFixed(1)} (${threadsText(threads)})`);
  const onednn = entries.filter(([, { onednn }]) => onednn !== undefined).map(([threads, { onednn }]) => `${onednn.toFixed(1)} (${threadsText(threads)})`);
  console.log(
    `ceilings, ${SIZE}x${SIZE}x${SIZE} float32 matmul, GFLOP/s (median of ${REPEATS}): wasm ${ceilings.wasm1.toFixed(1)} (1 thread), ` +
      `${ceilings.wasm2.toFixed(1)} (2 threads at once, summed)` +
      (torch.length === 0 ? '; PyTorch not measured' : `; PyTorch torch.mm ${torch.join(', ')}`) +
      (onednn.length === 0 ? '' : `; the same product through PyTorch's oneDNN, the CPU's widest vectors: ${onednn.join(', ')}`) +
      `\nCPU: ${cpuDescription()}; load average ${loadAverage()}`,
  );
}

/** One line: a rate in images/s as GFLOP/s, and as a percentage of the two-thread (and one-thread) wasm ceiling. */
export function printAchieved(label, imagesPerSecond, flopsPerImage, ceilings) {
  const gflops = (imagesPerSecond * flopsPerImage) / 1e9;
  console.log(
    `achieved ${label}: ${imagesPerSecond.toFixed(1)} images/s x ${(flopsPerImage / 1e6).toFixed(2)} MFLOP = ${gflops.toFixed(2)} GFLOP/s, ` +
      `${((100 * gflops) / ceilings.wasm2).toFixed(1)}% of the 2-thread wasm ceiling (${((100 * gflops) / ceilings.wasm1).toFixed(1)}% of 1 thread's)`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printCeilings(await measureCeilings({ withPytorch: !process.argv.includes('--no-pytorch') && pytorchAvailable() }));
}
