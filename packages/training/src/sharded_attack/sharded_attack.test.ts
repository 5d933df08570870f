import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { FGSM, PGD, robustAccuracy } from '@ddar/attacks';
import { initBackend } from '@ddar/backend';
import { BaselineModel, DDARModel, type ClassifierModel } from '@ddar/disentangle';
import { SeededRandom } from '@ddar/random';
import { chunkSeed, type AttackDescription } from './attack_description.js';
import type { ShardedAttackProgress } from './attack_job.js';
import type { ShardableModel } from './model_source.js';
import { disposeShardedResult, type ShardedAttackResult } from './results.js';
import { ShardedAttackPool, shardedAttack, shardedRobustAccuracy } from './sharded_attack.js';

jest.mock('./worker_entry', () => ({
  shardedAttackWorkerEntry: () =>
    (jest.requireActual('../test-utils/source_worker_entry') as typeof import('../test-utils/source_worker_entry.js')).sourceWorkerEntry(
      'sharded_attack/worker.ts',
    ),
}));

// Under jest the main thread cannot import(); it requires the (CommonJS) module instead. The workers import it.
jest.mock('../threads/import_module', () => ({
  importModule: async (specifier: string) => jest.requireActual(jest.requireActual<typeof import('node:url')>('node:url').fileURLToPath(specifier)),
}));

const MODULE = path.join(__dirname, '..', 'test-utils', 'attack_model_module.cjs');
const SHAPE: [number, number, number] = [28, 28, 1];
/** 36 images in chunks of 8: five chunks, the last one of 4. */
const EXAMPLES = 36;
const CHUNK_SIZE = 8;

function randomImages(n: number, seed: number): tf.Tensor4D {
  return tf.tensor4d(new SeededRandom(seed).uniformArray(n * 784, 0, 1), [n, ...SHAPE]);
}

function predictions(model: ClassifierModel, images: tf.Tensor4D): Int32Array {
  return tf.tidy(() => tf.argMax(model.classify(images), 1)).dataSync() as Int32Array;
}

function maxAbsDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** The same attack on 1 and on 2 threads: per image the same adversarial (within 1e-5) and the same success flags. */
async function expectSameOnOneAndTwoThreads(model: ShardableModel, images: tf.Tensor4D, labels: Int32Array, attack: AttackDescription, epsilons: number[]) {
  const run = (workers: number) =>
    shardedAttack(model, images, labels, attack, { epsilons, chunkSize: CHUNK_SIZE, workers, adversarials: true, log: false });
  const one = await run(0);
  const two = await run(1);
  try {
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    // Both threads attacked chunks, so the comparison covers images attacked in the worker.
    expect(two.timing.threads.map((t) => t.chunks > 0)).toEqual([true, true]);
    expect(two.timing.threads.reduce((sum, t) => sum + t.chunks, 0)).toBe(Math.ceil(EXAMPLES / CHUNK_SIZE));
    expect(Array.from(two.cleanCorrect)).toEqual(Array.from(one.cleanCorrect));
    one.results.forEach((result, e) => {
      expect(Array.from(two.results[e].success)).toEqual(Array.from(result.success));
      expect(maxAbsDifference(two.results[e].adversarials!, result.adversarials!)).toBeLessThan(1e-5);
    });
    return one;
  } finally {
    disposeShardedResult(one);
    disposeShardedResult(two);
  }
}

/** Success flags that are neither all 0 nor all 1 at some epsilon: the comparison is not vacuous. */
function expectMixedFlags(result: ShardedAttackResult) {
  expect(result.results.some((r) => r.robustAccuracy > 0 && r.robustAccuracy < 1)).toBe(true);
}

describe('sharded attacks', () => {
  let ddar: DDARModel;
  let images: tf.Tensor4D;
  let labels: Int32Array;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
    ddar = DDARModel.create({ inputShape: SHAPE, numClasses: 10, backboneOptions: { width: 0.25 }, seed: 1 });
    images = randomImages(EXAMPLES, 3);
    // The untrained model's own predictions, one changed: the attacks have something to fool, and one image is wrong already.
    labels = predictions(ddar, images);
    labels[5] = (labels[5] + 1) % 10;
  });
  afterAll(() => {
    ddar.dispose();
    images.dispose();
  });

  describe('give every image the same result on 1 and 2 threads', () => {
    it('PGD L-inf with a random start, and PGD L2, on a @ddar/disentangle model', async () => {
      const linf = await expectSameOnOneAndTwoThreads(ddar, images, labels, { attack: 'pgd', options: { steps: 4, seed: 7 } }, [0.005, 0.02]);
      expectMixedFlags(linf);
      expect(linf.cleanAccuracy).toBeCloseTo(35 / 36, 10);
      expect(linf.results[0].success[5]).toBe(1);
      const l2 = await expectSameOnOneAndTwoThreads(ddar, images, labels, { attack: 'pgd', options: { norm: 'l2', steps: 4, seed: 7 } }, [0.2, 0.8]);
      expectMixedFlags(l2);
    });

    it('APGD, FGSM and AutoAttack on a @ddar/disentangle model', async () => {
      expectMixedFlags(await expectSameOnOneAndTwoThreads(ddar, images, labels, { attack: 'apgd', options: { steps: 4, seed: 2 } }, [0.005]));
      expectMixedFlags(await expectSameOnOneAndTwoThreads(ddar, images, labels, { attack: 'fgsm' }, [0.005, 0.02]));
      const autoAttack: AttackDescription = { attack: 'autoattack', options: { apgdSteps: 3, targetClasses: 2, squareQueries: 5, seed: 3 } };
      expectMixedFlags(await expectSameOnOneAndTwoThreads(ddar, images, labels, autoAttack, [0.005]));
    });

    it('on a saved model directory', async () => {
      const baseline = BaselineModel.create({ inputShape: SHAPE, numClasses: 10, backboneOptions: { width: 0.25 }, seed: 2 });
      const directory = mkdtempSync(path.join(tmpdir(), 'ddar-sharded-saved-'));
      await baseline.save(`file://${directory}`);
      const own = predictions(baseline, images);
      baseline.dispose();
      const saved = { saved: directory };
      expectMixedFlags(await expectSameOnOneAndTwoThreads(saved, images, own, { attack: 'pgd', options: { steps: 3, seed: 1 } }, [0.005, 0.02]));
      expectMixedFlags(await expectSameOnOneAndTwoThreads(saved, images, own, { attack: 'apgd', options: { steps: 3, seed: 1 } }, [0.01]));
    });

    it('on a model a module builds, a plain function included', async () => {
      const options = { inputShape: SHAPE, numClasses: 10, seed: 4 };
      const linear = (jest.requireActual(MODULE) as { createLinearClassifier: (o: typeof options) => (x: tf.Tensor4D) => tf.Tensor2D }).createLinearClassifier(options);
      const own = tf.tidy(() => tf.argMax(linear(images), 1)).dataSync() as Int32Array;
      const model = { module: MODULE, exportName: 'createLinearClassifier', options };
      expectMixedFlags(await expectSameOnOneAndTwoThreads(model, images, own, { attack: 'pgd', options: { steps: 3, seed: 5 } }, [0.005, 0.02]));
    });
  });

  it("attacks each chunk exactly as @ddar/attacks attacks it alone, with the chunk's seed", async () => {
    const result = await shardedAttack(ddar, images, labels, { attack: 'pgd', options: { steps: 3, seed: 7 } }, {
      epsilons: [0.01],
      chunkSize: CHUNK_SIZE,
      workers: 1,
      adversarials: true,
    });
    const chunk = 2;
    const x = tf.slice(images, chunk * CHUNK_SIZE, CHUNK_SIZE);
    const y = labels.slice(chunk * CHUNK_SIZE, (chunk + 1) * CHUNK_SIZE);
    const [alone] = await new PGD({ steps: 3, seed: chunkSeed(7, chunk) }).run((z) => ddar.classify(z), x, y, { epsilons: [0.01] });
    const part = tf.slice(result.results[0].adversarials!, chunk * CHUNK_SIZE, CHUNK_SIZE);
    expect(maxAbsDifference(part, alone.clipped)).toBe(0);
    expect(Array.from(result.results[0].success.subarray(chunk * CHUNK_SIZE, (chunk + 1) * CHUNK_SIZE))).toEqual(Array.from(alone.success));
    tf.dispose([x, part, alone.raw, alone.clipped]);
    disposeShardedResult(result);
  });

  it('gives the robust-accuracy form of @ddar/attacks, per image and per epsilon', async () => {
    const epsilons = [0.005, 0.02];
    const report = await shardedRobustAccuracy(ddar, images, labels, { attack: 'fgsm' }, { epsilons, chunkSize: CHUNK_SIZE, workers: 1 });
    const reference = await robustAccuracy((x) => ddar.classify(x), { images, labels }, [new FGSM()], epsilons, { batchSize: CHUNK_SIZE, perExample: true });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(report).toMatchObject({ attack: 'fgsm', name: 'FGSM', norm: 'linf', epsilons, examples: EXAMPLES, threads: 2, chunks: 5 });
    expect(report.cleanCorrect).toEqual(reference.cleanCorrect);
    expect(report.cleanAccuracy).toBeCloseTo(reference.cleanAccuracy, 12);
    expect(report.correct).toEqual(reference.attacks[0].correct);
    expect(report.robustAccuracy).toEqual(reference.attacks[0].robustAccuracy.map((a) => expect.closeTo(a, 12)));
  });

  it('runs a function model on the main thread alone, saying why', async () => {
    const lines: string[] = [];
    const closure = (x: tf.Tensor4D) => ddar.classify(x);
    const attack: AttackDescription = { attack: 'pgd', options: { steps: 3, seed: 7 } };
    const options = { epsilons: [0.01], chunkSize: CHUNK_SIZE, adversarials: true };
    const result = await shardedAttack(closure, images, labels, attack, { ...options, workers: 1, log: (line) => lines.push(line) });
    const message = /shardedAttack: the model is a function, which cannot be sent to a worker thread, so the attack runs on the main thread alone; to use 2 threads give a @ddar\/disentangle model, a saved model/;
    expect(lines).toEqual([expect.stringMatching(message)]);
    expect(result.note).toMatch(message);
    expect(result.threads).toBe(1);
    expect(result.timing.threads).toHaveLength(1);
    // The same chunks and seeds: the result of the model given as a @ddar/disentangle model, on any number of threads.
    const sharded = await shardedAttack(ddar, images, labels, attack, { ...options, workers: 1 });
    expect(Array.from(result.results[0].success)).toEqual(Array.from(sharded.results[0].success));
    expect(maxAbsDifference(result.results[0].adversarials!, sharded.results[0].adversarials!)).toBeLessThan(1e-5);
    disposeShardedResult(result);
    disposeShardedResult(sharded);
    // Asked for no worker, there is nothing to say.
    const quiet: string[] = [];
    expect((await shardedAttack(closure, images, labels, { attack: 'fgsm' }, { epsilons: [0.01], workers: 0, log: (line) => quiet.push(line) })).note).toBeUndefined();
    expect(quiet).toEqual([]);
  });

  it('refuses bad arguments with errors naming them', async () => {
    const fgsm: AttackDescription = { attack: 'fgsm' };
    const run = (overrides: { model?: unknown; images?: unknown; labels?: unknown; attack?: unknown; options?: Record<string, unknown> }) =>
      shardedAttack(
        ('model' in overrides ? overrides.model : ddar) as ShardableModel,
        (overrides.images ?? images) as tf.Tensor4D,
        (overrides.labels ?? labels) as Int32Array,
        (overrides.attack ?? fgsm) as AttackDescription,
        { epsilons: [0.01], workers: 1, log: false, ...overrides.options } as never,
      );
    const rank3 = tf.zeros([4, 28, 28]);
    const wrongShape = tf.zeros([4, 8, 8, 1]);
    const outOfBounds = tf.fill([EXAMPLES, 28, 28, 1], 1.5);
    const spawned = jest.spyOn(Worker.prototype, 'postMessage');
    try {
      await expect(run({ images: rank3 })).rejects.toThrow('shardedAttack: images must be a rank-4 tensor [N, H, W, C], but got rank 3 with shape [4,28,28]');
      await expect(run({ images: wrongShape })).rejects.toThrow('shardedAttack: images must be [N, 28, 28, 1] for this model, but got shape [4,8,8,1]');
      await expect(run({ images: outOfBounds })).rejects.toThrow("shardedAttack: images must lie within the model's bounds [0, 1], but hold values in [1.5, 1.5]");
      await expect(run({ labels: labels.slice(1) })).rejects.toThrow(`shardedAttack: labels must hold one class per image (${EXAMPLES}), but hold ${EXAMPLES - 1}`);
      const outOfRange = Int32Array.from(labels);
      outOfRange[3] = 12;
      await expect(run({ labels: outOfRange })).rejects.toThrow('shardedAttack: labels[3] must be an integer class in [0, 10), but got 12');
      await expect(run({ labels: [...labels.slice(1), 0.5] })).rejects.toThrow(`shardedAttack: labels[${EXAMPLES - 1}] must be an integer class in [0, 10), but got 0.5`);
      await expect(run({ options: { workers: -1 } })).rejects.toThrow('shardedAttack: options.workers must be an integer in [0, 64], but got -1');
      await expect(run({ options: { workers: 1.5 } })).rejects.toThrow('shardedAttack: options.workers must be an integer in [0, 64], but got 1.5');
      await expect(run({ options: { chunkSize: 0 } })).rejects.toThrow('shardedAttack: options.chunkSize must be a positive integer, but got 0');
      await expect(run({ options: { epsilons: [] } })).rejects.toThrow('shardedAttack: options.epsilons must be a non-empty array of budgets, but got []');
      await expect(run({ options: { epsilons: [0.1, -1] } })).rejects.toThrow('shardedAttack: options.epsilons[1] must be a finite number >= 0, but got -1');
      await expect(run({ attack: { attack: 'deepfool' } })).rejects.toThrow(
        "shardedAttack: attack.attack must be one of 'pgd', 'fgsm', 'bim', 'mifgsm', 'apgd', 'apgdt', 'cw', 'square', 'autoattack', but got \"deepfool\"",
      );
      await expect(run({ attack: 'pgd' })).rejects.toThrow("shardedAttack: attack must be an object like { attack: 'pgd', options: { steps: 40 } }, but got string");
      await expect(run({ attack: { attack: 'pgd', options: { onStep: () => undefined } } })).rejects.toThrow(
        'shardedAttack: attack.options.onStep is a function, which cannot be sent to a worker thread',
      );
      await expect(run({ attack: { attack: 'pgd', options: { stpes: 3 } } })).rejects.toThrow(
        "shardedAttack: attack.options.stpes is not an option of 'pgd' (its options: norm, steps, relStepSize, stepSize, randomStart, restarts, seed)",
      );
      await expect(run({ attack: { attack: 'pgd', options: { steps: 0 } } })).rejects.toThrow('shardedAttack: attack.options: PGD: config.steps');
      await expect(run({ model: null })).rejects.toThrow('shardedAttack: model must be a @ddar/disentangle model, { saved }, { module } or a function');
      await expect(run({ model: { module: 'relative/model.js' } })).rejects.toThrow('shardedAttack: model.module must be a URL or an absolute path');
      await expect(run({ model: { module: MODULE, exportName: 'notAFunction' } })).rejects.toThrow("model.module: file://");
      await expect(run({ model: { saved: path.join(tmpdir(), 'no-such-model-here') } })).rejects.toThrow('shardedAttack: could not read model.saved');
      await expect(run({ model: { saved: { modelTopology: {}, weightSpecs: [], weightData: new ArrayBuffer(0) } } })).rejects.toThrow(
        'shardedAttack: model.saved is not a model loadClassifierModel reads',
      );
      await expect(ShardedAttackPool.start(ddar, { workers: 65 })).rejects.toThrow('ShardedAttackPool.start: options.workers must be an integer in [0, 64], but got 65');
      // Every one of these was refused before any worker was given work.
      expect(spawned).not.toHaveBeenCalled();
    } finally {
      spawned.mockRestore();
      tf.dispose([rank3, wrongShape, outOfBounds]);
    }
  });

  it("rejects with a worker's error and terminates every worker", async () => {
    const faulty = (faultInWorker: string) => ({
      module: MODULE,
      exportName: 'createLinearClassifier',
      options: { inputShape: SHAPE, numClasses: 10, seed: 4, faultInWorker },
    });
    const terminate = jest.spyOn(Worker.prototype, 'terminate');
    try {
      const pool = await ShardedAttackPool.start(faulty('logits'), { workers: 2 });
      const attack: AttackDescription = { attack: 'pgd', options: { steps: 2 } };
      await expect(pool.attack(images, labels, attack, { epsilons: [0.01], chunkSize: 4 })).rejects.toThrow(
        /^ShardedAttackPool.attack: sharded-attack worker [12]: Error: logits failed in the worker/,
      );
      expect(terminate).toHaveBeenCalledTimes(2);
      await expect(pool.attack(images, labels, attack, { epsilons: [0.01] })).rejects.toThrow(
        'ShardedAttackPool.attack: the pool was stopped by an earlier error (ShardedAttackPool.attack: sharded-attack worker',
      );
      await pool.dispose();
      // An error while the workers start stops them too.
      terminate.mockClear();
      await expect(shardedAttack(faulty('build'), images, labels, { attack: 'fgsm' }, { epsilons: [0.01], workers: 2 })).rejects.toThrow(
        /^shardedAttack: could not start the workers: sharded-attack worker [12]: Error: .*cannot build the model in a worker/,
      );
      expect(terminate).toHaveBeenCalledTimes(2);
    } finally {
      terminate.mockRestore();
    }
  });

  it('keeps the main thread free of leaked tensors, and stops its workers after the call', async () => {
    const terminate = jest.spyOn(Worker.prototype, 'terminate');
    const attack: AttackDescription = { attack: 'pgd', options: { steps: 2, seed: 1 } };
    const before = tf.memory().numTensors;
    for (let call = 0; call < 2; call++) {
      const result = await shardedAttack(ddar, images, labels, attack, { epsilons: [0.01, 0.02], chunkSize: 16, workers: 1, adversarials: true });
      expect(tf.memory().numTensors).toBe(before + 2);
      disposeShardedResult(result);
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(terminate).toHaveBeenCalledTimes(2);
    terminate.mockRestore();
  });

  it('reuses a pool across calls until it is disposed, reports progress and can be cancelled', async () => {
    const pool = await ShardedAttackPool.start(ddar, { workers: 1 });
    try {
      expect(pool.threads).toBe(2);
      expect(pool.startup?.workers).toHaveLength(1);
      const before = tf.memory().numTensors;
      const progress: ShardedAttackProgress[] = [];
      const attack: AttackDescription = { attack: 'pgd', options: { steps: 2, seed: 1 } };
      const first = await pool.attack(images, labels, attack, {
        epsilons: [0.01],
        chunkSize: CHUNK_SIZE,
        onProgress: (p) => progress.push(p),
      });
      // One report per chunk, in the order they finish (the short last chunk may finish before another).
      expect(progress.map((p) => p.chunksDone)).toEqual([1, 2, 3, 4, 5]);
      expect(progress.every((p) => p.chunks === 5 && p.examples === EXAMPLES)).toBe(true);
      expect(progress[4].examplesDone).toBe(EXAMPLES);
      const second = await pool.robustAccuracy(images, labels, attack, { epsilons: [0.01], chunkSize: CHUNK_SIZE });
      expect(second.correct[0]).toEqual(Array.from(first.results[0].success, (s) => 1 - s));
      expect(tf.memory().numTensors).toBe(before);

      const controller = new AbortController();
      const cancelled = pool.attack(images, labels, attack, {
        epsilons: [0.01],
        chunkSize: 4,
        signal: controller.signal,
        onProgress: () => controller.abort(new Error('enough')),
      });
      await expect(cancelled).rejects.toThrow('enough');
      // A cancelled call leaves the pool usable.
      const after = await pool.attack(images, labels, attack, { epsilons: [0.01], chunkSize: CHUNK_SIZE });
      expect(Array.from(after.results[0].success)).toEqual(Array.from(first.results[0].success));
    } finally {
      await pool.dispose();
    }
    await expect(pool.attack(images, labels, { attack: 'fgsm' }, { epsilons: [0.01] })).rejects.toThrow('ShardedAttackPool.attack: the pool was disposed');
  });
});
