import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Checksum } from './checksum.js';
import { dataDirOrDefault } from './data_dir.js';
import type { Dataset } from './dataset.js';
import { downloadFile, type DownloadProgress } from './download.js';
import { datasetFromIdx, readIdxFile } from './idx_pair.js';
import { splitOrDefault, type Split } from './split_option.js';
import { DEBIAN_FASHION_MNIST_DIR, FASHION_MNIST_BASE_URL, FASHION_MNIST_CLASS_NAMES, FASHION_MNIST_MD5 } from './dataset_sources.js';

const FILES: Record<Split, { images: string; labels: string; count: number }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte', count: 60000 },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte', count: 10000 },
};

/** Options of {@link loadFashionMnist}: where to look for the files and how to download them. */
export interface LoadFashionMnistOptions {
  /** Default 'train' (60 000 images); 'test' has 10 000. */
  split?: Split;
  /** Keep at most the first `limit` examples. */
  limit?: number;
  /** Root of the download cache; files go to `<cacheDir>/fashion-mnist`. Default {@link defaultDataDir}. */
  cacheDir?: string;
  /** Directories searched after the cache. Default `['/usr/share/datasets/fashion-mnist']`. */
  dataDirs?: string[];
  /** Download the split's two files when no directory has them. Default true. */
  download?: boolean;
  /** Where to download from: `<baseUrl><file>.gz`. Default {@link FASHION_MNIST_BASE_URL}. */
  baseUrl?: string;
  /** Checksums per .gz file name, for mirrors that recompress; default {@link FASHION_MNIST_MD5}. */
  checksums?: Record<string, Checksum>;
  /** Reports download progress, see {@link DownloadFileOptions.onProgress}. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Cancels a download in progress; files already complete stay in the cache. */
  signal?: AbortSignal;
  /** Retries per file after a network failure. Default 3. */
  retries?: number;
}

/**
 * Loads Fashion-MNIST (28x28x1 in [0,1], 10 classes). Looks for the split's IDX files, raw or
 * .gz, in `<cacheDir>/fashion-mnist`, then in `dataDirs`, then downloads them into the cache
 * with MD5 verification. Files found locally are checked by their exact dimensions and count.
 */
export async function loadFashionMnist(options: LoadFashionMnistOptions = {}): Promise<Dataset> {
  const where = 'loadFashionMnist';
  const split = splitOrDefault(options.split, where);
  const files = FILES[split];
  const cacheDir = join(dataDirOrDefault(options.cacheDir, where), 'fashion-mnist');
  const dataDirs = options.dataDirs ?? [DEBIAN_FASHION_MNIST_DIR];
  if (!Array.isArray(dataDirs) || dataDirs.some((d) => typeof d !== 'string')) {
    throw new Error(`${where}: dataDirs must be an array of directory paths, but got ${JSON.stringify(dataDirs)}`);
  }
  const searched = [cacheDir, ...dataDirs];
  const baseUrl = options.baseUrl ?? FASHION_MNIST_BASE_URL;
  const howToGetIt =
    `To get it: apt-get install dataset-fashion-mnist (installs the files into ${DEBIAN_FASHION_MNIST_DIR}), ` +
    `or put ${files.images}.gz and ${files.labels}.gz from ${baseUrl} into ${cacheDir}.`;

  // Local files are checked by their IDX dimensions, not by MD5: Debian's .gz files are
  // recompressed (same pixels, different bytes), so the published checksums do not match them.
  let found = findPair(searched, files.images, files.labels);
  if (found === undefined) {
    if (options.download === false) {
      throw new Error(
        `${where}: Fashion-MNIST ${split} files not found; looked in ${searched.join(', ')} and download is false. ${howToGetIt}`,
      );
    }
    for (const file of [files.images, files.labels]) {
      const gzName = `${file}.gz`;
      const checksum = options.checksums?.[gzName] ?? { algorithm: 'md5' as const, digest: FASHION_MNIST_MD5[gzName] };
      await downloadFile({
        url: new URL(gzName, baseUrl).toString(),
        destination: join(cacheDir, gzName),
        checksum,
        onProgress: options.onProgress,
        signal: options.signal,
        retries: options.retries,
        helpOnFailure: howToGetIt,
      });
    }
    found = findPair([cacheDir], files.images, files.labels);
    if (found === undefined) throw new Error(`${where}: downloaded files vanished from ${cacheDir}`);
  }
  const images = await readIdxFile(found.images, where);
  const labels = await readIdxFile(found.labels, where);
  return datasetFromIdx(images, labels, {
    imagesSource: found.images,
    labelsSource: found.labels,
    name: `fashion-mnist/${split}`,
    classNames: FASHION_MNIST_CLASS_NAMES,
    limit: options.limit,
    expected: { count: files.count, height: 28, width: 28 },
  });
}

/** The first directory holding both files, each either gzipped or raw. */
function findPair(dirs: string[], images: string, labels: string): { images: string; labels: string } | undefined {
  for (const dir of dirs) {
    const imagesPath = existing(dir, images);
    const labelsPath = existing(dir, labels);
    if (imagesPath && labelsPath) return { images: imagesPath, labels: labelsPath };
  }
  return undefined;
}

function existing(dir: string, file: string): string | undefined {
  for (const candidate of [join(dir, `${file}.gz`), join(dir, file)]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
