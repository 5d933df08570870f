import { spawn, spawnSync } from 'node:child_process';
import { promises as fs, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import type { Dataset } from '@ddar/datasets';
import { readCheckpoint, writeCheckpoint } from './checkpoint_store.js';
import type { TrainingConfig } from './config.js';
import { NonFiniteLossError } from './non_finite_loss_error.js';
import { train } from './train_node.js';
import { trainableVariables, type TrainableModel } from './trainable_model.js';
import { smallModels } from './test-utils/small_models.js';
import { syntheticDataset } from './test-utils/synthetic_dataset.js';
import { TinyClassifier } from './test-utils/tiny_classifier.js';

const SHAPE: [number, number, number] = [8, 8, 1];

function weightValues(model: TrainableModel): Float32Array[] {
  return trainableVariables(model).map((v) => v.dataSync() as Float32Array);
}

describe('checkpoints', () => {
  let trainSet: Dataset;
  let work: string;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
    trainSet = syntheticDataset('toy/train', 64, 1);
    work = mkdtempSync(path.join(os.tmpdir(), 'ddar-checkpoint-'));
  });
  afterAll(async () => {
    trainSet.dispose();
    await fs.rm(work, { recursive: true, force: true });
  });

  const config = (directory: string): TrainingConfig => ({
    epochs: 2,
    batchSize: 16,
    seed: 9,
    optimizer: { name: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true },
    schedule: { kind: 'step', everyEpochs: 1, gamma: 0.5 },
    checkpoint: { directory, everySteps: 3 },
    log: false,
  });

  it('keeps the two newest complete checkpoints, the newest named by latest.json, with weights, optimizer state and position', async () => {
    const directory = path.join(work, 'layout');
    const model = new TinyClassifier({ inputShape: SHAPE, numClasses: 4, seed: 2 });
    const written: number[] = [];
    await train(model, { train: trainSet }, { ...config(directory), onProgress: (e) => e.type === 'checkpoint' && written.push(e.globalStep) });
    // everySteps 3 and the ends of the two 4-step epochs.
    expect(written).toEqual([3, 4, 6, 8]);
    expect((await fs.readdir(directory)).sort()).toEqual(['latest.json', 'step-000000006', 'step-000000008']);
    expect(JSON.parse(await fs.readFile(path.join(directory, 'latest.json'), 'utf8'))).toEqual({ checkpoint: 'step-000000008' });
    expect((await fs.readdir(path.join(directory, 'step-000000008'))).sort()).toEqual(['model', 'optimizer.bin', 'state.json']);
    const checkpoint = (await readCheckpoint(directory))!;
    expect(checkpoint.state.position).toMatchObject({ epoch: 2, stepInEpoch: 0, globalStep: 8 });
    expect(checkpoint.state.position.history).toHaveLength(2);
    expect(checkpoint.state.optimizer.className).toBe('Momentum');
    expect(checkpoint.state.optimizer.names[0]).toBe('iter');
    expect(checkpoint.model.modelTopology).toBeDefined();
    expect(checkpoint.notes).toEqual([]);
    model.dispose();
  });

  it('resumes a cancelled DDAR run in-process to the weights of an uninterrupted one', async () => {
    const create = () => smallModels.ddar();
    const reference = create();
    const referenceHistory = await train(reference, { train: trainSet }, config(path.join(work, 'reference')));

    const directory = path.join(work, 'cancelled');
    const interrupted = create();
    const controller = new AbortController();
    const cancelled = await train(interrupted, { train: trainSet }, {
      ...config(directory),
      signal: controller.signal,
      onProgress: (e) => e.type === 'step' && e.globalStep === 6 && controller.abort(),
    });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.globalStep).toBe(6);
    interrupted.dispose();

    const resumedModel = create();
    const tensorsBefore = tf.memory().numTensors;
    const resumed = await train(resumedModel, { train: trainSet }, { ...config(directory), resume: true });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(resumed.status).toBe('completed');
    expect(resumed.resumedAt).toEqual([6]);
    const expected = weightValues(reference);
    weightValues(resumedModel).forEach((values, i) => expect(Array.from(values)).toEqual(Array.from(expected[i])));
    expect(resumed.epochs.map((e) => e.losses)).toEqual(referenceHistory.epochs.map((e) => e.losses));
    reference.dispose();
    resumedModel.dispose();
  });

  it('refuses to overwrite a checkpoint without resume, and to resume with a config that would not continue the same run', async () => {
    const directory = path.join(work, 'incompatible');
    const model = new TinyClassifier({ inputShape: SHAPE, numClasses: 4, seed: 2 });
    await train(model, { train: trainSet }, { ...config(directory), epochs: 1 });
    await expect(train(model, { train: trainSet }, { ...config(directory), epochs: 1 })).rejects.toThrow(
      `train: ${directory} already holds a checkpoint; set config.resume to continue that run`,
    );
    const changed: TrainingConfig = { ...config(directory), epochs: 1, batchSize: 8, seed: 10, resume: true };
    await expect(train(model, { train: trainSet }, changed)).rejects.toThrow(
      /cannot resume from .*step-000000004: the config differs from the checkpoint's \(batchSize: checkpoint has 16, now 8; seed: checkpoint has 9, now 10\)/,
    );
    const otherModel = smallModels.ddar();
    await expect(train(otherModel, { train: trainSet }, { ...config(directory), epochs: 1, resume: true })).rejects.toThrow(
      /modelKind: checkpoint has "tiny", now "ddar"/,
    );
    otherModel.dispose();
    model.dispose();
  });

  it('starts fresh when resume finds no checkpoint at all', async () => {
    const directory = path.join(work, 'empty');
    const lines: string[] = [];
    const model = new TinyClassifier({ inputShape: SHAPE, numClasses: 4, seed: 2 });
    const history = await train(model, { train: trainSet }, { ...config(directory), epochs: 1, resume: true, log: (l) => lines.push(l) });
    expect(history.resumedAt).toEqual([]);
    expect(lines[0]).toBe(`no checkpoint in ${directory}; starting a new run`);
    model.dispose();
  });

  /** Trains the two-epoch run of {@link config} and stops it after `step`, leaving checkpoints 3 and 4 when step is 4. */
  async function trainUntil(model: TrainableModel, directory: string, step: number): Promise<void> {
    const controller = new AbortController();
    await train(model, { train: trainSet }, {
      ...config(directory),
      signal: controller.signal,
      onProgress: (e) => e.type === 'step' && e.globalStep === step && controller.abort(),
    });
  }

  it('does not restart when latest.json is lost, stale or corrupt: the newest verified checkpoint is resumed, with a note', async () => {
    const directory = path.join(work, 'pointer');
    const model = new TinyClassifier({ inputShape: SHAPE, numClasses: 4, seed: 2 });
    await trainUntil(model, directory, 4);
    const latest = path.join(directory, 'latest.json');

    // Before: a deleted latest.json started a new run, whose next checkpoint deleted the last good step directory.
    await fs.rm(latest);
    await expect(train(model, { train: trainSet }, config(directory))).rejects.toThrow('already holds a checkpoint');
    const lines: string[] = [];
    const resumed = await train(model, { train: trainSet }, { ...config(directory), resume: true, log: (l) => lines.push(l) });
    expect(resumed.resumedAt).toEqual([4]);
    expect(lines).toContain(`${latest} is missing`);
    expect(lines).toContain(`resuming from ${path.join(directory, 'step-000000004')} at epoch 2, step 0/4`);

    // A kill between renaming a finished checkpoint into place and switching the pointer to it.
    await fs.writeFile(latest, JSON.stringify({ checkpoint: 'step-000000006' }));
    expect((await readCheckpoint(directory))!).toMatchObject({
      path: path.join(directory, 'step-000000008'),
      notes: [`${latest} names step-000000006, but step-000000008 is newer`],
    });
    await fs.writeFile(latest, '{"checkpoint": 12}');
    expect((await readCheckpoint(directory))!.notes).toEqual([`${latest} does not name a checkpoint (got {"checkpoint":12})`]);
    await fs.writeFile(latest, '{"checkp');
    expect((await readCheckpoint(directory))!.notes[0]).toMatch(new RegExp(`^${latest} is unreadable \\(`));
    // A pointer and nothing it could point to is refused, not taken for an empty directory.
    const bare = path.join(work, 'bare');
    await fs.mkdir(bare);
    await fs.writeFile(path.join(bare, 'latest.json'), JSON.stringify({ checkpoint: 'step-000000004' }));
    await expect(readCheckpoint(bare)).rejects.toThrow(`train: ${bare} holds latest.json but no checkpoint directory`);
    model.dispose();
  });

  it('falls back to the previous checkpoint when the newest fails verification, and refuses when none verifies', async () => {
    const directory = path.join(work, 'damaged');
    const model = new TinyClassifier({ inputShape: SHAPE, numClasses: 4, seed: 2 });
    await trainUntil(model, directory, 4);
    const newest = path.join(directory, 'step-000000004');
    const previous = path.join(directory, 'step-000000003');
    const optimizerFile = path.join(newest, 'optimizer.bin');
    const optimizerBytes = await fs.readFile(optimizerFile);

    // Before: "byte length of Float32Array should be a multiple of 4", no file named.
    await fs.writeFile(optimizerFile, optimizerBytes.subarray(0, optimizerBytes.length - 2));
    const fallback = (await readCheckpoint(directory))!;
    expect(fallback.path).toBe(previous);
    expect(fallback.notes).toEqual([
      `passed over step-000000004: ${optimizerFile} does not match the sha256 recorded in its state.json; the file was changed or damaged`,
    ]);
    // Checkpoints without a recorded checksum still get the size and finiteness checks.
    const statePath = path.join(newest, 'state.json');
    const stateText = await fs.readFile(statePath, 'utf8');
    await fs.writeFile(statePath, JSON.stringify({ ...JSON.parse(stateText), optimizerSha256: undefined }));
    expect((await readCheckpoint(directory))!.notes[0]).toContain(
      `${optimizerFile} holds ${optimizerBytes.length - 2} bytes but its checkpoint describes ${optimizerBytes.length}; the file is truncated`,
    );
    const poisoned = Buffer.from(optimizerBytes);
    poisoned.writeFloatLE(Number.POSITIVE_INFINITY, 4);
    await fs.writeFile(optimizerFile, poisoned);
    expect((await readCheckpoint(directory))!.notes[0]).toContain(`${optimizerFile} holds Infinity at float 1`);
    await fs.writeFile(optimizerFile, optimizerBytes);
    await fs.writeFile(statePath, stateText);
    expect((await readCheckpoint(directory))!.path).toBe(newest);

    const weightsFile = async (step: string) => {
      const weightsDir = path.join(step, 'model');
      return path.join(weightsDir, (await fs.readdir(weightsDir)).find((name) => name.endsWith('.bin'))!);
    };
    const damageWeights = async (file: string) => {
      const weights = Buffer.from(await fs.readFile(file));
      weights.writeFloatLE(123.5, 0);
      await fs.writeFile(file, weights);
    };
    await damageWeights(await weightsFile(newest));
    const lines: string[] = [];
    const resumed = await train(model, { train: trainSet }, { ...config(directory), resume: true, log: (l) => lines.push(l) });
    expect(resumed.resumedAt).toEqual([3]);
    expect(lines[0]).toMatch(new RegExp(`^passed over step-000000004: loadModel: ${newest}/model/weights-.*does not match the checksum in its name`));
    expect(lines[1]).toBe(`resuming from ${previous} at epoch 1, step 3/4`);
    // The damaged checkpoint was replaced by a good one when training reached its step again.
    expect((await fs.readdir(directory)).sort()).toEqual(['latest.json', 'step-000000006', 'step-000000008']);

    await damageWeights(await weightsFile(path.join(directory, 'step-000000008')));
    await fs.writeFile(path.join(directory, 'step-000000006', 'state.json'), '{}');
    const refusal = readCheckpoint(directory);
    await expect(refusal).rejects.toThrow(`train: no checkpoint in ${directory} can be resumed:\n  loadModel: ${path.join(directory, 'step-000000008')}`);
    await expect(refusal).rejects.toThrow(`\n  ${path.join(directory, 'step-000000006', 'state.json')} is not a version 1 training checkpoint`);
    await expect(refusal).rejects.toThrow(`\nRestore a checkpoint from a copy, or delete ${directory} to train from the start`);
    await expect(train(model, { train: trainSet }, { ...config(directory), resume: true })).rejects.toThrow('can be resumed');
    // Refusing deletes nothing.
    expect((await fs.readdir(directory)).sort()).toEqual(['latest.json', 'step-000000006', 'step-000000008']);
    model.dispose();
  });

  it('deletes no checkpoint unless a newer verified one exists, and keeps as many as configured', async () => {
    const directory = path.join(work, 'retention');
    const model = new TinyClassifier({ inputShape: SHAPE, numClasses: 4, seed: 2 });
    await expect(train(model, { train: trainSet }, { ...config(directory), checkpoint: { directory, keep: 1 } })).rejects.toThrow(
      'config.checkpoint.keep must be an integer of at least 2 (the newest checkpoint and one to fall back to), but got 1',
    );
    await train(model, { train: trainSet }, { ...config(directory), checkpoint: { directory, everySteps: 1, keep: 3 } });
    expect((await fs.readdir(directory)).sort()).toEqual(['latest.json', 'step-000000006', 'step-000000007', 'step-000000008']);

    // A checkpoint that does not read back intact (here: a NaN weight) is not trusted, so nothing older goes.
    const { state } = (await readCheckpoint(directory))!;
    const optimizer = tf.train.sgd(0.1);
    const broken = trainableVariables(model)[0];
    broken.assign(tf.fill(broken.shape, NaN));
    await expect(writeCheckpoint(directory, model, optimizer, state.config, { ...state.position, globalStep: 9 })).rejects.toThrow(
      /^train: the checkpoint just written to .*step-000000009 does not read back intact \(loadModel: weight .* holds NaN.*the disk may be full or failing/,
    );
    expect((await fs.readdir(directory)).sort()).toEqual(['latest.json', 'step-000000006', 'step-000000007', 'step-000000008', 'step-000000009']);
    expect(JSON.parse(await fs.readFile(path.join(directory, 'latest.json'), 'utf8'))).toEqual({ checkpoint: 'step-000000008' });
    expect((await readCheckpoint(directory))!.path).toBe(path.join(directory, 'step-000000008'));
    optimizer.dispose();
    model.dispose();
  });

  it('stops at a NaN loss naming the step and the terms, without applying it, keeping the last good checkpoint', async () => {
    const directory = path.join(work, 'nan');
    const model = new TinyClassifier({ inputShape: SHAPE, numClasses: 4, seed: 2 });
    let weightsBeforeFailingStep: Float32Array[] = [];
    const run = train(model, { train: trainSet }, {
      ...config(directory),
      checkpoint: { directory, everySteps: 2 },
      onProgress: (event) => {
        if (event.type === 'step' && event.globalStep === 5) {
          weightsBeforeFailingStep = weightValues(model);
          model.reconstructionFactor = NaN;
        }
      },
    });
    const error = (await run.catch((e: unknown) => e)) as NonFiniteLossError;
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect(error.globalStep).toBe(6);
    expect(error.epoch).toBe(2);
    expect(Object.keys(error.terms).sort()).toEqual(['reconstruction', 'total']);
    expect(error.message).toMatch(
      /non-finite at step 6 \(epoch 2\): total=NaN, reconstruction=NaN\. The update was not applied; the last good checkpoint is .*step-000000004/,
    );
    expect(JSON.parse(await fs.readFile(path.join(directory, 'latest.json'), 'utf8'))).toEqual({ checkpoint: 'step-000000004' });
    weightValues(model).forEach((values, i) => expect(Array.from(values)).toEqual(Array.from(weightsBeforeFailingStep[i])));
    model.dispose();
  });

  it('never exposes a half-written checkpoint: leftovers of a killed write are ignored and cleaned up', async () => {
    const directory = path.join(work, 'leftovers');
    const model = new TinyClassifier({ inputShape: SHAPE, numClasses: 4, seed: 2 });
    await train(model, { train: trainSet }, { ...config(directory), epochs: 1 });
    // What a kill during the next write leaves behind: a partial temporary directory and a stray step directory.
    const deadPid = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    await fs.mkdir(path.join(directory, `.partial-step-000000006-${deadPid}`, 'model'), { recursive: true });
    await fs.mkdir(path.join(directory, 'step-000000006'));
    expect((await readCheckpoint(directory))!.state.position.globalStep).toBe(4);
    const optimizer = tf.train.sgd(0.1);
    const position = (await readCheckpoint(directory))!.state.position;
    await writeCheckpoint(directory, model, optimizer, (await readCheckpoint(directory))!.state.config, { ...position, globalStep: 7 });
    // The empty step-000000006 never verified; step-000000004 did, and stays as the one to fall back to.
    expect((await fs.readdir(directory)).sort()).toEqual(['latest.json', 'step-000000004', 'step-000000007']);

    // Another run still writing into the same directory keeps its partial checkpoint (it used to lose it mid-write).
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    const theirs = `.partial-step-000000009-${other.pid}`;
    await fs.mkdir(path.join(directory, theirs, 'model'), { recursive: true });
    try {
      await writeCheckpoint(directory, model, optimizer, (await readCheckpoint(directory))!.state.config, { ...position, globalStep: 8 });
      expect((await fs.readdir(directory)).sort()).toEqual([theirs, 'latest.json', 'step-000000007', 'step-000000008']);
    } finally {
      other.kill('SIGKILL');
    }
    optimizer.dispose();
    model.dispose();
  });
});
