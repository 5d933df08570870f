import type * as tf from '@tensorflow/tfjs-core';
import type { Norm } from '@ddar/attacks';
import type { ShardedAttackName } from './attack_description.js';

/** How long one thread worked in one call. Thread 0 is the main thread. */
export interface ThreadTiming {
  thread: number;
  /** Chunks it attacked. */
  chunks: number;
  /** Seconds spent attacking them. */
  seconds: number;
  /**
   * Seconds of its first chunk in this call, or null if it got none. A worker's first chunk ever also pays for the
   * backend's kernel setup (XNNPACK operators are created on first use), so compare it with `seconds / chunks`.
   */
  firstChunkSeconds: number | null;
}

/** Seconds the workers of a pool took to start. */
export interface PoolStartup {
  /** Wall-clock, from starting the threads until every worker had its model (loading the code included). */
  seconds: number;
  /** Per worker, the seconds its backend and model setup took once its code was loaded. */
  workers: number[];
}

/** What every result of a sharded attack reports besides its flags. */
export interface ShardedAttackRun {
  /** The attack as described, e.g. `pgd`. */
  attack: ShardedAttackName;
  /** The attack's display name, e.g. `PGD`. */
  name: string;
  /** The norm its epsilons are measured in. */
  norm: Norm;
  /** Images attacked. */
  examples: number;
  /** Fraction of the clean images classified correctly. */
  cleanAccuracy: number;
  chunkSize: number;
  chunks: number;
  /** Threads that shared the chunks, the main thread included. */
  threads: number;
  /** Why the attack ran on fewer threads than asked, when it did. */
  note?: string;
  /** Wall-clock seconds of the call, each thread's share, and the workers' start when this call started them. */
  timing: { seconds: number; threads: ThreadTiming[]; startup?: PoolStartup };
}

/** One epsilon of a {@link ShardedAttackResult}. */
export interface ShardedEpsilonResult {
  epsilon: number;
  /** 1 where the clipped adversarial is misclassified (images the model already gets wrong count as successes). */
  success: Uint8Array;
  /** Fraction of images the attack did not fool. */
  robustAccuracy: number;
  /** The clipped adversarials `[N, H, W, C]`, with `options.adversarials`; the caller disposes them. */
  adversarials?: tf.Tensor4D;
}

/** What `shardedAttack` and `ShardedAttackPool.attack` return. */
export interface ShardedAttackResult extends ShardedAttackRun {
  /** 1 where the model classifies the clean image correctly. */
  cleanCorrect: Uint8Array;
  /** One result per epsilon, in order. */
  results: ShardedEpsilonResult[];
}

/**
 * What `shardedRobustAccuracy` and `ShardedAttackPool.robustAccuracy` return: plain JSON, with the fields of an
 * attack's row of @ddar/attacks' `robustAccuracy` report (`name`, `norm`, `epsilons`, `robustAccuracy`, `correct`).
 */
export interface ShardedRobustAccuracy extends ShardedAttackRun {
  epsilons: number[];
  /** 1 for each image classified correctly without attack, else 0. */
  cleanCorrect: number[];
  /** Per epsilon, the fraction of images still classified correctly. */
  robustAccuracy: number[];
  /** Per epsilon, 1 for each image still classified correctly, 0 for each one fooled. */
  correct: number[][];
}

/** The robust-accuracy form of a result. */
export function toRobustAccuracy(result: ShardedAttackResult): ShardedRobustAccuracy {
  const { cleanCorrect, results, ...run } = result;
  return {
    ...run,
    epsilons: results.map((r) => r.epsilon),
    cleanCorrect: Array.from(cleanCorrect),
    robustAccuracy: results.map((r) => r.robustAccuracy),
    correct: results.map((r) => Array.from(r.success, (s) => 1 - s)),
  };
}

/** Disposes the adversarials of a result, if it holds any. */
export function disposeShardedResult(result: ShardedAttackResult): void {
  for (const r of result.results) r.adversarials?.dispose();
}
