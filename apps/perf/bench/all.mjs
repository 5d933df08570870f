// `pnpm bench`: bench/pytorch_parity.mjs (with its defaults: the PyTorch port must compute what the tfjs model does,
// or the comparison means nothing; a few seconds, skipped without PyTorch), then bench/throughput.mjs and
// bench/ddar_throughput.mjs, then bench/contention.mjs (how much two cores slow each other down); each given this script's arguments (each reads the options it knows and ignores the
// others), so that `pnpm bench -- --epochs 1 --cpu-batches 1` from the root runs a short version of the whole thing.
// Stops at the first script that fails, with its exit code.
/* global URL */
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

for (const [script, args] of [
  ['pytorch_parity.mjs', []],
  ['throughput.mjs', process.argv.slice(2)],
  ['ddar_throughput.mjs', process.argv.slice(2)],
  ['contention.mjs', []],
]) {
  const run = spawnSync(process.execPath, [fileURLToPath(new URL(`./${script}`, import.meta.url)), ...args], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
