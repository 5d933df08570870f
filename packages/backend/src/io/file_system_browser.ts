import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Saveable } from './save_load.js';

// The browser build's file IO: the same names as in Node.js, so that code shared between the two still bundles, each
// failing with what to use instead. A browser has no file system to write models to; tfjs's own handlers cover it.

export type { Saveable };

/** `file://` URLs, as in Node.js; no handler serves them in a browser. */
export const FILE_SCHEME = 'file://';

const ALTERNATIVE =
  "in a browser save with model.save('indexeddb://<name>') (or 'localstorage://', 'downloads://') and load with " +
  "tf.loadLayersModel('indexeddb://<name>'), or load over HTTP from a model.json URL";

function nodeOnly(what: string): Error {
  return new Error(`${what} reads and writes the local file system, which only Node.js has; ${ALTERNATIVE}`);
}

/** Node.js only: throws, saying what to use in a browser. */
export function fileSystem(location: string): tf.io.IOHandler {
  throw nodeOnly(`fileSystem(${JSON.stringify(location)})`);
}

/** Node.js only: throws, saying what to use in a browser. */
export function registerFileSystemRouter(): void {
  throw nodeOnly('registerFileSystemRouter');
}

/** Node.js only: throws, saying what to use in a browser. */
export function saveModel(_model: Saveable, directory: string): Promise<tf.io.SaveResult> {
  return Promise.reject(nodeOnly(`saveModel(model, ${JSON.stringify(directory)})`));
}

/** Node.js only: throws, saying what to use in a browser. */
export function loadModel(directory: string): Promise<tfl.LayersModel> {
  return Promise.reject(nodeOnly(`loadModel(${JSON.stringify(directory)})`));
}

/** Node.js only: throws, saying what to use in a browser. */
export function writeFileAtomic(target: string, _data: Uint8Array | string): Promise<void> {
  return Promise.reject(nodeOnly(`writeFileAtomic(${JSON.stringify(target)})`));
}

/** Node.js only: throws, saying what to use in a browser. */
export function writeFileSynced(file: string, _data: Uint8Array | string): Promise<void> {
  return Promise.reject(nodeOnly(`writeFileSynced(${JSON.stringify(file)})`));
}
