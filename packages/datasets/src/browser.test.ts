import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import * as browser from './browser.js';
import * as node from './index.js';
import { writeIdx } from './test-utils/idx_writer.js';

describe('the browser entry of @ddar/datasets', () => {
  beforeAll(() => initBackend({ backend: 'cpu', log: false }));

  it('exports the same names as the Node.js entry, so code shared between the two bundles for both', () => {
    expect(Object.keys(browser).sort()).toEqual(Object.keys(node).sort());
  });

  it('parses IDX bytes the program fetched, as the Node.js readIdx does', () => {
    const bytes = writeIdx([2, 2], Uint8Array.from([1, 2, 3, 4]));
    expect(browser.readIdx(bytes)).toEqual(node.readIdx(bytes));
    expect(() => browser.readIdx(bytes.subarray(0, 14), { name: 'labels' })).toThrow(
      'labels: truncated IDX file: dimensions [2,2] of uint8 need 16 bytes but the file has 14',
    );
  });

  it('says what to do with a file path or gzip bytes, which it cannot read', () => {
    expect(() => browser.readIdx('/data/t10k-labels-idx1-ubyte')).toThrow(
      "readIdx: cannot read the file /data/t10k-labels-idx1-ubyte in a browser; pass the file's bytes instead",
    );
    expect(() => browser.readIdx(gzipSync(writeIdx([1], Uint8Array.from([7]))), { name: 'labels.gz' })).toThrow(
      "readIdx: labels.gz is gzip-compressed; in a browser decompress it first (e.g. through new DecompressionStream('gzip'))",
    );
  });

  it('keeps the loaders that need the file system, each failing with what to do in a browser', async () => {
    const instead = /which only Node\.js has; in a browser fetch the IDX files yourself, pass their bytes to readIdx/;
    await expect(browser.loadMnist({ split: 'test' })).rejects.toThrow(instead);
    await expect(browser.loadFashionMnist()).rejects.toThrow(instead);
    await expect(browser.loadCifar10()).rejects.toThrow(instead);
    await expect(browser.loadIdxPair('a', 'b')).rejects.toThrow(instead);
    const checksum = { algorithm: 'md5', digest: '0' } as const;
    await expect(browser.downloadFile({ url: 'http://127.0.0.1/x', destination: 'x', checksum })).rejects.toThrow(instead);
    expect(() => browser.defaultDataDir()).toThrow(instead);
    expect(() => browser.mnistDataDirectory()).toThrow(instead);
  });

  it('works on tensors of the program: splits, batches and transforms them', () => {
    const images = tf.randomUniform([6, 8, 8, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const data = browser.createDataset('own', images, tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), ['a', 'b', 'c']);
    const { train, validation } = browser.trainValidationSplit(data, { validationFraction: 0.5, seed: 1 });
    const turned = browser.rotated(train, { degrees: 90 });
    expect([train.size, validation.size, turned.images.shape]).toEqual([3, 3, [3, 8, 8, 1]]);
    for (const ds of [data, train, validation, turned]) ds.dispose();
  });
});
