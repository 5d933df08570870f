import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { MODEL_KINDS } from '@ddar/disentangle';
import type { DataParallelConfig, ResolvedTrainingConfig } from '../config.js';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './messages.js';
import { moduleReplicaSource, saveToMemory, type ReplicaSource } from '../threads/replica_source.js';
import { ThreadConnection } from '../threads/thread_connection.js';
import { dataParallelWorkerEntry } from './worker_entry.js';
import {
  allWeights,
  copyTensorsInto,
  flatSize,
  frozenWeights,
  readWeightsInto,
  shapesOf,
  trainableFlatWeights,
  type FlatWeight,
} from './flat_weights.js';
import { averageGradients, shardGradientsIntoSlot } from './gradient_average.js';
import { termGradientNorms, termsWithWeight } from '@ddar/disentangle';
import { termGradientSubject } from '../epoch_term_gradient_norms.js';
import type { LossWeights } from '../trainable_model.js';
import { encodeOptimizerState } from '../optimizer_state.js';
import type { TrainableModel } from '../trainable_model.js';
import { applyGradients, nonFiniteTerms, type BatchGradients, type StepOutcome, type TrainingStepContext } from '../training_step.js';

const WHERE = 'train: config.dataParallel';

/** Rows [start, end) of each of `parts` shards of a batch of `rows`, as even as possible; the first shards get the extra rows. */
export function shardBounds(rows: number, parts: number): Array<[number, number]> {
  const base = Math.floor(rows / parts);
  const extra = rows % parts;
  const bounds: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i < parts; i++) {
    const end = start + base + (i < extra ? 1 : 0);
    bounds.push([start, end]);
    start = end;
  }
  return bounds;
}

async function replicaSource(model: TrainableModel, config: DataParallelConfig): Promise<ReplicaSource> {
  const replica = config.replica;
  if (replica === undefined) {
    if (!(MODEL_KINDS as readonly string[]).includes(model.kind)) {
      throw new Error(
        `${WHERE}: the workers can copy @ddar/disentangle models (${MODEL_KINDS.join(', ')}) by themselves, but this model's kind is ` +
          `'${model.kind}'; give dataParallel.replica, a module whose export builds the same architecture`,
      );
    }
    return { kind: 'artifacts', artifacts: await saveToMemory(model, WHERE) };
  }
  return moduleReplicaSource(replica, `${WHERE}.replica`);
}

/** One worker thread and the buffers it shares with the main thread. */
class ShardWorker extends ThreadConnection<WorkerRequest, WorkerReply> {
  readonly images: Float32Array;
  readonly labels: Int32Array;

  constructor(
    readonly index: number,
    worker: Worker,
    setup: WorkerSetup,
  ) {
    super(`data-parallel worker ${index}`, worker);
    this.images = new Float32Array(setup.images);
    this.labels = new Int32Array(setup.labels);
  }
}

/**
 * Data-parallel training over worker threads. Every thread (the main one and each worker) holds a copy of the model
 * and of the optimizer. Each batch is split into one shard per thread; each thread computes its shard's gradients and
 * writes them to shared memory; then every thread applies the same average of them (weighted by shard size, see
 * `averageGradients`) to its own copy, so the copies stay bit-identical without sending weights around. For a loss
 * that is a mean over images that average is the gradient of the whole batch, up to float rounding. Batch-norm layers
 * compute per-shard statistics (as PyTorch's DistributedDataParallel does without SyncBatchNorm); their running
 * statistics are the main thread's, copied to the workers before each step.
 */
export class DataParallelGroup {
  /** The gradient slots of the next step (see `WorkerSetup.gradientSlots`). */
  private slotSet: 0 | 1 = 0;

  private constructor(
    private readonly context: TrainingStepContext,
    private readonly workers: ShardWorker[],
    private readonly weights: FlatWeight[],
    private readonly frozen: FlatWeight[],
    private readonly trainableShapes: number[][],
    private readonly shared: {
      weights: Float32Array;
      frozen: Float32Array;
      slotSets: Float32Array[][];
      reports: Float32Array[];
      normImages: Float32Array;
      normLabels: Int32Array;
    },
    private readonly imageShape: number[],
  ) {}

  private get pixels(): number {
    return this.imageShape.reduce((a, b) => a * b, 1);
  }

  static async start(
    context: TrainingStepContext,
    config: DataParallelConfig,
    resolved: Pick<ResolvedTrainingConfig, 'optimizer' | 'batchSize' | 'trainData'>,
  ): Promise<DataParallelGroup> {
    const count = config.workers;
    const weights = allWeights(context.model);
    const frozen = frozenWeights(context.model);
    const trainable = trainableFlatWeights(context.model);
    const trainableShapes = shapesOf(trainable);
    const weightShapes = shapesOf(weights);
    const imageShape = resolved.trainData.imageShape;
    const pixels = imageShape.reduce((a, b) => a * b, 1);
    const maxRows = Math.ceil(resolved.batchSize / (count + 1));
    const weightsBuffer = new SharedArrayBuffer(flatSize(weights) * 4);
    const frozenBuffer = new SharedArrayBuffer(flatSize(frozen) * 4);
    const gradientBytes = flatSize(trainable) * 4;
    const slotSets = [0, 1].map(() => Array.from({ length: count + 1 }, () => new SharedArrayBuffer(gradientBytes))) as [SharedArrayBuffer[], SharedArrayBuffer[]];
    const reports = Array.from({ length: count }, () => new SharedArrayBuffer(gradientBytes));
    const replica = await replicaSource(context.model, config);
    // Shared by every worker: each reads the same batch to compute the norms of its share of the loss terms.
    const normImages = new SharedArrayBuffer(2 * resolved.batchSize * pixels * 4);
    const normLabels = new SharedArrayBuffer(resolved.batchSize * 4);
    const entry = dataParallelWorkerEntry();
    const workers: ShardWorker[] = [];
    const group = new DataParallelGroup(context, workers, weights, frozen, trainableShapes, {
      weights: new Float32Array(weightsBuffer),
      frozen: new Float32Array(frozenBuffer),
      slotSets: slotSets.map((set) => set.map((buffer) => new Float32Array(buffer))),
      reports: reports.map((buffer) => new Float32Array(buffer)),
      normImages: new Float32Array(normImages),
      normLabels: new Int32Array(normLabels),
    }, imageShape);
    try {
      for (let index = 1; index <= count; index++) {
        const setup: WorkerSetup = {
          index,
          backend: tf.getBackend(),
          replica,
          optimizer: resolved.optimizer,
          lossWeights: context.lossWeights,
          adversarial: context.adversarial,
          augmentation: context.augmentation,
          imageShape,
          weightShapes,
          trainableShapes,
          weights: weightsBuffer,
          frozenWeights: frozenBuffer,
          images: new SharedArrayBuffer(maxRows * pixels * 4),
          labels: new SharedArrayBuffer(maxRows * 4),
          normImages,
          normLabels,
          gradientSlots: slotSets,
          report: reports[index - 1],
        };
        const worker = new Worker(entry.filename, { eval: entry.eval, workerData: setup });
        const shardWorker = new ShardWorker(index, worker, setup);
        workers.push(shardWorker);
      }
      await Promise.all(workers.map((worker) => worker.ask()));
      await group.synchronize();
    } catch (error) {
      await group.dispose();
      throw new Error(`${WHERE}: could not start the workers: ${(error as Error).message}`);
    }
    return group;
  }

  /**
   * `termGradientNorms` of the model on one batch (and its transformed copies), with the loss terms shared out among
   * the threads: each term's norm is computed whole by one thread, on identical copies of the model, so the result is
   * exactly the one-thread result in a fraction of its time. Undefined for a model that has no such norms. Terms a
   * worker's copy cannot compute (a replica that is not a @ddar/disentangle model) are computed here.
   */
  async termGradientNorms(
    images: tf.Tensor4D,
    labels: tf.Tensor1D,
    transformedImages: tf.Tensor4D | undefined,
    lossWeights: LossWeights,
  ): Promise<Record<string, number> | undefined> {
    const subject = termGradientSubject(this.context.model);
    if (subject === undefined) return undefined;
    const terms = termsWithWeight(subject, lossWeights);
    const rows = images.shape[0];
    const shares = Array.from({ length: this.parallelism }, (_, thread) => terms.filter((_, k) => k % this.parallelism === thread));
    const { normImages, normLabels } = this.shared;
    normImages.set(images.dataSync() as Float32Array);
    if (transformedImages !== undefined) normImages.set(transformedImages.dataSync() as Float32Array, rows * this.pixels);
    normLabels.set(labels.dataSync() as Int32Array);
    const answers = this.workers.map((worker, i) =>
      shares[i + 1].length === 0
        ? Promise.resolve<WorkerReply>({ type: 'term-norms-done', norms: {} })
        : worker.ask({ type: 'term-norms', rows, transformed: transformedImages !== undefined, terms: shares[i + 1], lossWeights }),
    );
    const computed: Record<string, number> = {};
    let ownError: unknown;
    try {
      Object.assign(computed, termGradientNorms(subject, images, labels, lossWeights, { transformedImages, terms: shares[0] }));
    } catch (error) {
      ownError = error;
    }
    const settled = await Promise.allSettled(answers);
    if (ownError !== undefined) throw ownError;
    for (const [i, result] of settled.entries()) {
      if (result.status === 'rejected') throw result.reason;
      const reply = result.value;
      if (reply.type !== 'term-norms-done') throw new Error(`data-parallel worker ${i + 1} answered '${reply.type}' to term-norms`);
      const norms =
        reply.norms ?? termGradientNorms(subject, images, labels, lossWeights, { transformedImages, terms: shares[i + 1] });
      Object.assign(computed, norms);
    }
    return Object.fromEntries(terms.map((term) => [term, computed[term]]));
  }

  /** Threads taking part in each step, the main thread included. */
  get parallelism(): number {
    return this.workers.length + 1;
  }

  /** Gives every worker the main thread's weights and optimizer state. */
  async synchronize(): Promise<void> {
    readWeightsInto(this.weights, this.shared.weights);
    const optimizer = await encodeOptimizerState(this.context.optimizer);
    await Promise.all(this.workers.map((worker) => worker.ask({ type: 'sync', optimizer })));
  }

  /**
   * The workers whose trainable weights are no longer bit-identical to the main thread's (1-based indices). They
   * never should be; `train` checks at every epoch end and re-synchronizes if one is. (Batch-norm statistics are not
   * compared: a worker's change as it trains, and are replaced from the main thread's before every step.)
   */
  async divergedWorkers(): Promise<number[]> {
    const mine = new Float32Array(this.shared.reports[0]?.length ?? 0);
    copyTensorsInto(this.context.variables, mine);
    await Promise.all(this.workers.map((worker) => worker.ask({ type: 'report' })));
    return this.workers
      .filter((worker) => {
        const theirs = this.shared.reports[worker.index - 1];
        for (let k = 0; k < mine.length; k++) if (!Object.is(mine[k], theirs[k])) return true;
        return false;
      })
      .map((worker) => worker.index);
  }

  /**
   * One optimizer step on one batch, as `trainingStep` takes it, with the batch shared out among the threads.
   * `learningRate` is the rate the main optimizer was set to for this step.
   */
  async step(images: tf.Tensor4D, labels: tf.Tensor1D, attackSeed: number, learningRate: number): Promise<StepOutcome> {
    const { context, workers, pixels, shared } = this;
    const bounds = shardBounds(images.shape[0], this.parallelism);
    const rows = bounds.map(([start, end]) => end - start);
    const slotSet = this.slotSet;
    this.slotSet = slotSet === 0 ? 1 : 0;
    const slots = shared.slotSets[slotSet];
    if (this.frozen.length > 0) readWeightsInto(this.frozen, shared.frozen);
    const imageData = images.dataSync() as Float32Array;
    const labelData = labels.dataSync() as Int32Array;
    const busy: Array<{ worker: ShardWorker; reply: Promise<WorkerReply> }> = [];
    workers.forEach((worker, i) => {
      const [start, end] = bounds[i + 1];
      if (end === start) return;
      worker.images.set(imageData.subarray(start * pixels, end * pixels));
      worker.labels.set(labelData.subarray(start, end));
      busy.push({ worker, reply: worker.ask({ type: 'shard', rows: end - start, attackSeed: (attackSeed + i + 1) >>> 0, slotSet }) });
    });

    let own: Omit<BatchGradients, 'gradients'> | undefined;
    let ownError: unknown;
    try {
      const [x, y] = tf.tidy(() => [tf.slice(images, 0, rows[0]), tf.slice(labels, 0, rows[0])]);
      own = shardGradientsIntoSlot(context, x as tf.Tensor4D, y as tf.Tensor1D, attackSeed, slots[0]);
    } catch (error) {
      ownError = error;
    }
    // Even when the main shard failed: never leave a worker mid-shard, or the next step would read a stale answer.
    const settled = await Promise.allSettled(busy.map((entry) => entry.reply));
    if (own === undefined) throw ownError;
    const replies = settled.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    });

    const total = images.shape[0];
    const losses: Record<string, number> = {};
    for (const [name, value] of Object.entries(own.losses)) losses[name] = (rows[0] / total) * value;
    let correct = own.correct;
    let adversarialCorrect = own.adversarialCorrect;
    replies.forEach((reply, i) => {
      if (reply.type !== 'shard-done') throw new Error(`data-parallel worker ${busy[i].worker.index} answered '${reply.type}' to a shard`);
      const share = rows[busy[i].worker.index] / total;
      for (const [name, value] of Object.entries(reply.losses)) losses[name] = (losses[name] ?? 0) + share * value;
      correct += reply.correct;
      if (adversarialCorrect !== undefined) adversarialCorrect += reply.adversarialCorrect ?? 0;
    });
    const outcome: StepOutcome = { losses, correct };
    if (adversarialCorrect !== undefined) outcome.adversarialCorrect = adversarialCorrect;

    const nonFinite = nonFiniteTerms(losses);
    if (nonFinite !== undefined) return { ...outcome, nonFinite };
    for (const worker of workers) worker.send({ type: 'apply', rows, learningRate, slotSet });
    applyGradients(context.optimizer, context.variables, averageGradients(slots, rows, this.trainableShapes));
    return outcome;
  }

  /** Stops every worker. */
  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
