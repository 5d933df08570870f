// Do the two cores slow each other down? The same bare DDAR training loop (batch 32, the shard size of data-parallel
// training at batch 64 on 2 threads) runs alone, then as two independent processes at once. Data-parallel training
// can only scale as far as two independent computations do: if two processes at once each run at 60% of their solo
// speed (two vCPUs sharing one physical core, or memory bandwidth shared too thinly), no data-parallel scheme gets
// past 1.2x on that machine.
//   node bench/contention.mjs [--steps 60]
/* global console */
import { spawn } from 'node:child_process';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { cpuDescription, loadAverage as load } from './ceilings.mjs';
import { positiveIntegerOption } from './options.mjs';

const STEPS = positiveIntegerOption('contention', 'steps', 60);

async function measureOnce() {
  const tf = await import('@tensorflow/tfjs-core');
  const { initBackend } = await import('@ddar/backend');
  const { DDARModel } = await import('@ddar/disentangle');
  await initBackend({ log: false });
  const model = DDARModel.create({ inputShape: [28, 28, 1], numClasses: 10, backboneOptions: { width: 0.5 }, seed: 1 });
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomUniform([32, 28, 28, 1], 0, 1, 'float32', 5);
  const y = tf.randomUniform([32], 0, 10, 'int32', 6);
  const step = () => {
    const loss = optimizer.minimize(() => {
      const { total, terms } = model.lossTerms(x, y);
      tf.dispose(Object.values(terms));
      return total;
    }, true);
    loss.dataSync();
    loss.dispose();
  };
  for (let i = 0; i < 5; i++) step();
  const started = performance.now();
  for (let i = 0; i < STEPS; i++) step();
  return (performance.now() - started) / STEPS;
}

function child() {
  return new Promise((resolve, reject) => {
    const run = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', '--steps', String(STEPS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    run.stdout.on('data', (chunk) => (out += chunk));
    run.on('error', reject);
    run.on('close', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`contention child exited with ${code}`))));
  });
}

if (process.argv.includes('--child')) {
  console.log(await measureOnce());
} else {
  console.log(`contention: ${cpuDescription()}; load average ${load()}`);
  const alone = await child();
  const together = await Promise.all([child(), child()]);
  console.log(`bare DDAR step, batch 32: alone ${alone.toFixed(1)} ms; two processes at once ${together.map((ms) => ms.toFixed(1)).join(' and ')} ms`);
  const pair = 2 * alone / Math.max(...together);
  console.log(`two independent processes do ${pair.toFixed(2)}x the work of one (2.00 = no contention); load average after ${load()}`);
}
