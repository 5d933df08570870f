import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { assertChecksum, fileDigest, type Checksum } from './checksum.js';
import { dataDirOrDefault } from './data_dir.js';
import { createDataset, type Dataset } from './dataset.js';
import { downloadFile, type DownloadProgress } from './download.js';
import { limitCount } from './idx_pair.js';
import { splitOrDefault } from './split_option.js';
import { readTarStream } from './tar_reader.js';
import { CIFAR10_CLASS_NAMES, CIFAR10_MD5, CIFAR10_URL } from './dataset_sources.js';


const ARCHIVE_DIR = 'cifar-10-batches-bin';
const TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
const TEST_FILES = ['test_batch.bin'];
const META_FILE = 'batches.meta.txt';
const SIDE = 32;
const PLANE = SIDE * SIDE;
// One label byte, then the red, green and blue 32x32 planes.
const RECORD_BYTES = 1 + 3 * PLANE;

/** Options of {@link loadCifar10}: which split, and where and how to download the archive. */
export interface LoadCifar10Options {
  /** Default 'train' (50 000 images); 'test' has 10 000. */
  split?: 'train' | 'test';
  /** Keep at most the first `limit` examples. */
  limit?: number;
  /** Root of the download cache; batches go to `<cacheDir>/cifar-10-batches-bin`. Default {@link defaultDataDir}. */
  cacheDir?: string;
  /** Directory URL the archive is fetched from: `<baseUrl>cifar-10-binary.tar.gz`. Default the Toronto site. */
  baseUrl?: string;
  /** Expected checksum of the archive. Default MD5 {@link CIFAR10_MD5}. */
  checksum?: Checksum;
  /** Download when the cache lacks the batches. Default true. */
  download?: boolean;
  /** Reports download progress, see {@link DownloadFileOptions.onProgress}. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Cancels the download; a partial archive is not kept as if complete. */
  signal?: AbortSignal;
  /** Retries after a network failure. Default 3. */
  retries?: number;
  /** Wait before the first retry, doubled for each further one. Default 500 ms. */
  retryDelayMs?: number;
}

/**
 * Loads CIFAR-10 (32x32x3 in [0,1], 10 classes) from the binary version. On first use downloads
 * the archive (~162 MB) with progress and checksum, streams the batch files out of it into the
 * cache and deletes the archive; later calls read the cache.
 */
export async function loadCifar10(options: LoadCifar10Options = {}): Promise<Dataset> {
  const where = 'loadCifar10';
  const split = splitOrDefault(options.split, where);
  const cacheRoot = dataDirOrDefault(options.cacheDir, where);
  const batchDir = join(cacheRoot, ARCHIVE_DIR);
  const archiveName = 'cifar-10-binary.tar.gz';
  const url = options.baseUrl === undefined ? CIFAR10_URL : new URL(archiveName, options.baseUrl).toString();
  const help = `To install it by hand: download ${CIFAR10_URL} into ${cacheRoot} (the next call verifies and extracts it), or extract it there yourself (creating ${batchDir}).`;

  if (!existsSync(join(batchDir, META_FILE))) {
    const archivePath = join(cacheRoot, archiveName);
    const checksum = options.checksum ?? { algorithm: 'md5', digest: CIFAR10_MD5 };
    assertChecksum(checksum, where);
    // An archive already in the cache (left by a failed extraction, or put there by hand) is
    // used when it verifies, instead of fetching 162 MB again.
    const cached = existsSync(archivePath) && (await fileDigest(archivePath, checksum.algorithm)) === checksum.digest.toLowerCase();
    if (!cached && options.download === false) {
      throw new Error(`${where}: CIFAR-10 not found in ${batchDir} and download is false. ${help}`);
    }
    if (!cached) {
      await downloadFile({
        url,
        destination: archivePath,
        checksum,
        onProgress: options.onProgress,
        signal: options.signal,
        retries: options.retries,
        retryDelayMs: options.retryDelayMs,
        helpOnFailure: help,
      });
    }
    await extractBatches(archivePath, cacheRoot, batchDir);
    await rm(archivePath, { force: true });
  }
  const classNames = await readClassNames(join(batchDir, META_FILE));
  return readBatches(
    (split === 'train' ? TRAIN_FILES : TEST_FILES).map((f) => join(batchDir, f)),
    `cifar10/${split}`,
    classNames,
    options.limit,
  );
}

/**
 * Streams the archive through gunzip and the tar reader, writing the batch files into a fresh
 * directory that is then renamed into place: memory holds one batch file (30 MB) at a time, and
 * a crash mid-way leaves no half-filled cache, since the batch directory exists complete or not at all.
 */
async function extractBatches(archivePath: string, cacheRoot: string, batchDir: string): Promise<void> {
  const wanted = new Set([...TRAIN_FILES, ...TEST_FILES, META_FILE].map((f) => `${ARCHIVE_DIR}/${f}`));
  const archiveName = (entryName: string) => entryName.replace(/^\.\//, '');
  const staging = join(cacheRoot, `.${ARCHIVE_DIR}.${randomBytes(6).toString('hex')}.tmp`);
  await mkdir(staging, { recursive: true });
  try {
    const gunzip = createGunzip();
    // Read errors reach the loop below through gunzip, which pipeline destroys with them.
    pipeline(createReadStream(archivePath), gunzip).catch(() => undefined);
    const written = new Set<string>();
    try {
      for await (const entry of readTarStream(gunzip, archivePath, (name) => wanted.has(archiveName(name)))) {
        if (entry.type !== 'file') continue;
        const name = archiveName(entry.name);
        await writeFile(join(staging, basename(name)), entry.data);
        written.add(name);
      }
    } catch (error) {
      throw new Error(`${archivePath}: cannot extract: ${(error as Error).message}`);
    }
    const missing = [...wanted].filter((name) => !written.has(name));
    if (missing.length > 0) {
      throw new Error(`${archivePath}: archive has no ${missing.join(', ')}; it is not the CIFAR-10 binary version`);
    }
    try {
      await rename(staging, batchDir);
    } catch (error) {
      // Another process finished the same extraction first; its copy is as good as ours.
      if (!existsSync(join(batchDir, META_FILE))) throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function readClassNames(metaPath: string): Promise<string[]> {
  const names = (await readFile(metaPath, 'utf8')).split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  if (names.length !== CIFAR10_CLASS_NAMES.length) {
    throw new Error(`${metaPath}: expected ${CIFAR10_CLASS_NAMES.length} class names, one per line, but found ${names.length}`);
  }
  return names;
}

/**
 * Reads records straight into one float32 [N,32,32,3] array, turning the planar RGB layout into
 * interleaved pixels in the same pass; only one batch file's bytes are held at a time.
 */
async function readBatches(paths: string[], name: string, classNames: string[], limit: number | undefined): Promise<Dataset> {
  const counts: number[] = [];
  for (const path of paths) {
    const size = (await stat(path)).size;
    if (size === 0 || size % RECORD_BYTES !== 0) {
      throw new Error(`${path}: ${size} bytes is not a whole number of ${RECORD_BYTES}-byte CIFAR-10 records; delete the directory to re-download`);
    }
    counts.push(size / RECORD_BYTES);
  }
  const total = limitCount(limit, counts.reduce((a, b) => a + b, 0), 'loadCifar10');
  const pixels = new Float32Array(total * PLANE * 3);
  const labels = new Int32Array(total);
  let n = 0;
  for (let f = 0; f < paths.length && n < total; f++) {
    const bytes = await readFile(paths[f]);
    for (let r = 0; r < counts[f] && n < total; r++, n++) {
      const record = r * RECORD_BYTES;
      const label = bytes[record];
      if (label >= classNames.length) {
        throw new Error(`${paths[f]}: label ${label} of record ${r} is outside [0, ${classNames.length})`);
      }
      labels[n] = label;
      const out = n * PLANE * 3;
      for (let p = 0; p < PLANE; p++) {
        for (let c = 0; c < 3; c++) pixels[out + p * 3 + c] = bytes[record + 1 + c * PLANE + p] / 255;
      }
    }
  }
  return createDataset(name, tf.tensor4d(pixels, [total, SIDE, SIDE, 3], 'float32'), tf.tensor1d(labels, 'int32'), classNames);
}
