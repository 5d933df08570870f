import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { checkBounds, type Bounds } from '@ddar/attacks';
import type { LogOption } from '../config.js';
import { ThreadConnection } from '../threads/thread_connection.js';
import { attackChunks, chunkCount, stopJob } from './attack_chunks.js';
import { prepareJob, type PreparedJob, type ShardedAttackOptions } from './attack_job.js';
import type { AttackWorkerReply, AttackWorkerRequest, AttackWorkerSetup, ChunkTimes } from './messages.js';
import { resolveModel, type ResolvedModel, type ShardableModel } from './model_source.js';
import type { PoolStartup, ShardedAttackResult, ShardedEpsilonResult } from './results.js';
import { checkWorkers, type ShardedLabels } from './validate.js';
import { shardedAttackWorkerEntry } from './worker_entry.js';

/** Options of a pool of attack threads; all optional. */
export interface ShardedAttackPoolOptions {
  /** Worker threads besides the main thread, which attacks too. Default `os.availableParallelism() - 1`. */
  workers?: number;
  /** The model's valid input range. Default: a wrapped model's own, else [0, 1]. */
  bounds?: Bounds;
  /** Where the note goes when the model cannot be sent to a worker thread: `true` (default) stderr, `false`, or a function. */
  log?: LogOption;
}

type AttackWorker = ThreadConnection<AttackWorkerRequest, AttackWorkerReply>;

function logLine(log: LogOption): (line: string) => void {
  if (log === false) return () => undefined;
  if (typeof log === 'function') return log;
  return (line) => process.stderr.write(`${line}\n`);
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function sum(flags: Uint8Array): number {
  let total = 0;
  for (let i = 0; i < flags.length; i++) total += flags[i];
  return total;
}

/**
 * The main thread's model and the worker threads holding copies of it: what `ShardedAttackPool` and `shardedAttack`
 * are made of. Every method takes `where`, the public name errors start with.
 */
export class AttackThreads {
  private readonly workers: AttackWorker[] = [];
  /** Called with the rows of each chunk a worker finishes, during a call. */
  private progress: ((rows: number) => void) | undefined;
  /** Calls run one after the other. */
  private queue: Promise<unknown> = Promise.resolve();
  private stopped: Error | undefined;
  private disposed = false;
  /** Set when the workers start, reported by the call that started them. */
  private startup: PoolStartup | undefined;
  private startupReported = false;

  private constructor(
    private readonly resolved: ResolvedModel,
    private readonly wantedWorkers: number,
    /** Why the threads are the main thread alone although workers were asked for. */
    readonly note: string | undefined,
  ) {}

  /** Makes the model ready on the main thread and checks the options; starts no worker yet. */
  static async open(where: string, model: ShardableModel, options: ShardedAttackPoolOptions): Promise<AttackThreads> {
    if (options === null || typeof options !== 'object') {
      throw new Error(`${where}: options must be an object, but got ${options === null ? 'null' : typeof options}`);
    }
    const workers = checkWorkers(where, options.workers ?? Math.max(0, availableParallelism() - 1));
    const bounds = options.bounds === undefined ? undefined : checkBounds(where, options.bounds);
    const resolved = await resolveModel(where, model, bounds);
    let note: string | undefined;
    if (workers > 0 && resolved.replica === undefined) {
      note =
        `${where}: ${resolved.unsendable}, so the attack runs on the main thread alone; to use ${workers + 1} threads give ` +
        `a @ddar/disentangle model, a saved model ({ saved }) or a module whose export builds it ({ module, exportName, options })`;
      logLine(options.log ?? true)(note);
    }
    return new AttackThreads(resolved, note === undefined ? workers : 0, note);
  }

  /** Threads attacking each call once the workers are started, the main thread included. */
  get threads(): number {
    return this.wantedWorkers + 1;
  }

  /** Seconds the workers took to start, once they have. */
  get startupTime(): PoolStartup | undefined {
    return this.startup;
  }

  /** Starts the workers (once); on any failure stops those started, frees the model and rejects. */
  async startWorkers(where: string): Promise<void> {
    const replica = this.resolved.replica;
    if (this.startup !== undefined || this.wantedWorkers === 0 || replica === undefined) return;
    const started = performance.now();
    const entry = shardedAttackWorkerEntry();
    try {
      for (let index = 1; index <= this.wantedWorkers; index++) {
        const setup: AttackWorkerSetup = { index, backend: tf.getBackend(), replica, bounds: this.resolved.model.bounds };
        const worker = new Worker(entry.filename, { eval: entry.eval, workerData: setup });
        this.workers.push(
          new ThreadConnection(`sharded-attack worker ${index}`, worker, (reply) => {
            if (reply.type !== 'chunk') return false;
            this.progress?.(reply.rows);
            return true;
          }),
        );
      }
      const ready = await Promise.all(this.workers.map((worker) => worker.ask()));
      this.startup = {
        seconds: (performance.now() - started) / 1000,
        workers: ready.map((reply) => (reply.type === 'ready' ? reply.seconds : NaN)),
      };
    } catch (error) {
      await this.dispose();
      throw new Error(`${where}: could not start the workers: ${(error as Error).message}`);
    }
  }

  /** Validates a call (see `prepareJob`); throws if the threads were stopped. */
  prepareJob(where: string, images: tf.Tensor4D, labels: ShardedLabels, attack: unknown, options: ShardedAttackOptions): PreparedJob {
    this.checkUsable(where);
    return prepareJob(where, this.resolved.model, this.resolved.inputShape, images, labels, attack, options);
  }

  private checkUsable(where: string): void {
    if (this.disposed) throw new Error(`${where}: the pool was disposed`);
    if (this.stopped !== undefined) throw new Error(`${where}: the pool was stopped by an earlier error (${this.stopped.message.split('\n')[0]})`);
  }

  /** Starts the workers if they are not yet, then runs a prepared call on every thread; calls run one after the other. */
  run(where: string, prepared: PreparedJob): Promise<ShardedAttackResult> {
    const result = this.queue.then(async () => {
      this.checkUsable(where);
      await this.startWorkers(where);
      return this.runNow(where, prepared);
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runNow(where: string, prepared: PreparedJob): Promise<ShardedAttackResult> {
    const { job, options } = prepared;
    const signal = options.signal;
    signal?.throwIfAborted();
    const started = performance.now();
    const chunks = chunkCount(job.examples, job.chunkSize);
    let chunksDone = 0;
    let examplesDone = 0;
    const report = (rows: number) => {
      chunksDone += 1;
      examplesDone += rows;
      options.onProgress?.({ chunksDone, chunks, examplesDone, examples: job.examples });
    };
    let failure: Error | undefined;
    const fail = (error: unknown) => {
      failure ??= new Error(`${where}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      stopJob(job);
    };
    const onAbort = () => stopJob(job);
    signal?.addEventListener('abort', onAbort);
    this.progress = report;
    const workerTimes = this.workers.map((worker) =>
      worker.ask({ type: 'run', job }).then(
        (reply) => (reply.type === 'done' ? reply.times : undefined),
        (error: unknown) => {
          fail(error);
          return undefined;
        },
      ),
    );
    let mainTimes: ChunkTimes | undefined;
    try {
      mainTimes = await attackChunks(this.resolved.model, job, async (_chunk, rows) => {
        report(rows);
        // Lets the workers' messages in: their progress, an abort, and an error that must stop every thread.
        if (this.workers.length > 0) await yieldToEventLoop();
      });
    } catch (error) {
      fail(error);
    }
    const times = [mainTimes, ...(await Promise.all(workerTimes))];
    this.progress = undefined;
    signal?.removeEventListener('abort', onAbort);
    if (failure !== undefined) {
      // An error in any thread stops every worker: the call is lost, and the pool with it.
      this.stopped = failure;
      await Promise.all(this.workers.map((worker) => worker.terminate()));
      throw failure;
    }
    signal?.throwIfAborted();
    const attacked = times.reduce((total, t) => total + (t?.chunks.length ?? 0), 0);
    if (attacked !== chunks) throw new Error(`${where}: ${attacked} of ${chunks} chunks were attacked`);
    return this.gather(prepared, times as ChunkTimes[], (performance.now() - started) / 1000);
  }

  private gather(prepared: PreparedJob, times: ChunkTimes[], seconds: number): ShardedAttackResult {
    const { job, attack } = prepared;
    const n = job.examples;
    const cleanCorrect = new Uint8Array(job.cleanCorrect).slice();
    const success = new Uint8Array(job.success);
    const adversarials = job.adversarials === undefined ? undefined : new Float32Array(job.adversarials);
    const pixels = job.imageShape[0] * job.imageShape[1] * job.imageShape[2];
    const results = job.epsilons.map((epsilon, e): ShardedEpsilonResult => {
      const flags = success.slice(e * n, (e + 1) * n);
      const result: ShardedEpsilonResult = { epsilon, success: flags, robustAccuracy: 1 - sum(flags) / n };
      if (adversarials !== undefined) {
        result.adversarials = tf.tensor4d(adversarials.slice(e * n * pixels, (e + 1) * n * pixels), [n, ...job.imageShape]);
      }
      return result;
    });
    const startup = this.startup !== undefined && !this.startupReported ? this.startup : undefined;
    this.startupReported ||= startup !== undefined;
    return {
      attack: job.attack.attack,
      name: attack.name,
      norm: attack.norm,
      examples: n,
      cleanAccuracy: sum(cleanCorrect) / n,
      cleanCorrect,
      results,
      chunkSize: job.chunkSize,
      chunks: chunkCount(n, job.chunkSize),
      threads: this.workers.length + 1,
      ...(this.note === undefined ? {} : { note: this.note }),
      timing: {
        seconds,
        threads: times.map((t, thread) => ({
          thread,
          chunks: t.chunks.length,
          seconds: t.seconds.reduce((a, b) => a + b, 0),
          firstChunkSeconds: t.seconds.length > 0 ? t.seconds[0] : null,
        })),
        ...(startup === undefined ? {} : { startup }),
      },
    };
  }

  /** Stops every worker and frees the model built on the main thread (never the caller's); later calls are refused. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
    this.resolved.dispose();
  }
}
