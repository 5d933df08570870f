import type { Bounds } from '@ddar/attacks';
import type { ReplicaSource } from '../threads/replica_source.js';
import type { ErrorReply } from '../threads/thread_connection.js';
import type { AttackDescription } from './attack_description.js';

/** What an attack worker is started with. */
export interface AttackWorkerSetup {
  /** 1-based: the main thread is thread 0. */
  index: number;
  /** The main thread's tfjs backend, which the worker initializes too. */
  backend: string;
  /** How the worker builds its copy of the model. */
  replica: ReplicaSource;
  /** The input bounds the attacks are told; undefined: the model's own, else [0, 1]. */
  bounds: Bounds | undefined;
}

/**
 * One attack call: what to run and the memory every thread shares for it. The batch is cut into chunks of `chunkSize`
 * images (the last one may be smaller); each thread claims the next chunk with `Atomics.add` on `control[0]` until
 * none is left, attacks it and writes its results in place, so no image or result is copied through a message.
 */
export interface AttackJob {
  attack: AttackDescription;
  epsilons: number[];
  /** [H, W, C] of one image. */
  imageShape: [number, number, number];
  /** Images in the batch. */
  examples: number;
  chunkSize: number;
  /** Float32 [examples, H, W, C]: the images, written by the main thread before the job starts. */
  images: SharedArrayBuffer;
  /** Int32 [examples]: the labels. */
  labels: SharedArrayBuffer;
  /** Int32 [2]: the next chunk to claim, and a flag that, once set, stops every thread claiming more. */
  control: SharedArrayBuffer;
  /** Uint8 [examples]: 1 where the model classifies the clean image correctly. */
  cleanCorrect: SharedArrayBuffer;
  /** Uint8 [epsilons, examples]: 1 where the attack succeeded (the clipped adversarial is misclassified). */
  success: SharedArrayBuffer;
  /** Float32 [epsilons, examples, H, W, C]: the clipped adversarials, when the caller wants them. */
  adversarials?: SharedArrayBuffer;
}

/** Seconds each chunk a thread attacked took, in the order it attacked them. */
export interface ChunkTimes {
  chunks: number[];
  seconds: number[];
}

/** Main thread to worker: attack chunks of this job until none is left. Jobs are handled one after the other. */
export type AttackWorkerRequest = { type: 'run'; job: AttackJob };

/** Worker to main thread. */
export type AttackWorkerReply =
  /** The model is built; `seconds` since the worker started its setup (backend, model). */
  | { type: 'ready'; seconds: number }
  /** One chunk done (progress only; answers no request). */
  | { type: 'chunk'; chunk: number; rows: number }
  /** No chunk left in the job. */
  | { type: 'done'; times: ChunkTimes }
  | ErrorReply;
