import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { fileSystem, writeFileAtomic, writeFileSynced } from '@ddar/backend';
import type { ResolvedTrainingConfig } from './config.js';
import { encodeOptimizerState, type OptimizerStateManifest } from './optimizer_state.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, LATEST_FILE } from './checkpoint_format.js';
import type { TrainableModel } from './trainable_model.js';
import type { TrainingPosition } from './training_position.js';

const STATE_FILE = 'state.json';
const OPTIMIZER_FILE = 'optimizer.bin';
const MODEL_DIR = 'model';
const STEP_PREFIX = 'step-';
const STEP_PATTERN = /^step-\d{9}$/;
const TEMPORARY_PREFIX = '.partial-';
/** How many verified checkpoints a run keeps by default: the newest, and one to fall back to. */
export const DEFAULT_KEPT_CHECKPOINTS = 2;

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
  /** Hex sha256 of `optimizer.bin`; absent in checkpoints written before it was recorded. */
  optimizerSha256?: string;
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
  /**
   * Why newer checkpoints were passed over (failed verification, a missing or stale `latest.json`), one sentence each;
   * empty when the newest checkpoint was taken. A resume reports these before it continues.
   */
  notes: string[];
}

function stepDirectoryName(globalStep: number): string {
  return `${STEP_PREFIX}${String(globalStep).padStart(9, '0')}`;
}

function stepOf(name: string): number {
  return Number(name.slice(STEP_PREFIX.length));
}

/** The checkpoint directories in `directory`, newest step first; none when the directory does not exist. */
async function stepDirectories(directory: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await fs.readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`train: cannot list checkpoint directory ${directory}: ${(error as Error).message}`);
  }
  return entries.filter((entry) => STEP_PATTERN.test(entry)).sort((a, b) => stepOf(b) - stepOf(a));
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Writes a checkpoint: the model (through its own `save`, in the standard tfjs format), the optimizer state and the
 * training position, first into a hidden temporary directory, which is then renamed to `step-<globalStep>` and read
 * back in full (checksums, finite values); only then is `latest.json` switched to it. Of the older checkpoints the
 * newest `keep - 1` that still verify are kept and the rest removed: a step directory is only ever deleted once a
 * newer verified one exists. A kill at any moment leaves at least one complete checkpoint. Returns the new
 * checkpoint's directory.
 */
export async function writeCheckpoint(
  directory: string,
  model: TrainableModel,
  optimizer: tf.Optimizer,
  config: ResolvedTrainingConfig,
  position: TrainingPosition,
  keep: number = DEFAULT_KEPT_CHECKPOINTS,
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
    optimizerSha256: sha256(data),
  };
  await writeFileSynced(path.join(temporary, STATE_FILE), JSON.stringify(state));

  const final = path.join(directory, name);
  // A directory of that name can only be one that failed verification when this run resumed (a complete one of the
  // same step would have been resumed from, and a resume never goes back past a verified checkpoint).
  await fs.rm(final, { recursive: true, force: true });
  await fs.rename(temporary, final);
  try {
    await loadVerifiedCheckpoint(final);
  } catch (error) {
    throw new Error(
      `train: the checkpoint just written to ${final} does not read back intact (${(error as Error).message}); ` +
        'the disk may be full or failing. The previous checkpoints are untouched',
    );
  }
  await writeFileAtomic(path.join(directory, LATEST_FILE), JSON.stringify({ checkpoint: name }));

  let keptOlder = 0;
  for (const older of (await stepDirectories(directory)).filter((entry) => stepOf(entry) < position.globalStep)) {
    if (keptOlder < keep - 1 && (await verifies(path.join(directory, older)))) {
      keptOlder++;
      continue;
    }
    await fs.rm(path.join(directory, older), { recursive: true, force: true });
  }
  // Another process's partial directory is left alone while that process runs: it may be writing it right now.
  const leftovers = (await fs.readdir(directory)).filter((entry) => entry.startsWith(TEMPORARY_PREFIX) && !writtenByAnotherLiveProcess(entry));
  await Promise.all(leftovers.map((entry) => fs.rm(path.join(directory, entry), { recursive: true, force: true })));
  return final;
}

async function verifies(checkpointPath: string): Promise<boolean> {
  try {
    await loadVerifiedCheckpoint(checkpointPath);
    return true;
  } catch {
    return false;
  }
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

/** Whether `directory` holds a checkpoint (a `latest.json` or a step directory), without reading it. */
export async function hasCheckpoint(directory: string): Promise<boolean> {
  try {
    await fs.access(path.join(directory, LATEST_FILE));
    return true;
  } catch {
    return (await stepDirectories(directory)).length > 0;
  }
}

/**
 * optimizer.bin holds float32 slots laid out as the manifest says: anything else (a truncated file, a NaN moment) would
 * fail deep inside tfjs or, worse, resume into garbage.
 */
function assertOptimizerData(file: string, data: Uint8Array, state: CheckpointState): void {
  if (state.optimizerSha256 !== undefined && sha256(data) !== state.optimizerSha256) {
    throw new Error(`${file} does not match the sha256 recorded in its state.json; the file was changed or damaged`);
  }
  const manifest = state.optimizer;
  // Optimizer slots are float32 (moments) or int32 (iteration counts): 4 bytes each, unquantized.
  if (!manifest.specs.every((spec) => (spec.dtype === 'float32' || spec.dtype === 'int32') && spec.quantization === undefined)) return;
  const expected = manifest.specs.reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (data.byteLength !== expected) {
    throw new Error(
      `${file} holds ${data.byteLength} bytes but its checkpoint describes ${expected}; the file is truncated or does not belong to this checkpoint`,
    );
  }
  let offset = 0;
  for (const spec of manifest.specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype === 'float32') {
      const values = new Float32Array(data.buffer, data.byteOffset + offset, count);
      for (let i = 0; i < count; i++) {
        if (!Number.isFinite(values[i])) {
          throw new Error(`${file} holds ${values[i]} at float ${offset / 4 + i} (${spec.name}); an optimizer state that is not finite cannot be resumed`);
        }
      }
    }
    offset += count * 4;
  }
}

/** Reads one checkpoint directory and checks everything that can be checked without the model: throws what is wrong. */
async function loadVerifiedCheckpoint(checkpointPath: string): Promise<Omit<LoadedCheckpoint, 'notes'>> {
  const statePath = path.join(checkpointPath, STATE_FILE);
  let state: CheckpointState;
  try {
    state = JSON.parse(await fs.readFile(statePath, 'utf8'));
  } catch (error) {
    throw new Error(`${statePath} is unreadable: ${(error as Error).message}`);
  }
  if (state === null || typeof state !== 'object' || state.format !== CHECKPOINT_FORMAT || state.version !== CHECKPOINT_VERSION) {
    throw new Error(
      `${statePath} is not a version ${CHECKPOINT_VERSION} training checkpoint (format ${JSON.stringify(state?.format)}, version ${JSON.stringify(state?.version)})`,
    );
  }
  const optimizerPath = path.join(checkpointPath, OPTIMIZER_FILE);
  let optimizerData: Uint8Array;
  try {
    optimizerData = new Uint8Array(await fs.readFile(optimizerPath));
  } catch (error) {
    throw new Error(`${optimizerPath} is unreadable: ${(error as Error).message}`);
  }
  assertOptimizerData(optimizerPath, optimizerData, state);
  // fileSystem's load checks each weights file against the sha256 in its name and refuses non-finite weights.
  const model = await fileSystem(path.join(checkpointPath, MODEL_DIR)).load!();
  return { path: checkpointPath, state, optimizerData, model };
}

/** What latest.json says, as a note when it cannot be followed; the newest verified checkpoint is used either way. */
async function pointerNote(directory: string, newest: string | undefined): Promise<string | undefined> {
  const latestPath = path.join(directory, LATEST_FILE);
  let latest: { checkpoint?: unknown };
  try {
    latest = JSON.parse(await fs.readFile(latestPath, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return `${latestPath} is missing`;
    return `${latestPath} is unreadable (${(error as Error).message})`;
  }
  if (typeof latest?.checkpoint !== 'string' || !STEP_PATTERN.test(latest.checkpoint)) {
    return `${latestPath} does not name a checkpoint (got ${JSON.stringify(latest)})`;
  }
  if (latest.checkpoint !== newest) return `${latestPath} names ${latest.checkpoint}, but ${newest} is newer`;
  return undefined;
}

/**
 * The newest checkpoint in `directory` that verifies (state, optimizer bytes and their checksum, model weights against
 * the checksums in their file names, all values finite), with a note for each newer one passed over; undefined when
 * the directory holds no checkpoint at all. Throws, naming every checkpoint and what is wrong with it, when none
 * verifies: training must not silently start over.
 */
export async function readCheckpoint(directory: string): Promise<LoadedCheckpoint | undefined> {
  const steps = await stepDirectories(directory);
  if (steps.length === 0) {
    if (!(await hasCheckpoint(directory))) return undefined;
    const note = await pointerNote(directory, undefined);
    throw new Error(
      `train: ${directory} holds ${LATEST_FILE} but no checkpoint directory` +
        `${note === undefined ? '' : ` (${note})`}; restore the step-* directories from a copy, or delete ${directory} to train from the start`,
    );
  }
  const notes: string[] = [];
  const latestNote = await pointerNote(directory, steps[0]);
  const rejected: { step: string; reason: string }[] = [];
  for (const step of steps) {
    const checkpointPath = path.join(directory, step);
    try {
      const checkpoint = await loadVerifiedCheckpoint(checkpointPath);
      if (latestNote !== undefined) notes.push(latestNote);
      notes.push(...rejected.map(({ step: passed, reason }) => `passed over ${passed}: ${reason}`));
      return { ...checkpoint, notes };
    } catch (error) {
      rejected.push({ step, reason: (error as Error).message });
    }
  }
  throw new Error(
    `train: no checkpoint in ${directory} can be resumed:\n  ${rejected.map(({ reason }) => reason).join('\n  ')}\n` +
      `Restore a checkpoint from a copy, or delete ${directory} to train from the start`,
  );
}
