import * as tf from '@tensorflow/tfjs-core';
import { disposeResults, type Model } from '@ddar/attacks';
import { chunkAttack } from './attack_description.js';
import type { AttackJob, ChunkTimes } from './messages.js';

/** Index of the next chunk to claim in `AttackJob.control`. */
const NEXT = 0;
/** Index of the stop flag in `AttackJob.control`. */
const STOP = 1;

/** Bytes of the `control` buffer of an {@link AttackJob}. */
export const CONTROL_BYTES = 2 * Int32Array.BYTES_PER_ELEMENT;

/** Chunks of `chunkSize` images in a batch of `examples`. */
export function chunkCount(examples: number, chunkSize: number): number {
  return Math.ceil(examples / chunkSize);
}

/** Tells every thread of the job to claim no more chunks; the chunks being attacked are finished. */
export function stopJob(job: AttackJob): void {
  Atomics.store(new Int32Array(job.control), STOP, 1);
}

/** The typed views of a job's shared buffers. */
class JobMemory {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly control: Int32Array;
  readonly cleanCorrect: Uint8Array;
  readonly success: Uint8Array;
  readonly adversarials: Float32Array | undefined;
  readonly pixels: number;

  constructor(job: AttackJob) {
    this.images = new Float32Array(job.images);
    this.labels = new Int32Array(job.labels);
    this.control = new Int32Array(job.control);
    this.cleanCorrect = new Uint8Array(job.cleanCorrect);
    this.success = new Uint8Array(job.success);
    this.adversarials = job.adversarials === undefined ? undefined : new Float32Array(job.adversarials);
    this.pixels = job.imageShape[0] * job.imageShape[1] * job.imageShape[2];
  }
}

/** Attacks chunk number `chunk` of `job` with `model` and writes its results into the job's memory; returns its rows. */
async function attackChunk(model: Model, job: AttackJob, memory: JobMemory, chunk: number): Promise<number> {
  const start = chunk * job.chunkSize;
  const end = Math.min(job.examples, start + job.chunkSize);
  const rows = end - start;
  const { pixels } = memory;
  const x = tf.tensor4d(memory.images.slice(start * pixels, end * pixels), [rows, ...job.imageShape]);
  const labels = memory.labels.slice(start, end);
  try {
    const predicted = tf.tidy(() => tf.argMax(model.logits(x), 1));
    const classes = predicted.dataSync();
    predicted.dispose();
    for (let i = 0; i < rows; i++) memory.cleanCorrect[start + i] = classes[i] === labels[i] ? 1 : 0;
    const results = await chunkAttack(job.attack, chunk).run(model, x, labels, { epsilons: job.epsilons });
    try {
      results.forEach((result, e) => {
        memory.success.set(result.success, e * job.examples + start);
        memory.adversarials?.set(result.clipped.dataSync(), (e * job.examples + start) * pixels);
      });
    } finally {
      disposeResults(results);
    }
  } finally {
    x.dispose();
  }
  return rows;
}

/**
 * What every thread of a job runs, the main thread included: claims the next chunk, attacks it, and again, until no
 * chunk is left or the job is stopped. Which thread attacks which chunk does not change any result: a chunk is always
 * the same images, attacked with the same seed (see `chunkSeed`). `afterChunk` runs after each chunk (to report
 * progress, or to let the main thread's event loop turn). Returns the chunks this thread attacked, with their times.
 */
export async function attackChunks(
  model: Model,
  job: AttackJob,
  afterChunk?: (chunk: number, rows: number) => void | Promise<void>,
): Promise<ChunkTimes> {
  const memory = new JobMemory(job);
  const chunks = chunkCount(job.examples, job.chunkSize);
  const times: ChunkTimes = { chunks: [], seconds: [] };
  for (;;) {
    if (Atomics.load(memory.control, STOP) !== 0) break;
    const chunk = Atomics.add(memory.control, NEXT, 1);
    if (chunk >= chunks) break;
    const started = performance.now();
    let rows: number;
    try {
      rows = await attackChunk(model, job, memory, chunk);
    } catch (error) {
      Atomics.store(memory.control, STOP, 1);
      throw error;
    }
    times.chunks.push(chunk);
    times.seconds.push((performance.now() - started) / 1000);
    await afterChunk?.(chunk, rows);
  }
  return times;
}
