import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import type { Dataset } from '@ddar/datasets';
import * as browser from './browser.js';
import * as node from './index.js';
import { TinyClassifier } from './test-utils/tiny_classifier.js';
import { syntheticDataset } from './test-utils/synthetic_dataset.js';

// The browser entry runs here in Node.js; apps/browser-check runs it in headless Chromium.
describe('the browser entry of @ddar/training', () => {
  let data: Dataset;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
    data = syntheticDataset('toy/train', 48, 1);
  });
  afterAll(() => data.dispose());
  afterEach(() => jest.restoreAllMocks());

  const config = { epochs: 2, batchSize: 16, optimizer: { name: 'adam' as const, learningRate: 0.01 } };

  it('exports the same names as the Node.js entry, so code shared between the two bundles for both', () => {
    expect(Object.keys(browser).sort()).toEqual(Object.keys(node).sort());
  });

  it('trains on the main thread, with log lines on the console, and learns what the Node.js train learns', async () => {
    const info = jest.spyOn(console, 'info').mockImplementation(() => undefined);
    const inBrowser = new TinyClassifier({ inputShape: [8, 8, 1], numClasses: 4, seed: 3 });
    const inNode = new TinyClassifier({ inputShape: [8, 8, 1], numClasses: 4, seed: 3 });
    const history = await browser.train(inBrowser, { train: data }, config);
    const reference = await node.train(inNode, { train: data }, { ...config, log: false });
    expect(history.status).toBe('completed');
    expect(history.threads).toBe(1);
    expect(history.epochs.map((e) => e.losses)).toEqual(reference.epochs.map((e) => e.losses));
    expect(history.epochs[1].losses.total).toBeLessThan(history.epochs[0].losses.total);
    const lines = info.mock.calls.map(([line]) => String(line));
    expect(lines[0]).toMatch(/^training \S+ on toy\/train \(48 images, 3 steps\/epoch, 2 epochs\)/);
    expect(lines.some((line) => line.startsWith('epoch 2/2 done'))).toBe(true);
    expect(lines.every((line) => !line.endsWith('\n'))).toBe(true);
    inBrowser.dispose();
    inNode.dispose();
  });

  it('rejects checkpoints and worker threads before training, saying what to do in a browser', async () => {
    const model = new TinyClassifier({ inputShape: [8, 8, 1], numClasses: 4, seed: 3 });
    const logits = (): number[][] => tf.tidy(() => model.classify(tf.slice(data.images, 0, 4))).arraySync() as number[][];
    const before = logits();
    await expect(browser.train(model, { train: data }, { ...config, log: false, checkpoint: { directory: 'runs/a' } })).rejects.toThrow(
      "train: config.checkpoint reads and writes checkpoints on the file system, which only Node.js has; in a browser save the model yourself when training returns, e.g. model.save('indexeddb://<name>')",
    );
    const resume = { ...config, log: false, resume: true, checkpoint: { directory: 'runs/a' } };
    await expect(browser.train(model, { train: data }, resume)).rejects.toThrow(/^train: config.checkpoint reads and writes/);
    await expect(browser.train(model, { train: data }, { ...config, log: false, dataParallel: { workers: 2 } })).rejects.toThrow(
      'train: config.dataParallel asks for 2 worker thread(s), which this browser build does not have',
    );
    // Nothing was trained: the weights are as they were.
    expect(logits()).toEqual(before);
    const history = await browser.train(model, { train: data }, { ...config, epochs: 1, log: false, dataParallel: { workers: 0 } });
    expect(history.threads).toBe(1);
    model.dispose();
  });

  it('keeps the sharded attacks and readCheckpoint, each failing with what to use in a browser', async () => {
    const model = { saved: 'indexeddb://tiny' };
    const images = tf.slice(data.images, 0, 4);
    const pgd = { attack: 'pgd' as const, options: { steps: 2 } };
    const instead = /shares attacks among Node\.js worker threads, which this browser build does not have; in a browser run the attack on the main thread with @ddar\/attacks/;
    await expect(browser.ShardedAttackPool.start(model)).rejects.toThrow(instead);
    await expect(browser.shardedAttack(model, images, [0, 1, 2, 3], pgd, { epsilons: [0.1] })).rejects.toThrow(instead);
    await expect(browser.shardedRobustAccuracy(model, images, [0, 1, 2, 3], pgd, { epsilons: [0.1] })).rejects.toThrow(/^shardedRobustAccuracy shares attacks/);
    await expect(browser.readCheckpoint('runs/a')).rejects.toThrow(/^readCheckpoint\("runs\/a"\) reads and writes checkpoints on the file system/);
    images.dispose();
  });
});
