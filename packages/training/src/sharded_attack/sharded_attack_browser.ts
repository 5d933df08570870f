import type * as tf from '@tensorflow/tfjs-core';
import type { AttackDescription } from './attack_description.js';
import type { ShardedAttackPoolOptions } from './attack_threads.js';
import type { ShardableModel } from './model_source.js';
import type { ShardedAttackResult, ShardedRobustAccuracy } from './results.js';
import type { ShardedAttackCallOptions } from './sharded_attack.js';
import type { ShardedLabels } from './validate.js';

export type { ShardedAttackCallOptions };

// The browser build's sharded attacks: the same names as in Node.js, so that code shared between the two still bundles.
// They shard over Node.js worker threads; a page runs the same attacks on its main thread through @ddar/attacks.

function noThreads(what: string): Error {
  return new Error(
    `${what} shares attacks among Node.js worker threads, which this browser build does not have; in a browser run the ` +
      "attack on the main thread with @ddar/attacks (robustAccuracy, or an attack's run, e.g. new PGD(...).run(model, images, labels, { epsilons }))",
  );
}

/** Node.js only: `start` rejects, saying what to use in a browser. */
export class ShardedAttackPool {
  private constructor() {}

  /** Node.js only: rejects, saying what to use in a browser. */
  static start(_model: ShardableModel, _options?: ShardedAttackPoolOptions): Promise<ShardedAttackPool> {
    return Promise.reject(noThreads('ShardedAttackPool.start'));
  }
}

/** Node.js only: rejects, saying what to use in a browser. */
export function shardedAttack(
  _model: ShardableModel,
  _images: tf.Tensor4D,
  _labels: ShardedLabels,
  _attack: AttackDescription,
  _options: ShardedAttackCallOptions,
): Promise<ShardedAttackResult> {
  return Promise.reject(noThreads('shardedAttack'));
}

/** Node.js only: rejects, saying what to use in a browser. */
export function shardedRobustAccuracy(
  _model: ShardableModel,
  _images: tf.Tensor4D,
  _labels: ShardedLabels,
  _attack: AttackDescription,
  _options: Omit<ShardedAttackCallOptions, 'adversarials'>,
): Promise<ShardedRobustAccuracy> {
  return Promise.reject(noThreads('shardedRobustAccuracy'));
}
