import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { fileSystem, writeFileAtomic, writeFileSynced } from '@ddar/backend';
import type { ResolvedTrainingConfig } from './config.js';
import { encodeOptimizerState, type OptimizerStateManifest } from './optimizer_state.js';
import type { TrainableModel } from './trainable_model.js';
import type { TrainingPosition } from './training_position.js';

/** Marks a `state.json` as a training checkpoint, so another JSON file is rejected with a clear error. */
export const CHECKPOINT_FORMAT = 'ddar-training-checkpoint';
/** Layout version of checkpoints; {@link readCheckpoint} rejects any other. */
export const CHECKPOINT_VERSION = 1;
/** The pointer file: names the newest complete checkpoint. Replaced atomically, and only once that one is complete. */
export const LATEST_FILE = 'latest.json';
const STATE_FILE = 'state.json';
const OPTIMIZER_FILE = 'optimizer.bin';
const MODEL_DIR = 'model';
const STEP_PREFIX = 'step-';
const TEMPORARY_PREFIX = '.partial-';

/** The contents of a checkpoint's `state.json`. */
export interface CheckpointState {
  /** Always {@link CHECKPOINT_FORMAT}. */
  format: typeof CHECKPOINT_FORMAT;
  /** Always {@link CHECKPOINT_VERSION} for checkpoints this version can read. */
  version: typeof CHECKPOINT_VERSION;
  /** When the checkpoint was written, as an ISO 8601 timestamp. */
  savedAt: string;
  /** The configuration of the run; a resume must resolve to the same one. */
  config: ResolvedTrainingConfig;
  /** Where the run stood, so resuming continues with the same batches and random starts. */
  position: TrainingPosition;
  /** The optimizer class and the layout of its slot variables in `optimizer.bin`. */
  optimizer: OptimizerStateManifest;
}

/** A checkpoint read back by {@link readCheckpoint}: its state, optimizer bytes and model artifacts. */
export interface LoadedCheckpoint {
  /** The checkpoint's own directory (`<directory>/step-00000123`). */
  path: string;
  /** The parsed `state.json`, format and version already checked. */
  state: CheckpointState;
  /** The contents of `optimizer.bin`: the slot values, laid out as `state.optimizer` describes. */
  optimizerData: Uint8Array;
  /** The saved model (topology and weights), e.g. for `tf.io.fromMemory`. */
  model: tf.io.ModelArtifacts;
}

function stepDirectoryName(globalStep: number): string {
  return `${STEP_PREFIX}${String(globalStep).padStart(9, '0')}`;
}

/**
 * Writes a checkpoint: the model (through its own `save`, in the standard tfjs format), the optimizer state and the
 * training position, first into a hidden temporary directory, which is then renamed to `step-<globalStep>`; only then
 * is `latest.json` switched to it and older checkpoints removed. A kill at any moment leaves `latest.json` naming a
 * complete checkpoint. Returns the new checkpoint's directory.
 */
export async function writeCheckpoint(
  directory: string,
  model: TrainableModel,
  optimizer: tf.Optimizer,
  config: ResolvedTrainingConfig,
  position: TrainingPosition,
): Promise<string> {
  await fs.mkdir(directory, { recursive: true });
  const name = stepDirectoryName(position.globalStep);
  const temporary = path.join(directory, `${TEMPORARY_PREFIX}${name}-${process.pid}`);
  await fs.rm(temporary, { recursive: true, force: true });
  await fs.mkdir(temporary);
  await model.save(fileSystem(path.join(temporary, MODEL_DIR)));
  const { manifest, data } = await encodeOptimizerState(optimizer);
  await writeFileSynced(path.join(temporary, OPTIMIZER_FILE), data);
  const state: CheckpointState = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    savedAt: new Date().toISOString(),
    config,
    position,
    optimizer: manifest,
  };
  await writeFileSynced(path.join(temporary, STATE_FILE), JSON.stringify(state));

  const final = path.join(directory, name);
  // A directory of that name can only be a leftover of a killed run that never pointed latest.json at it.
  await fs.rm(final, { recursive: true, force: true });
  await fs.rename(temporary, final);
  await writeFileAtomic(path.join(directory, LATEST_FILE), JSON.stringify({ checkpoint: name }));

  // Another process's partial directory is left alone while that process runs: it may be writing it right now.
  const leftovers = (await fs.readdir(directory)).filter(
    (entry) => entry !== name && (entry.startsWith(STEP_PREFIX) || (entry.startsWith(TEMPORARY_PREFIX) && !writtenByAnotherLiveProcess(entry))),
  );
  await Promise.all(leftovers.map((entry) => fs.rm(path.join(directory, entry), { recursive: true, force: true })));
  return final;
}

/** A partial directory is named `.partial-<step>-<pid>`: whether that pid is another process that is still running. */
function writtenByAnotherLiveProcess(entry: string): boolean {
  const pid = Number(/-(\d+)$/.exec(entry)?.[1]);
  if (!Number.isInteger(pid) || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `directory` holds a checkpoint (a `latest.json`), without reading it. */
export async function hasCheckpoint(directory: string): Promise<boolean> {
  try {
    await fs.access(path.join(directory, LATEST_FILE));
    return true;
  } catch {
    return false;
  }
}

/** The checkpoint `latest.json` names, or undefined when the directory holds none. */
const START_OVER = (checkpointPath: string) =>
  `Restore it from a copy, or delete ${path.dirname(checkpointPath)} to train from the start`;

/**
 * optimizer.bin holds float32 slots laid out as the manifest says: anything else (a truncated file, a NaN moment) would
 * fail deep inside tfjs or, worse, resume into garbage. Names the file and what to do.
 */
function assertOptimizerData(file: string, data: Uint8Array, manifest: OptimizerStateManifest, checkpointPath: string): void {
  // Optimizer slots are float32 (moments) or int32 (iteration counts): 4 bytes each, unquantized.
  if (!manifest.specs.every((spec) => (spec.dtype === 'float32' || spec.dtype === 'int32') && spec.quantization === undefined)) return;
  const expected = manifest.specs.reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (data.byteLength !== expected) {
    throw new Error(
      `train: ${file} holds ${data.byteLength} bytes but its checkpoint describes ${expected}; the file is truncated or ` +
        `does not belong to this checkpoint. ${START_OVER(checkpointPath)}`,
    );
  }
  let offset = 0;
  for (const spec of manifest.specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype === 'float32') {
      const values = new Float32Array(data.buffer, data.byteOffset + offset, count);
      for (let i = 0; i < count; i++) {
        if (!Number.isFinite(values[i])) {
          throw new Error(
            `train: ${file} holds ${values[i]} at float ${offset / 4 + i} (${spec.name}); an optimizer state that is not finite ` +
              `cannot be resumed. ${START_OVER(checkpointPath)}`,
          );
        }
      }
    }
    offset += count * 4;
  }
}

export async function readCheckpoint(directory: string): Promise<LoadedCheckpoint | undefined> {
  const latestPath = path.join(directory, LATEST_FILE);
  let latest: { checkpoint?: unknown };
  try {
    latest = JSON.parse(await fs.readFile(latestPath, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`train: cannot read ${latestPath}: ${(error as Error).message}`);
  }
  if (typeof latest.checkpoint !== 'string' || !latest.checkpoint.startsWith(STEP_PREFIX)) {
    throw new Error(`train: ${latestPath} does not name a checkpoint (got ${JSON.stringify(latest)})`);
  }
  const checkpointPath = path.join(directory, latest.checkpoint);
  let state: CheckpointState;
  try {
    state = JSON.parse(await fs.readFile(path.join(checkpointPath, STATE_FILE), 'utf8'));
  } catch (error) {
    throw new Error(`train: checkpoint ${checkpointPath} is unreadable: ${(error as Error).message}`);
  }
  if (state.format !== CHECKPOINT_FORMAT || state.version !== CHECKPOINT_VERSION) {
    throw new Error(
      `train: ${checkpointPath} is not a version ${CHECKPOINT_VERSION} training checkpoint (format ${JSON.stringify(state.format)}, version ${JSON.stringify(state.version)})`,
    );
  }
  const optimizerPath = path.join(checkpointPath, OPTIMIZER_FILE);
  const optimizerData = new Uint8Array(await fs.readFile(optimizerPath));
  assertOptimizerData(optimizerPath, optimizerData, state.optimizer, checkpointPath);
  let model: tf.io.ModelArtifacts;
  try {
    model = await fileSystem(path.join(checkpointPath, MODEL_DIR)).load!();
  } catch (error) {
    throw new Error(`train: checkpoint ${checkpointPath} cannot be resumed: ${(error as Error).message}. ${START_OVER(checkpointPath)}`);
  }
  return { path: checkpointPath, state, optimizerData, model };
}
