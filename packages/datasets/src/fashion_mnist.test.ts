import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { loadFashionMnist } from './fashion_mnist.js';
import { DEBIAN_FASHION_MNIST_DIR, FASHION_MNIST_CLASS_NAMES } from './dataset_sources.js';
import { startFixtureServer, type FixtureServer } from './test-utils/fixture_server.js';
import { writeIdx } from './test-utils/idx_writer.js';

const debianInstalled = existsSync(DEBIAN_FASHION_MNIST_DIR);
const INSTALL_HINT = `Fashion-MNIST tests need ${DEBIAN_FASHION_MNIST_DIR}: apt-get install -y dataset-fashion-mnist`;

let cacheDir: string;
beforeAll(() => initBackend({ backend: 'wasm', log: false }));
beforeEach(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'ddar-fashion-'));
});
afterEach(() => rmSync(cacheDir, { recursive: true, force: true }));

if (!debianInstalled) {
  if (process.env.CI) {
    test('the Debian Fashion-MNIST package is installed on CI', () => {
      throw new Error(INSTALL_HINT);
    });
  } else {
    console.warn(`Skipping the Debian Fashion-MNIST tests. ${INSTALL_HINT}`);
  }
}

(debianInstalled ? describe : describe.skip)('loadFashionMnist from the Debian package', () => {
  it('loads the 10 000 test images, 1 000 per class, from the .gz files', async () => {
    const before = tf.memory().numTensors;
    const ds = await loadFashionMnist({ split: 'test', cacheDir, download: false });
    expect(ds.name).toBe('fashion-mnist/test');
    expect(ds.images.shape).toEqual([10000, 28, 28, 1]);
    expect(ds.classNames).toEqual(FASHION_MNIST_CLASS_NAMES);
    const counts = new Array(10).fill(0);
    for (const label of ds.labels.dataSync()) counts[label]++;
    expect(counts).toEqual(new Array(10).fill(1000));
    const max = tf.tidy(() => tf.max(ds.images).dataSync()[0]);
    expect(max).toBe(1);
    ds.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('loadFashionMnist without the files', () => {
  it('offline with nothing found, says where it looked and exactly how to get the files', async () => {
    const empty = join(cacheDir, 'nothing-here');
    const error = await loadFashionMnist({ split: 'train', cacheDir, dataDirs: [empty], download: false }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`looked in ${join(cacheDir, 'fashion-mnist')}, ${empty}`);
    expect(message).toContain('apt-get install dataset-fashion-mnist');
    expect(message).toContain(`put train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz from http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/ into ${join(cacheDir, 'fashion-mnist')}`);
  });

  describe('downloading from a local server', () => {
    let server: FixtureServer;
    const md5 = (bytes: Uint8Array) => ({ algorithm: 'md5' as const, digest: createHash('md5').update(bytes).digest('hex') });
    const images = gzipSync(writeIdx([10000, 28, 28], Uint8Array.from({ length: 10000 * 784 }, (_, i) => i % 256)));
    const labels = gzipSync(writeIdx([10000], Uint8Array.from({ length: 10000 }, (_, i) => (i * 3) % 10)));
    const checksums = { 't10k-images-idx3-ubyte.gz': md5(images), 't10k-labels-idx1-ubyte.gz': md5(labels) };
    beforeAll(async () => {
      server = await startFixtureServer({ '/t10k-images-idx3-ubyte.gz': images, '/t10k-labels-idx1-ubyte.gz': labels });
    });
    afterAll(() => server.close());

    it('downloads both files of the split into the cache, verifies them, then reads the cache', async () => {
      const options = { split: 'test' as const, cacheDir, dataDirs: [], baseUrl: server.baseUrl, checksums, limit: 4 };
      const ds = await loadFashionMnist(options);
      expect(Array.from(ds.labels.dataSync())).toEqual([0, 3, 6, 9]);
      ds.dispose();
      expect(readdirSync(join(cacheDir, 'fashion-mnist')).sort()).toEqual(['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']);
      const again = await loadFashionMnist({ ...options, download: false });
      again.dispose();
      expect(server.requests.map((r) => r.path)).toEqual(['/t10k-images-idx3-ubyte.gz', '/t10k-labels-idx1-ubyte.gz']);
    });

    it('rejects files whose checksum does not match the published one', async () => {
      await expect(loadFashionMnist({ split: 'test', cacheDir, dataDirs: [], baseUrl: server.baseUrl, retries: 0 })).rejects.toThrow(
        'Checksum mismatch for',
      );
      expect(readdirSync(join(cacheDir, 'fashion-mnist'))).toEqual([]);
    });
  });
});
