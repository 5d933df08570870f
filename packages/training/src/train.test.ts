import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import type { Dataset } from '@ddar/datasets';
import { train } from './train_node.js';
import type { ProgressEvent } from './progress_event.js';
import { TinyClassifier } from './test-utils/tiny_classifier.js';
import { syntheticDataset } from './test-utils/synthetic_dataset.js';

describe('train', () => {
  let trainSet: Dataset;
  let validation: Dataset;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
    trainSet = syntheticDataset('toy/train', 96, 1);
    validation = syntheticDataset('toy/validation', 64, 2);
  });
  afterAll(() => {
    trainSet.dispose();
    validation.dispose();
  });

  it('learns, logs every loss term and accuracy, and keeps memory flat across epochs', async () => {
    const model = new TinyClassifier({ inputShape: [8, 8, 1], numClasses: 4, seed: 3 });
    const tensorsAfterEpoch: number[] = [];
    const events: ProgressEvent[] = [];
    const lines: string[] = [];
    const history = await train(model, { train: trainSet, validation }, {
      epochs: 4,
      batchSize: 16,
      optimizer: { name: 'adam', learningRate: 0.01 },
      lossWeights: { reconstruction: 0.5 },
      log: (line) => lines.push(line),
      onProgress: (event) => {
        events.push(event);
        if (event.type === 'epoch') tensorsAfterEpoch.push(tf.memory().numTensors);
      },
    });
    expect(history.status).toBe('completed');
    expect(history.epochs).toHaveLength(4);
    expect(history.globalStep).toBe(24);
    const [first, last] = [history.epochs[0], history.epochs[3]];
    expect(Object.keys(first.losses).sort()).toEqual(['classification', 'reconstruction', 'total']);
    expect(last.losses.total).toBeLessThan(first.losses.total);
    expect(last.validationAccuracy).toBeGreaterThan(0.9);
    expect(last.trainAccuracy).toBeGreaterThan(first.trainAccuracy);
    expect(tensorsAfterEpoch.every((n) => n === tensorsAfterEpoch[0])).toBe(true);
    expect(events.filter((e) => e.type === 'step')).toHaveLength(24);
    expect(lines.some((line) => /epoch 4\/4 done .* val acc/.test(line))).toBe(true);
    expect(JSON.parse(JSON.stringify(history))).toEqual(history);
    model.dispose();
  });
});
