import * as tf from '@tensorflow/tfjs-core';
import type { Attack, Model } from '@ddar/attacks';
import { checkAttackDescription } from './attack_description.js';
import { CONTROL_BYTES } from './attack_chunks.js';
import type { AttackJob } from './messages.js';
import { checkChunkSize, checkEpsilons, checkImages, checkLabels, type ShardedLabels } from './validate.js';

/**
 * Images per chunk by default: few enough to share a batch of a few hundred among a few threads, enough to keep the
 * kernels efficient (PGD on the MNIST DDAR model on wasm: 97% of the whole-batch rate in chunks of 64, 90% in chunks of 32).
 */
export const DEFAULT_CHUNK_SIZE = 64;

/** Options of one sharded attack call; only `epsilons` is required. */
export interface ShardedAttackOptions {
  /** Perturbation budgets to sweep, in the attack's norm; one call runs them all. */
  epsilons: number[];
  /**
   * Images per chunk (the last chunk may hold fewer). The chunks, not the threads, decide every result: chunk k is
   * attacked with stream k of the attack's seed on whichever thread claims it. Default 64.
   */
  chunkSize?: number;
  /** Also return the clipped adversarials of every epsilon, as tensors the caller owns. Default false. */
  adversarials?: boolean;
  /** Called after every chunk, on the main thread. */
  onProgress?: (progress: ShardedAttackProgress) => void;
  /** Checked between chunks: an aborted call stops once the chunks being attacked are done, and rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** What `onProgress` receives after every chunk. */
export interface ShardedAttackProgress {
  chunksDone: number;
  chunks: number;
  examplesDone: number;
  examples: number;
}

/** A validated call: its job for the threads, and the attack as chunk 0 builds it (for its name and norm). */
export interface PreparedJob {
  job: AttackJob;
  attack: Attack;
  options: ShardedAttackOptions;
}

/**
 * Validates one call against the main thread's `model` (`inputShape` when the model states it) and lays its images
 * and labels out in memory every thread shares. Nothing here starts a worker, so a bad argument costs nothing.
 */
export function prepareJob(
  where: string,
  model: Model,
  inputShape: readonly number[] | undefined,
  images: tf.Tensor4D,
  labels: ShardedLabels,
  attack: unknown,
  options: ShardedAttackOptions,
): PreparedJob {
  if (options === null || typeof options !== 'object') {
    throw new Error(`${where}: options must be an object with epsilons, but got ${options === null ? 'null' : typeof options}`);
  }
  const checked = checkAttackDescription(where, attack);
  const epsilons = checkEpsilons(where, options.epsilons);
  const chunkSize = checkChunkSize(where, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const values = checkImages(where, images, inputShape, model.bounds);
  const examples = images.shape[0];
  let numClasses: number;
  try {
    numClasses = tf.tidy(() => model.logits(tf.slice(images, 0, 1)).shape[1]);
  } catch (error) {
    throw new Error(`${where}: the model failed on images of shape [${images.shape.slice(1)}]: ${(error as Error).message}`);
  }
  const labelValues = checkLabels(where, labels, examples, numClasses);

  const imageBuffer = new SharedArrayBuffer(values.byteLength);
  new Float32Array(imageBuffer).set(values);
  const labelBuffer = new SharedArrayBuffer(labelValues.byteLength);
  new Int32Array(labelBuffer).set(labelValues);
  const job: AttackJob = {
    attack: checked.description,
    epsilons,
    imageShape: images.shape.slice(1) as [number, number, number],
    examples,
    chunkSize,
    images: imageBuffer,
    labels: labelBuffer,
    control: new SharedArrayBuffer(CONTROL_BYTES),
    cleanCorrect: new SharedArrayBuffer(examples),
    success: new SharedArrayBuffer(epsilons.length * examples),
  };
  if (options.adversarials === true) job.adversarials = new SharedArrayBuffer(epsilons.length * values.byteLength);
  return { job, attack: checked.attack, options };
}
