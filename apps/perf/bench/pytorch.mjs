// Runs bench/pytorch_reference.py (PyTorch on CPU, same architecture, batch size and optimizer) so the Node benchmarks
// can print `ours / pytorch` in the same run. PyTorch is optional: without it the benchmarks say so and skip it.
/* global console, URL */
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./pytorch_reference.py', import.meta.url));

// The python3 first on PATH may be a pyenv/venv one without PyTorch while Debian's python3-torch lives under
// /usr/bin/python3: the first candidate that imports torch wins. $PYTHON, when set, is the only candidate.
const CANDIDATES = process.env.PYTHON ? [process.env.PYTHON] : ['python3', '/usr/bin/python3'];
let python;

/** True when `python3 -c 'import torch'` succeeds; otherwise prints that PyTorch is not installed and is skipped. */
export function pytorchAvailable() {
  python = CANDIDATES.find((candidate) => spawnSync(candidate, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0);
  if (python !== undefined) return true;
  console.log(`pytorch     not installed (${CANDIDATES.join(', ')} -c "import torch" failed): PyTorch reference skipped`);
  return false;
}

/** Thread counts to run PyTorch with: `--torch-threads 2,1` (the default). */
export function torchThreadCounts() {
  const at = process.argv.indexOf('--torch-threads');
  const text = at < 0 ? '2,1' : process.argv[at + 1];
  const counts = String(text).split(',').map(Number);
  if (counts.some((c) => !Number.isInteger(c) || c < 1)) {
    throw new Error(`--torch-threads must be a comma-separated list of positive integers, but got '${text}'`);
  }
  return counts;
}

/**
 * Runs the PyTorch reference for `model` ('reference', 'ddar', 'ddar-displacement', 'pgd', 'pgd-displacement' or
 * 'matmul') and returns its parsed JSON, or undefined (with the reason printed) when the script fails.
 */
export function runPytorch(model, { epochs = 2, threads = 2 } = {}) {
  return runScript(['--model', model, '--epochs', String(epochs), '--threads', String(threads)]);
}

/** Runs the script's parity check on the tfjs model exported into `directory` (bench/pytorch_parity.mjs). */
export function runPytorchParity(directory) {
  return runScript(['--parity', directory, '--threads', '1']);
}

function runScript(args) {
  const run = spawnSync(python ?? 'python3', [SCRIPT, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) {
    console.log(`pytorch     failed (exit ${run.status}): ${(run.stderr || '').trim().split('\n').slice(-1)[0]}`);
    return undefined;
  }
  return JSON.parse(run.stdout.trim().split('\n').slice(-1)[0]);
}
