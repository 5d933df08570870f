import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { createDataset, type Dataset } from './dataset.js';
import { readIdx, type IdxArray } from './idx_reader.js';
import { unitFloatPixels } from './pixels.js';

/** Options of {@link loadIdxPair}; all fields are optional. */
export interface LoadIdxPairOptions {
  /** Dataset name; defaults to the images file name. */
  name?: string;
  /** One name per class; labels must be below its length. Defaults to '0'..'max label'. */
  classNames?: string[];
  /** Keep at most the first `limit` examples. */
  limit?: number;
}

/** What a known dataset's files must contain; a mismatch means the wrong or a damaged file. */
export interface ExpectedIdxShape {
  count: number;
  height: number;
  width: number;
}

/**
 * Loads an images IDX file (`[N,H,W]` or `[N,H,W,C]` uint8) and a labels IDX file (`[N]`), raw
 * or gzipped, as a {@link Dataset}. Use it for external test sets stored in MNIST's format.
 */
export async function loadIdxPair(
  imagesPath: string,
  labelsPath: string,
  options: LoadIdxPairOptions = {},
): Promise<Dataset> {
  for (const [argument, value] of [['imagesPath', imagesPath], ['labelsPath', labelsPath]] as const) {
    if (typeof value !== 'string' || value.length === 0) {
      throw new Error(`loadIdxPair: ${argument} must be a non-empty file path, but got ${String(value)}`);
    }
  }
  const images = await readIdxFile(imagesPath, 'loadIdxPair');
  const labels = await readIdxFile(labelsPath, 'loadIdxPair');
  return datasetFromIdx(images, labels, {
    imagesSource: imagesPath,
    labelsSource: labelsPath,
    name: options.name ?? imagesPath.replace(/^.*[\\/]/, ''),
    classNames: options.classNames,
    limit: options.limit,
  });
}

/** Reads and parses an IDX file without blocking the event loop on the disk read. */
export async function readIdxFile(path: string, where: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`${where}: cannot read ${path}: ${(error as Error).message}`);
  }
  return readIdx(bytes, { name: path });
}

export interface DatasetFromIdxOptions {
  imagesSource: string;
  labelsSource: string;
  name: string;
  classNames?: string[];
  limit?: number;
  expected?: ExpectedIdxShape;
}

/**
 * The most classes a labels file may imply when no class names are given (one name is made per class, up to the
 * largest label): far beyond any image-classification dataset, far below a corrupt label's 2^31.
 */
export const MAX_UNNAMED_CLASSES = 100_000;

/** Validates an images/labels pair against each other and turns it into tensors. */
export function datasetFromIdx(images: IdxArray, labels: IdxArray, options: DatasetFromIdxOptions): Dataset {
  const { imagesSource, labelsSource } = options;
  if (images.type !== 'uint8' || (images.dims.length !== 3 && images.dims.length !== 4)) {
    throw new Error(
      `${imagesSource}: expected uint8 images of shape [N,H,W] or [N,H,W,C], but got ${images.type} [${images.dims}]`,
    );
  }
  if (labels.dims.length !== 1 || labels.type === 'float32' || labels.type === 'float64') {
    throw new Error(`${labelsSource}: expected integer labels of shape [N], but got ${labels.type} [${labels.dims}]`);
  }
  const [count, height, width, channels = 1] = images.dims;
  if (labels.dims[0] !== count) {
    throw new Error(
      `${labelsSource}: holds ${labels.dims[0]} labels but ${imagesSource} holds ${count} images; they are not a pair`,
    );
  }
  const { expected } = options;
  if (expected && (count !== expected.count || height !== expected.height || width !== expected.width)) {
    throw new Error(
      `${imagesSource}: expected ${expected.count} images of ${expected.height}x${expected.width}, but the file holds ${count} of ${height}x${width}; it is the wrong or a damaged file`,
    );
  }
  if (count === 0) {
    throw new Error(`${imagesSource}: holds no images; a dataset needs at least one`);
  }
  const kept = limitCount(options.limit, count, options.name);

  let maxLabel = -1;
  for (let i = 0; i < count; i++) {
    const label = labels.data[i];
    if (label < 0 || (options.classNames && label >= options.classNames.length)) {
      const range = options.classNames ? `[0, ${options.classNames.length})` : '[0, ∞)';
      throw new Error(`${labelsSource}: label ${label} at index ${i} is outside ${range}`);
    }
    if (!options.classNames && label >= MAX_UNNAMED_CLASSES) {
      throw new Error(
        `${labelsSource}: label ${label} at index ${i}: without class names the classes are 0 to the largest label, and ` +
          `${label + 1} classes is not a labelling; give the class names (their count bounds the labels)`,
      );
    }
    if (label > maxLabel) maxLabel = label;
  }
  const classNames = options.classNames ?? Array.from({ length: maxLabel + 1 }, (_, c) => String(c));

  const pixelsPerImage = height * width * channels;
  const imageTensor = tf.tensor4d(
    unitFloatPixels(images.data as Uint8Array, kept * pixelsPerImage),
    [kept, height, width, channels],
    'float32',
  );
  const labelTensor = tf.tensor1d(Int32Array.from(labels.data.subarray(0, kept)), 'int32');
  return createDataset(options.name, imageTensor, labelTensor, classNames);
}

/** Validates an optional `limit` and returns how many of `available` examples to keep. */
export function limitCount(limit: number | undefined, available: number, where: string): number {
  if (limit === undefined) return available;
  if (!Number.isInteger(limit) || limit <= 0) {
    throw new Error(`${where}: limit must be a positive integer, but got ${String(limit)}`);
  }
  return Math.min(limit, available);
}
