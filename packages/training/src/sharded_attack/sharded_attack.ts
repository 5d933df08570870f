import type * as tf from '@tensorflow/tfjs-core';
import type { AttackDescription } from './attack_description.js';
import type { ShardedAttackOptions } from './attack_job.js';
import { AttackThreads, type ShardedAttackPoolOptions } from './attack_threads.js';
import type { ShardableModel } from './model_source.js';
import { toRobustAccuracy, type PoolStartup, type ShardedAttackResult, type ShardedRobustAccuracy } from './results.js';
import type { ShardedLabels } from './validate.js';

/**
 * Worker threads holding copies of one model, to attack batches on every core. Each call cuts its batch into chunks of
 * `chunkSize` images that the main thread and the workers claim one at a time; chunk k is attacked with stream k of the
 * attack's seed on whichever thread claims it, so every image gets the same adversarial and the same success flag
 * whatever the number of threads. The workers stay up between calls, so each pays for its backend, model and first
 * kernels once, until {@link dispose}; an error in any thread stops them all and rejects the call.
 */
export class ShardedAttackPool {
  private constructor(private readonly threadsOf: AttackThreads) {}

  /** Builds the main thread's model and starts `options.workers` workers, each with its own copy. */
  static async start(model: ShardableModel, options: ShardedAttackPoolOptions = {}): Promise<ShardedAttackPool> {
    const where = 'ShardedAttackPool.start';
    const threads = await AttackThreads.open(where, model, options);
    await threads.startWorkers(where);
    return new ShardedAttackPool(threads);
  }

  /** Threads sharing each call, the main thread included. */
  get threads(): number {
    return this.threadsOf.threads;
  }

  /** Why the pool runs on the main thread alone although workers were asked for (a model that cannot be sent). */
  get note(): string | undefined {
    return this.threadsOf.note;
  }

  /** Seconds the workers took to start (backend and model), undefined without workers. */
  get startup(): PoolStartup | undefined {
    return this.threadsOf.startupTime;
  }

  /**
   * Attacks `images` (`labels`: one class per image) with `attack` at every epsilon of `options`. Returns per epsilon
   * the success flags and, with `options.adversarials`, the clipped adversarials (the caller disposes them).
   */
  async attack(images: tf.Tensor4D, labels: ShardedLabels, attack: AttackDescription, options: ShardedAttackOptions): Promise<ShardedAttackResult> {
    const where = 'ShardedAttackPool.attack';
    return this.threadsOf.run(where, this.threadsOf.prepareJob(where, images, labels, attack, options));
  }

  /** As {@link attack}, in the form evaluation wants: per epsilon the robust accuracy and each image's correctness, plain JSON. */
  async robustAccuracy(
    images: tf.Tensor4D,
    labels: ShardedLabels,
    attack: AttackDescription,
    options: Omit<ShardedAttackOptions, 'adversarials'>,
  ): Promise<ShardedRobustAccuracy> {
    const where = 'ShardedAttackPool.robustAccuracy';
    const prepared = this.threadsOf.prepareJob(where, images, labels, attack, { ...options, adversarials: false });
    return toRobustAccuracy(await this.threadsOf.run(where, prepared));
  }

  /** Stops every worker and frees what the pool built (never the caller's model). */
  dispose(): Promise<void> {
    return this.threadsOf.dispose();
  }
}

/** Options of {@link shardedAttack}: those of one call and those of its pool. */
export type ShardedAttackCallOptions = ShardedAttackOptions & ShardedAttackPoolOptions;

async function once(
  where: string,
  model: ShardableModel,
  images: tf.Tensor4D,
  labels: ShardedLabels,
  attack: AttackDescription,
  options: ShardedAttackCallOptions,
): Promise<ShardedAttackResult> {
  const threads = await AttackThreads.open(where, model, options ?? {});
  try {
    // Every argument is checked before a worker starts.
    const prepared = threads.prepareJob(where, images, labels, attack, options);
    return await threads.run(where, prepared);
  } finally {
    await threads.dispose();
  }
}

/**
 * One sharded attack on a pool of its own, stopped when the call ends (see {@link ShardedAttackPool}): `model`
 * attacked on the main thread and `options.workers` worker threads (default: one per other core).
 */
export function shardedAttack(
  model: ShardableModel,
  images: tf.Tensor4D,
  labels: ShardedLabels,
  attack: AttackDescription,
  options: ShardedAttackCallOptions,
): Promise<ShardedAttackResult> {
  return once('shardedAttack', model, images, labels, attack, options);
}

/** {@link shardedAttack} in the form evaluation wants: per epsilon the robust accuracy and each image's correctness, plain JSON. */
export async function shardedRobustAccuracy(
  model: ShardableModel,
  images: tf.Tensor4D,
  labels: ShardedLabels,
  attack: AttackDescription,
  options: Omit<ShardedAttackCallOptions, 'adversarials'>,
): Promise<ShardedRobustAccuracy> {
  return toRobustAccuracy(await once('shardedRobustAccuracy', model, images, labels, attack, { ...options, adversarials: false }));
}
