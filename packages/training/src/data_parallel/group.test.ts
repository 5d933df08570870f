import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import type { Dataset } from '@ddar/datasets';
import { termGradientNorms } from '@ddar/disentangle';
import { DataParallelGroup, shardBounds } from './group.js';
import { NonFiniteLossError } from '../non_finite_loss_error.js';
import { createOptimizer } from '../optimizer_factory.js';
import { resolveTrainingConfig } from '../resolve_config.js';
import { trainableVariables } from '../trainable_model.js';
import type { TrainingConfig } from '../config.js';
import type { ProgressEvent } from '../progress_event.js';
import { smallModels } from '../test-utils/small_models.js';
import { syntheticDataset } from '../test-utils/synthetic_dataset.js';
import { TinyClassifier } from '../test-utils/tiny_classifier.js';
import type { TrainableModel } from '../trainable_model.js';
import { train } from '../train_node.js';

jest.mock('./worker_entry', () =>
  (jest.requireActual('../test-utils/source_worker_entry') as typeof import('../test-utils/source_worker_entry.js')).sourceWorkerEntryModule(),
);

const TINY_REPLICA = path.join(__dirname, '..', 'test-utils', 'tiny_replica.cjs');

function weightsOf(model: TrainableModel): Float32Array[] {
  return model.network!.weights.map((weight) => weight.read().dataSync() as Float32Array);
}

function maxAbsDifference(a: Float32Array[], b: Float32Array[]): number {
  let max = 0;
  a.forEach((values, i) => values.forEach((value, k) => (max = Math.max(max, Math.abs(value - b[i][k])))));
  return max;
}

/** A small DDAR model, its optimizer and a data-parallel group of two workers around them. */
async function startSmallDdarGroup(trainSet: Dataset, config: TrainingConfig) {
  const model = smallModels.ddar();
  const resolved = resolveTrainingConfig(model, { train: trainSet }, config);
  const scheduled = createOptimizer(resolved.optimizer);
  const variables = trainableVariables(model);
  const context = { model, optimizer: scheduled.optimizer, variables, lossWeights: {}, adversarial: null, augmentation: null };
  const group = await DataParallelGroup.start(context, { workers: 2 }, resolved);
  return { model, scheduled, variables, group };
}

describe('shardBounds', () => {
  it('covers the batch in order with shards that differ by at most one row', () => {
    for (const [rows, parts] of [[64, 2], [65, 2], [16, 3], [2, 3], [1, 4], [127, 8]]) {
      const bounds = shardBounds(rows, parts);
      expect(bounds).toHaveLength(parts);
      expect(bounds[0][0]).toBe(0);
      expect(bounds[parts - 1][1]).toBe(rows);
      bounds.slice(1).forEach(([start], i) => expect(start).toBe(bounds[i][1]));
      const sizes = bounds.map(([start, end]) => end - start);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });
});

describe('train with dataParallel', () => {
  let trainSet: Dataset;
  let validation: Dataset;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
    trainSet = syntheticDataset('toy/train', 40, 1);
    validation = syntheticDataset('toy/validation', 32, 2);
  });
  afterAll(() => {
    trainSet.dispose();
    validation.dispose();
  });

  // 40 images in batches of 16: the last batch (8) is split unevenly too with 3 threads. Bias reduction is off: it
  // penalizes the mean warp of the batch, which each thread can only take over its own shard. At this learning rate the
  // default reconstruction weight of 10 amplifies float rounding beyond the tolerance within a few steps, hence 1; and
  // the total variation's |.| flips its gradient on rounding-sized differences of a near-flat warp, hence a light weight.
  const config: TrainingConfig = {
    epochs: 2,
    batchSize: 16,
    optimizer: { name: 'sgd', learningRate: 0.5, momentum: 0.9 },
    lossWeights: { reconstruction: 1, smoothness: 0.01, biasReduction: 0 },
    log: false,
    seed: 4,
  };

  it('takes the same steps as one thread, up to float rounding, for every thread count', async () => {
    const reference = smallModels.ddar();
    const single = await train(reference, { train: trainSet, validation }, config);
    const expected = weightsOf(reference);
    for (const workers of [1, 2]) {
      const model = smallModels.ddar();
      const lines: string[] = [];
      const history = await train(model, { train: trainSet, validation }, { ...config, dataParallel: { workers }, log: (line) => lines.push(line) });
      expect(history.threads).toBe(workers + 1);
      expect(lines).toContain(`data parallel: each batch shared among ${workers + 1} threads`);
      // The workers' copies were checked against the main model at every epoch end and never needed a re-sync.
      expect(lines.filter((line) => line.includes('synchronized again'))).toEqual([]);
      expect(maxAbsDifference(weightsOf(model), expected)).toBeLessThan(1e-5);
      history.epochs.forEach((epoch, i) => {
        // The logged bias reduction is a mean of per-shard values, not the whole batch's (it is a batch statistic).
        for (const [term, value] of Object.entries(single.epochs[i].losses)) {
          if (term !== 'biasReduction') expect([term, epoch.losses[term]]).toEqual([term, expect.closeTo(value, 5)]);
        }
        expect(epoch.trainAccuracy).toBe(single.epochs[i].trainAccuracy);
        expect(epoch.validationAccuracy).toBe(single.epochs[i].validationAccuracy);
      });
      model.dispose();
    }
    expect(single.threads).toBe(1);
    reference.dispose();
  });

  it('gives idle workers nothing when a batch has fewer images than threads', async () => {
    const tiny = { ...config, batchSize: 2, epochs: 1 };
    const reference = smallModels.ddar();
    await train(reference, { train: trainSet }, tiny);
    const model = smallModels.ddar();
    const history = await train(model, { train: trainSet }, { ...tiny, dataParallel: { workers: 3 } });
    expect(history.threads).toBe(4);
    expect(maxAbsDifference(weightsOf(model), weightsOf(reference))).toBeLessThan(1e-5);
    reference.dispose();
    model.dispose();
  });

  it('resumes a cancelled run to the very weights of an uninterrupted one', async () => {
    const adversarialRun: TrainingConfig = {
      ...config,
      epochs: 3,
      optimizer: { name: 'adam', learningRate: 0.01 },
      adversarial: { method: 'pgd', epsilon: 0.1, steps: 2 },
      dataParallel: { workers: 1 },
    };
    const uninterrupted = smallModels.ddar();
    await train(uninterrupted, { train: trainSet }, adversarialRun);

    const directory = mkdtempSync(path.join(tmpdir(), 'ddar-data-parallel-resume-'));
    const controller = new AbortController();
    const first = smallModels.ddar();
    const cancelled = await train(first, { train: trainSet }, {
      ...adversarialRun,
      checkpoint: { directory },
      signal: controller.signal,
      onProgress: (event) => event.type === 'step' && event.globalStep === 4 && controller.abort(),
    });
    expect(cancelled.status).toBe('cancelled');
    first.dispose();
    const resumed = smallModels.ddar(99);
    const history = await train(resumed, { train: trainSet }, { ...adversarialRun, checkpoint: { directory }, resume: true });
    expect(history.resumedAt).toEqual([4]);
    expect(maxAbsDifference(weightsOf(resumed), weightsOf(uninterrupted))).toBe(0);
    resumed.dispose();
    uninterrupted.dispose();
  });

  it('keeps the main thread memory flat across epochs and stops its workers', async () => {
    const model = smallModels.baseline();
    const tensorsAfterEpoch: number[] = [];
    const before = tf.memory().numTensors;
    await train(model, { train: trainSet }, {
      ...config,
      epochs: 4,
      dataParallel: { workers: 1 },
      onProgress: (event: ProgressEvent) => {
        if (event.type === 'epoch') tensorsAfterEpoch.push(tf.memory().numTensors);
      },
    });
    expect(new Set(tensorsAfterEpoch).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('trains adversarially, each thread crafting the adversarials of its shard', async () => {
    const model = smallModels.ddar();
    const history = await train(model, { train: trainSet }, {
      ...config,
      optimizer: { name: 'adam', learningRate: 0.01 },
      adversarial: { method: 'pgd', epsilon: 0.1, steps: 2 },
      dataParallel: { workers: 1 },
    });
    const [first, last] = [history.epochs[0], history.epochs[1]];
    expect(last.trainAdversarialAccuracy).toBeGreaterThanOrEqual(0);
    expect(last.trainAdversarialAccuracy).toBeLessThanOrEqual(1);
    expect(last.losses.total).toBeLessThan(first.losses.total);
    model.dispose();
  });

  it('builds worker copies from a replica module, batch-norm statistics included', async () => {
    const options = { inputShape: [8, 8, 1] as [number, number, number], numClasses: 4, seed: 3 };
    const model = new TinyClassifier(options);
    const lines: string[] = [];
    const history = await train(model, { train: trainSet, validation }, {
      ...config,
      epochs: 4,
      log: (line) => lines.push(line),
      dataParallel: { workers: 1, replica: { module: TINY_REPLICA, exportName: 'createTinyClassifier', options } },
    });
    expect(history.threads).toBe(2);
    expect(lines.filter((line) => line.includes('synchronized again'))).toEqual([]);
    // Batch norm normalizes each shard with its own statistics, so the run is not the one-thread run; it must learn.
    expect(history.epochs[3].losses.total).toBeLessThan(history.epochs[0].losses.total);
    expect(history.epochs[3].validationAccuracy).toBeGreaterThan(0.9);
    model.dispose();
  });

  it('stops on a non-finite loss or an error in a worker, as on the main thread', async () => {
    const options = { inputShape: [8, 8, 1] as [number, number, number], numClasses: 4, seed: 3 };
    const run = (fault: string) =>
      train(new TinyClassifier(options), { train: trainSet }, {
        ...config,
        dataParallel: { workers: 1, replica: { module: TINY_REPLICA, exportName: 'createTinyClassifier', options: { ...options, fault } } },
      });
    await expect(run('nan')).rejects.toThrow(NonFiniteLossError);
    await expect(run('throw')).rejects.toThrow(/data-parallel worker 1: Error: lossTerms failed in the replica/);
  });

  it('notices a worker whose copy no longer matches, and synchronizes it again', async () => {
    const { model, scheduled, variables, group } = await startSmallDdarGroup(trainSet, config);
    try {
      const images = tf.slice(trainSet.images, 0, 16) as tf.Tensor4D;
      const labels = tf.slice(trainSet.labels, 0, 16) as tf.Tensor1D;
      await group.step(images, labels, 1, 0.5);
      await group.step(images, labels, 2, 0.5);
      expect(await group.divergedWorkers()).toEqual([]);
      // Changed behind the workers' backs, as a bug in keeping the copies identical would.
      tf.tidy(() => variables[0].assign(tf.add(variables[0], 1e-6)));
      expect(await group.divergedWorkers()).toEqual([1, 2]);
      await group.synchronize();
      expect(await group.divergedWorkers()).toEqual([]);
      tf.dispose([images, labels]);
    } finally {
      await group.dispose();
      scheduled.dispose();
      model.dispose();
    }
  });

  it('shares the terms of the gradient norms among the threads and gets exactly the one-thread norms', async () => {
    const { model, scheduled, group } = await startSmallDdarGroup(trainSet, config);
    const images = tf.slice(trainSet.images, 0, 16) as tf.Tensor4D;
    const labels = tf.slice(trainSet.labels, 0, 16) as tf.Tensor1D;
    const transformed = tf.reverse(images, 2) as tf.Tensor4D;
    try {
      await group.step(images, labels, 1, 0.5);
      const weights = { appearanceInvariance: 0.5 };
      for (const [options, shared] of [
        [{}, await group.termGradientNorms(images, labels, undefined, {})],
        [{ transformedImages: transformed }, await group.termGradientNorms(images, labels, transformed, weights)],
      ] as const) {
        const alone = termGradientNorms(model, images, labels, 'transformedImages' in options ? weights : {}, options);
        expect(Object.keys(alone).length).toBeGreaterThan(2);
        expect(shared).toEqual(alone);
      }
      // The training passes of the norms left every copy as it was.
      expect(await group.divergedWorkers()).toEqual([]);
    } finally {
      tf.dispose([images, labels, transformed]);
      await group.dispose();
      scheduled.dispose();
      model.dispose();
    }
  });

  it('refuses what it cannot run, saying why', async () => {
    const tiny = new TinyClassifier({ inputShape: [8, 8, 1], numClasses: 4, seed: 3 });
    const run = (dataParallel: unknown, model: TrainableModel = tiny) =>
      train(model, { train: trainSet }, { ...config, dataParallel: dataParallel as TrainingConfig['dataParallel'] });
    await expect(run({ workers: -1 })).rejects.toThrow('config.dataParallel.workers must be an integer in [0, 64], but got -1');
    await expect(run({ workers: 1.5 })).rejects.toThrow('config.dataParallel.workers must be an integer in [0, 64]');
    await expect(run({ workers: 1 })).rejects.toThrow(/this model's kind is 'tiny'; give dataParallel.replica/);
    await expect(run({ workers: 1, replica: { module: 'relative/model.js' } })).rejects.toThrow(/must be a URL or an absolute path/);
    await expect(run({ workers: 1, replica: { module: TINY_REPLICA, exportName: 'notAFunction' } })).rejects.toThrow(
      /could not start the workers: .*has no function export 'notAFunction'/,
    );
    await expect(
      run({ workers: 1, replica: { module: TINY_REPLICA, exportName: 'createTinyClassifier', options: { inputShape: [8, 8, 1], numClasses: 4, hidden: 9, seed: 3 } } }),
    ).rejects.toThrow(/could not start the workers: data-parallel worker 1: the replica's weights do not match the main model's/);
    await expect(run({ workers: 1, replica: { module: TINY_REPLICA, options: { f: () => 1 } } })).rejects.toThrow(
      'config.dataParallel.replica.options must be plain data a worker can receive',
    );
    tiny.dispose();
  });
});
