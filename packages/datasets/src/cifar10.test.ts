import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { loadCifar10 } from './cifar10.js';
import type { DownloadProgress } from './download.js';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { makeCifarFixture, type CifarFixture } from './test-utils/cifar_fixture.js';
import { writeTar } from './test-utils/tar_writer.js';
import { startFixtureServer, type FixtureServer } from './test-utils/fixture_server.js';

describe('loadCifar10 (against a local HTTP server)', () => {
  let fixture: CifarFixture;
  let server: FixtureServer;
  let cacheDir: string;
  const wrongArchive = gzipSync(writeTar([{ name: 'cifar-10-batches-bin/data_batch_1.bin', data: new Uint8Array(3073) }]));
  const options = () => ({
    cacheDir,
    baseUrl: server.baseUrl,
    checksum: { algorithm: 'md5' as const, digest: fixture.md5 },
    retryDelayMs: 10,
  });

  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
    fixture = makeCifarFixture(20);
    server = await startFixtureServer({ '/cifar-10-binary.tar.gz': fixture.archive, '/wrong/cifar-10-binary.tar.gz': wrongArchive });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'ddar-cifar-'));
    server.behaviour = 'good';
    server.supportsRange = false;
    server.requests = [];
  });
  afterEach(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('downloads with progress, caches the extracted batches, and decodes records as HWC in [0,1]', async () => {
    const before = tf.memory().numTensors;
    const progress: DownloadProgress[] = [];
    const train = await loadCifar10({ ...options(), split: 'train', onProgress: (p) => progress.push(p) });
    expect(train.name).toBe('cifar10/train');
    expect(train.images.shape).toEqual([100, 32, 32, 3]);
    expect(train.classNames).toEqual(fixture.classNames);
    const last = progress[progress.length - 1];
    expect(last).toEqual({ url: `${server.baseUrl}cifar-10-binary.tar.gz`, receivedBytes: fixture.archive.length, totalBytes: fixture.archive.length });
    expect(readdirSync(cacheDir)).toEqual(['cifar-10-batches-bin']);

    // Record 3 of data_batch_2 is example 23; pixel (row 1, col 2) channel c sits at plane c, offset 34.
    const record = fixture.files['data_batch_2.bin'].subarray(3 * 3073, 4 * 3073);
    const pixel = tf.tidy(() => tf.slice(train.images, [23, 1, 2, 0], [1, 1, 1, 3]).dataSync());
    expect(Array.from(pixel)).toEqual([0, 1, 2].map((c) => Math.fround(record[1 + c * 1024 + 34] / 255)));
    expect(train.labels.dataSync()[23]).toBe(record[0]);
    train.dispose();

    const test = await loadCifar10({ ...options(), split: 'test', limit: 7 });
    expect(test.images.shape).toEqual([7, 32, 32, 3]);
    expect(Array.from(test.labels.dataSync())).toEqual(Array.from({ length: 7 }, (_, r) => fixture.files['test_batch.bin'][r * 3073]));
    test.dispose();
    expect(server.requests).toHaveLength(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a corrupted download without touching the cache, then a good download works', async () => {
    server.behaviour = 'corrupt';
    await expect(loadCifar10(options())).rejects.toThrow(
      `Checksum mismatch for ${server.baseUrl}cifar-10-binary.tar.gz: expected md5 ${fixture.md5}`,
    );
    expect(readdirSync(cacheDir)).toEqual([]);
    server.behaviour = 'good';
    const ds = await loadCifar10({ ...options(), split: 'test' });
    expect(ds.size).toBe(20);
    ds.dispose();
  });

  it('retries a transfer the server dropped mid-body, starting over when the server cannot resume', async () => {
    server.behaviour = 'drop-once';
    const ds = await loadCifar10({ ...options(), split: 'test' });
    expect(Array.from(ds.labels.dataSync())).toEqual(Array.from({ length: 20 }, (_, r) => fixture.files['test_batch.bin'][r * 3073]));
    ds.dispose();
    expect(server.requests).toHaveLength(2);
    expect(readdirSync(cacheDir)).toEqual(['cifar-10-batches-bin']);
  });

  it('resumes with a Range request when the server supports it', async () => {
    server.behaviour = 'drop-once';
    server.supportsRange = true;
    const ds = await loadCifar10({ ...options(), split: 'test' });
    expect(Array.from(ds.labels.dataSync())).toEqual(Array.from({ length: 20 }, (_, r) => fixture.files['test_batch.bin'][r * 3073]));
    ds.dispose();
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].range).toMatch(/^bytes=[1-9]\d*-$/);
  });

  it('rejects an archive without the CIFAR-10 batch files and extracts nothing', async () => {
    const digest = createHash('md5').update(wrongArchive).digest('hex');
    await expect(
      loadCifar10({ cacheDir, baseUrl: `${server.baseUrl}wrong/`, checksum: { algorithm: 'md5', digest } }),
    ).rejects.toThrow(/archive has no cifar-10-batches-bin\/data_batch_2\.bin, .*; it is not the CIFAR-10 binary version/);
    expect(readdirSync(cacheDir)).toEqual(['cifar-10-binary.tar.gz']);
  });

  it('uses a verified archive placed in the cache by hand, without downloading', async () => {
    writeFileSync(join(cacheDir, 'cifar-10-binary.tar.gz'), fixture.archive);
    const ds = await loadCifar10({ ...options(), split: 'test', download: false });
    expect(ds.size).toBe(20);
    ds.dispose();
    expect(server.requests).toHaveLength(0);
    expect(readdirSync(cacheDir)).toEqual(['cifar-10-batches-bin']);
  });

  it('fails offline with an error naming the URL and how to install by hand', async () => {
    const closed = await startFixtureServer({});
    const deadUrl = closed.baseUrl;
    await closed.close();
    await expect(loadCifar10({ ...options(), baseUrl: deadUrl, retries: 1 })).rejects.toThrow(
      new RegExp(`Could not download ${deadUrl}cifar-10-binary.tar.gz after 2 attempts: ECONNREFUSED.*download https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz into`),
    );
    expect(readdirSync(cacheDir)).toEqual([]);
    await expect(loadCifar10({ cacheDir, download: false })).rejects.toThrow(`CIFAR-10 not found in ${join(cacheDir, 'cifar-10-batches-bin')} and download is false`);
  });
});
