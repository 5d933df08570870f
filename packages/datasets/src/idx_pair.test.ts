import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { loadIdxPair } from './idx_pair.js';
import { writeIdx } from './test-utils/idx_writer.js';

describe('loadIdxPair', () => {
  let dir: string;
  const imagesPath = () => join(dir, 'images-idx3-ubyte.gz');
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
    dir = mkdtempSync(join(tmpdir(), 'ddar-pair-'));
    const pixels = Uint8Array.from({ length: 3 * 2 * 2 }, (_, i) => [0, 51, 255][i % 3]);
    writeFileSync(imagesPath(), gzipSync(writeIdx([3, 2, 2], pixels)));
    writeFileSync(join(dir, 'labels'), writeIdx([3], Uint8Array.from([2, 0, 1])));
    writeFileSync(join(dir, 'labels-2'), writeIdx([2], Uint8Array.from([2, 0])));
    writeFileSync(join(dir, 'labels-big'), writeIdx([3], Uint8Array.from([2, 0, 5])));
    writeFileSync(join(dir, 'images-none'), writeIdx([0, 2, 2], new Uint8Array(0)));
    writeFileSync(join(dir, 'labels-none'), writeIdx([0], new Uint8Array(0)));
    writeFileSync(join(dir, 'labels-huge'), writeIdx([3], Int32Array.from([2, 2147483647, 1])));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives [N,H,W,1] float32 in [0,1], int32 labels and default class names', async () => {
    const before = tf.memory().numTensors;
    const ds = await loadIdxPair(imagesPath(), join(dir, 'labels'), { name: 'tiny' });
    expect(ds.name).toBe('tiny');
    expect(ds.images.shape).toEqual([3, 2, 2, 1]);
    expect(ds.images.dtype).toBe('float32');
    expect(ds.labels.dtype).toBe('int32');
    expect(ds.size).toBe(3);
    expect(Array.from(ds.images.dataSync().slice(0, 4))).toEqual([0, Math.fround(51 / 255), 1, 0]);
    expect(Array.from(ds.labels.dataSync())).toEqual([2, 0, 1]);
    expect(ds.classNames).toEqual(['0', '1', '2']);
    ds.dispose();
    ds.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the first `limit` examples', async () => {
    const ds = await loadIdxPair(imagesPath(), join(dir, 'labels'), { limit: 2, classNames: ['a', 'b', 'c'] });
    expect(ds.size).toBe(2);
    expect(ds.numClasses).toBe(3);
    expect(Array.from(ds.labels.dataSync())).toEqual([2, 0]);
    ds.dispose();
  });

  it('names both files when the counts differ, and the labels file when a label is out of range', async () => {
    const before = tf.memory().numTensors;
    await expect(loadIdxPair(imagesPath(), join(dir, 'labels-2'))).rejects.toThrow(
      `${join(dir, 'labels-2')}: holds 2 labels but ${imagesPath()} holds 3 images`,
    );
    await expect(loadIdxPair(imagesPath(), join(dir, 'labels-big'), { classNames: ['a', 'b', 'c'] })).rejects.toThrow(
      `${join(dir, 'labels-big')}: label 5 at index 2 is outside [0, 3)`,
    );
    await expect(loadIdxPair(imagesPath(), join(dir, 'labels'), { limit: 0 })).rejects.toThrow('limit must be a positive integer');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a pair without images, and a label too large to be a class index without class names', async () => {
    await expect(loadIdxPair(join(dir, 'images-none'), join(dir, 'labels-none'))).rejects.toThrow(
      `${join(dir, 'images-none')}: holds no images`,
    );
    // Before: one class name was built per label up to 2^31 - 1, until the process ran out of memory.
    const started = Date.now();
    await expect(loadIdxPair(imagesPath(), join(dir, 'labels-huge'))).rejects.toThrow(
      `${join(dir, 'labels-huge')}: label 2147483647 at index 1: without class names`,
    );
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(loadIdxPair(imagesPath(), join(dir, 'labels-huge'), { classNames: ['a', 'b', 'c'] })).rejects.toThrow(
      'label 2147483647 at index 1 is outside [0, 3)',
    );
  });
});
