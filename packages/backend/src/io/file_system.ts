import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic } from './atomic_file.js';

/** URL prefix that routes `model.save` / `tf.loadLayersModel` to the local file system; `fileSystem()` also takes plain paths. */
export const FILE_SCHEME = 'file://';
const MODEL_JSON = 'model.json';
const WEIGHTS_PREFIX = 'weights-';

function stripScheme(url: string): string {
  return url.startsWith(FILE_SCHEME) ? url.slice(FILE_SCHEME.length) : url;
}

/**
 * The directory a handler reads and writes. A path ending in `model.json` names the file itself; anything else is a
 * directory that holds `model.json` and its weights.
 */
function modelDirectory(location: string): string {
  const plain = stripScheme(location);
  if (plain.length === 0) {
    throw new Error('fileSystem: path must be a non-empty directory or model.json path');
  }
  return path.basename(plain) === MODEL_JSON ? path.dirname(plain) : plain;
}

function weightBytes(weightData: tf.io.WeightData | undefined): Uint8Array {
  if (weightData === undefined) return new Uint8Array(0);
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(weightData));
}

async function save(directory: string, artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
  const topology = artifacts.modelTopology;
  if (topology == null) {
    throw new Error('fileSystem: artifacts.modelTopology is missing; nothing to save');
  }
  if (topology instanceof ArrayBuffer) {
    throw new Error('fileSystem: saving a binary (graph-model protobuf) topology is not supported; save a LayersModel');
  }
  await fs.mkdir(directory, { recursive: true });
  const weights = weightBytes(artifacts.weightData);
  // The weights file is named after its content, and model.json is replaced last: a crash at any point leaves the
  // previous model.json pointing at weights that still exist, so the directory always holds one complete model.
  const digest = createHash('sha256').update(weights).digest('hex').slice(0, 16);
  const weightsFile = `${WEIGHTS_PREFIX}${digest}.bin`;
  await writeFileAtomic(path.join(directory, weightsFile), weights);

  const modelJson: tf.io.ModelJSON = {
    modelTopology: topology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [`./${weightsFile}`], weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig != null) modelJson.trainingConfig = artifacts.trainingConfig;
  if (artifacts.signature != null) modelJson.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata != null) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.modelInitializer != null) modelJson.modelInitializer = artifacts.modelInitializer;
  await writeFileAtomic(path.join(directory, MODEL_JSON), JSON.stringify(modelJson));

  const stale = (await fs.readdir(directory)).filter(
    (name) => name.startsWith(WEIGHTS_PREFIX) && name.endsWith('.bin') && name !== weightsFile,
  );
  await Promise.all(stale.map((name) => fs.rm(path.join(directory, name), { force: true })));

  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: 'JSON',
      modelTopologyBytes: JSON.stringify(artifacts.modelTopology ?? null).length,
      weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
      weightDataBytes: weights.byteLength,
    },
  };
}

function expectedBytes(specs: tf.io.WeightsManifestEntry[]): number {
  const bytesPerElement: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };
  let total = 0;
  for (const spec of specs) {
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    const size = bytesPerElement[dtype];
    if (size === undefined) return -1; // strings and unknown encodings: size not knowable from the manifest alone
    total += spec.shape.reduce((a, b) => a * b, 1) * size;
  }
  return total;
}

async function load(directory: string): Promise<tf.io.ModelArtifacts> {
  const jsonPath = path.join(directory, MODEL_JSON);
  let text: string;
  try {
    text = await fs.readFile(jsonPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`loadModel: no model at ${directory}: ${jsonPath} does not exist`);
    }
    throw error;
  }
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(text) as tf.io.ModelJSON;
  } catch (error) {
    throw new Error(`loadModel: ${jsonPath} is not valid JSON (${(error as Error).message}); the file is corrupt`);
  }
  if (modelJson === null || typeof modelJson !== 'object' || modelJson.modelTopology == null) {
    throw new Error(`loadModel: ${jsonPath} has no modelTopology; it is not a tfjs model.json`);
  }
  if (!Array.isArray(modelJson.weightsManifest) || modelJson.weightsManifest.length === 0) {
    // tfjs would build the model with freshly initialized weights and say nothing.
    throw new Error(`loadModel: ${jsonPath} has no weightsManifest, so the model's weights are missing; the file is damaged or incomplete`);
  }
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      const files: Array<[string, Uint8Array]> = [];
      for (const file of group.paths) {
        const weightsPath = path.join(directory, file);
        let bytes: Buffer;
        try {
          bytes = await fs.readFile(weightsPath);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
            throw new Error(`loadModel: weights file ${weightsPath} named in ${jsonPath} does not exist`);
          }
          throw error;
        }
        files.push([weightsPath, bytes]);
        buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      }
      specs.push(...group.weights);
      const expected = expectedBytes(group.weights);
      const actual = buffers.slice(-group.paths.length).reduce((sum, b) => sum + b.byteLength, 0);
      if (expected >= 0 && expected !== actual) {
        throw new Error(
          `loadModel: weights ${group.paths.join(', ')} in ${directory} hold ${actual} bytes but ${jsonPath} describes ` +
            `${expected}; the files are truncated or do not belong together`,
        );
      }
      for (const [weightsPath, bytes] of files) assertContentMatchesName(weightsPath, bytes);
    }
    return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
  });
  assertFiniteWeights(jsonPath, artifacts);
  return artifacts;
}

/** Weights files this handler writes are named after the sha256 of their content; any change to them shows. */
function assertContentMatchesName(weightsPath: string, bytes: Uint8Array): void {
  const named = /^weights-([0-9a-f]{16})\.bin$/.exec(path.basename(weightsPath));
  if (named === null) return; // written by another tool: no checksum to check
  const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  if (digest !== named[1]) {
    throw new Error(
      `loadModel: ${weightsPath} does not match the checksum in its name (sha256 ${digest}...); the file is corrupt or was ` +
        'edited. Restore it, or retrain the model',
    );
  }
}

/** A NaN or infinite weight loads and runs without an error, giving garbage: refuse it, naming the weight. */
function assertFiniteWeights(jsonPath: string, artifacts: tf.io.ModelArtifacts): void {
  if (artifacts.weightData === undefined || artifacts.weightSpecs === undefined) return;
  const data = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  let offset = 0;
  for (const spec of artifacts.weightSpecs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const bytesPerElement = spec.dtype === 'float32' || spec.dtype === 'int32' ? 4 : spec.dtype === 'bool' ? 1 : -1;
    if (spec.quantization !== undefined || bytesPerElement < 0) return; // sizes no longer follow from the specs
    if (spec.dtype === 'float32') {
      const values = new Float32Array(data, offset, count);
      for (let i = 0; i < count; i++) {
        if (!Number.isFinite(values[i])) {
          throw new Error(`loadModel: weight ${spec.name} in ${jsonPath} holds ${values[i]} at index ${i}; a model with non-finite weights cannot be used`);
        }
      }
    }
    offset += count * bytesPerElement;
  }
}

/**
 * A tfjs IOHandler that saves to and loads from a directory on the local filesystem in the standard tfjs layers
 * format (`model.json` + binary weights), readable by any tfjs runtime. Saves are atomic.
 */
export function fileSystem(location: string): tf.io.IOHandler {
  const directory = modelDirectory(location);
  return {
    save: (artifacts) => save(directory, artifacts),
    load: () => load(directory),
  };
}

// tfjs routers signal "not mine" with null, although their declared return type omits it.
function fileSystemRouter(url: string | string[]): tf.io.IOHandler {
  const handler = typeof url === 'string' && url.startsWith(FILE_SCHEME) ? fileSystem(url) : null;
  return handler as tf.io.IOHandler;
}

let routersRegistered = false;

/**
 * Makes `model.save('file://dir')` and `tf.loadLayersModel('file://dir')` use {@link fileSystem}. Skipped when another
 * handler already serves `file://` (tfjs-node registers its own), so the two never compete for one URL.
 */
export function registerFileSystemRouter(): void {
  if (routersRegistered) return;
  routersRegistered = true;
  const probe = `${FILE_SCHEME}/ddar-probe`;
  if (tf.io.getSaveHandlers(probe).length === 0) {
    tf.io.registerSaveRouter(fileSystemRouter);
  }
  if (tf.io.getLoadHandlers(probe).length === 0) {
    tf.io.registerLoadRouter(fileSystemRouter);
  }
}
