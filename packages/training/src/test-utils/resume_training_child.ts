/**
 * Child process of resume.test.ts and fault_injection.test.ts: trains the same small run every time, resuming from the
 * checkpoint directory if it holds one, and writes the final weights and history as JSON. Arguments: checkpoint
 * directory, output file, the global step after which to freeze (so the parent can SIGKILL it at a known point) or 0
 * for never, and optionally a JSON {@link ResumeRunOverrides}. Prints `step N` after each step, `checkpoint N <ms>` once
 * the checkpoint of step N is written (ms since that step's line), and `log <line>` for training's log.
 */
import { writeFileSync } from 'node:fs';
import { initBackend } from '@ddar/backend';
import { train } from '../train_node.js';
import { syntheticDataset } from './synthetic_dataset.js';
import { TinyClassifier } from './tiny_classifier.js';
import { RESUME_RUN, type ResumeRunOverrides } from './resume_run.js';

async function main(): Promise<void> {
  const [checkpointDirectory, outputFile, freezeAt, overridesJson] = process.argv.slice(2);
  const overrides = (overridesJson === undefined ? {} : JSON.parse(overridesJson)) as ResumeRunOverrides;
  await initBackend({ backend: RESUME_RUN.backend, log: false });
  const trainSet = syntheticDataset('toy/train', RESUME_RUN.trainSize, 1);
  const validation = syntheticDataset('toy/validation', 32, 2);
  const model = new TinyClassifier({ inputShape: [8, 8, 1], numClasses: 4, seed: RESUME_RUN.modelSeed });
  let lastStepAt = performance.now();
  const history = await train(model, { train: trainSet, validation }, {
    ...RESUME_RUN.config,
    epochs: overrides.epochs ?? RESUME_RUN.config.epochs,
    checkpoint: { directory: checkpointDirectory, everySteps: overrides.checkpointEvery ?? RESUME_RUN.checkpointEvery },
    resume: true,
    log: (line) => process.stdout.write(`log ${line}\n`),
    progress: 'lines',
    onProgress: (event) => {
      if (event.type === 'checkpoint') process.stdout.write(`checkpoint ${event.globalStep} ${performance.now() - lastStepAt}\n`);
      if (event.type !== 'step') return;
      lastStepAt = performance.now();
      process.stdout.write(`step ${event.globalStep}\n`);
      if (event.globalStep === Number(freezeAt)) {
        // Blocks this thread for good without spinning, so the parent's SIGKILL lands exactly here.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      }
    },
  });
  const weights = model.network.weights.map((weight) => Array.from(weight.read().dataSync()));
  writeFileSync(outputFile, JSON.stringify({ weights, history }));
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
