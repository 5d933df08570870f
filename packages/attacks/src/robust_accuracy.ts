import * as tf from '@tensorflow/tfjs-core';
import { disposeResults, type Attack } from './attack.js';
import { asModel, type ModelLike } from './model.js';
import type { Norm } from './ops.js';
import { predict } from './ops.js';
import { checkEpsilons, checkLabelValues, checkPositiveInt, type Labels } from './validate.js';

/** A batch of images with their labels. */
export interface LabeledBatch {
  /** Images `[N, H, W, C]` within the model's bounds. */
  images: tf.Tensor4D;
  /** True class per image, N entries. */
  labels: Labels;
}

/**
 * Evaluation data: one `{ images, labels }` pair such as a `@ddar/datasets` Dataset (split into
 * `batchSize` batches here), or an iterable / async iterable of ready-made batches (used as given;
 * their tensors stay the caller's unless `disposeBatches` is set).
 */
export type EvaluationData = LabeledBatch | Iterable<LabeledBatch> | AsyncIterable<LabeledBatch>;

/** An attack with, optionally, its own epsilons (e.g. L2 epsilons for CW next to L-inf ones) and display name. */
export interface AttackSpec {
  /** The attack to run. */
  attack: Attack;
  /** Epsilons for this attack only; by default the shared ones. Attacks with their own are left out of `worstCase`. */
  epsilons?: number[];
  /** Name in the report and in progress events. Default `attack.name`. */
  name?: string;
}

/** Reported after every attack on every batch, and once more when a batch is done. */
export interface EvaluationProgress {
  /** Batches finished so far. */
  batches: number;
  /** Examples in the finished batches (the current batch counts once it is done). */
  examplesDone: number;
  /** Known when the data is a single `{ images, labels }` pair. */
  examplesTotal?: number;
  /** The attack that just finished on the current batch. */
  attack: string;
}

/** Options for {@link robustAccuracy}; all optional. */
export interface RobustAccuracyOptions {
  /** Batch size used to split a single `{ images, labels }` pair. Default 128. */
  batchSize?: number;
  /** Progress hook, e.g. for a progress bar or a log line; see {@link EvaluationProgress}. */
  onProgress?: (progress: EvaluationProgress) => void;
  /** Checked between batches; an aborted evaluation rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Dispose each iterated batch's tensors once evaluated — for generators that hand ownership to the
   * consumer, like `batches(ds, ...)` of @ddar/datasets. Default false.
   */
  disposeBatches?: boolean;
  /**
   * Also return, per example, whether it stayed correct (1) or not (0): without attack (`cleanCorrect`), under each
   * attack at each epsilon (`correct`), and in the worst case. What paired statistics between models need. Default false.
   */
  perExample?: boolean;
}

/** One attack's row of a {@link RobustAccuracyReport}. */
export interface AttackAccuracy {
  /** The spec's name, else the attack's. */
  name: string;
  /** The norm the epsilons are measured in. */
  norm: Norm;
  /** The epsilons this attack ran at. */
  epsilons: number[];
  /** Fraction of all examples still classified correctly, one per entry of `epsilons`. */
  robustAccuracy: number[];
  /** With `perExample`: per entry of `epsilons`, 1 for each example still classified correctly, 0 for each one fooled. */
  correct?: number[][];
}

/** JSON-able result of {@link robustAccuracy}. */
export interface RobustAccuracyReport {
  /** Examples evaluated. */
  examples: number;
  /** Fraction classified correctly without attack; an upper bound on every robust accuracy. */
  cleanAccuracy: number;
  /** With `perExample`: 1 for each example classified correctly without attack, else 0. */
  cleanCorrect?: number[];
  /** One entry per attack, in the order given. */
  attacks: AttackAccuracy[];
  /**
   * Per shared epsilon, the fraction of examples no attack (among those using the shared `epsilons`)
   * succeeded on; null when no attack uses them.
   */
  worstCase: {
    /** The shared epsilons. */
    epsilons: number[];
    /** Accuracy against the strongest attack per example, one per shared epsilon. */
    robustAccuracy: number[];
    /** With `perExample`: per shared epsilon, 1 for each example no attack fooled, else 0. */
    correct?: number[][];
  } | null;
}

function isLabeledBatch(data: unknown): data is LabeledBatch {
  return typeof data === 'object' && data !== null && 'images' in data && 'labels' in data;
}

async function* batchesOf(
  data: EvaluationData,
  batchSize: number,
  disposeBatches: boolean,
): AsyncGenerator<LabeledBatch & { owned: boolean }> {
  if (isLabeledBatch(data)) {
    const { images, labels } = data;
    if (!(images instanceof tf.Tensor) || images.rank !== 4) {
      throw new Error(`robustAccuracy: data.images must be a tf.Tensor4D, but got ${images instanceof tf.Tensor ? `rank ${images.rank}` : typeof images}`);
    }
    const n = images.shape[0];
    const y = checkLabelValues('robustAccuracy', 'data.labels', labels, n, Number.MAX_SAFE_INTEGER);
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      yield { images: tf.slice(images, start, size), labels: y.subarray(start, start + size), owned: true };
    }
    return;
  }
  if (typeof data === 'object' && data !== null && (Symbol.asyncIterator in data || Symbol.iterator in data)) {
    for await (const batch of data as AsyncIterable<LabeledBatch>) {
      if (!isLabeledBatch(batch)) {
        throw new Error(`robustAccuracy: every batch must be { images, labels }, but got ${JSON.stringify(Object.keys(batch ?? {}))}`);
      }
      yield { ...batch, owned: disposeBatches };
    }
    return;
  }
  throw new Error(`robustAccuracy: data must be { images, labels } or an iterable of such batches, but got ${String(data)}`);
}

/**
 * Robust accuracy of `model` under each attack at each epsilon, batch by batch, with progress and
 * cancellation. Returns plain data (JSON.stringify-able); all tensors are released.
 */
export async function robustAccuracy(
  model: ModelLike,
  data: EvaluationData,
  attacks: Array<Attack | AttackSpec>,
  epsilons: number[],
  options: RobustAccuracyOptions = {},
): Promise<RobustAccuracyReport> {
  const where = 'robustAccuracy';
  const m = asModel(model);
  const shared = checkEpsilons(where, epsilons, true);
  if (!Array.isArray(attacks) || attacks.length === 0) {
    throw new Error(`${where}: attacks must be a non-empty array, but got ${String(attacks)}`);
  }
  const specs = attacks.map((a, i) => {
    // An attack may itself have an `attack` method (Square does), so test for `run` before treating it as a spec.
    const spec: AttackSpec = typeof (a as Attack).run === 'function' ? { attack: a as Attack } : (a as AttackSpec);
    if (spec.attack === undefined || typeof spec.attack.run !== 'function') {
      throw new Error(`${where}: attacks[${i}] must be an attack or { attack, epsilons?, name? }`);
    }
    return {
      attack: spec.attack,
      name: spec.name ?? spec.attack.name,
      epsilons: spec.epsilons === undefined ? shared : checkEpsilons(`${where}: attacks[${i}]`, spec.epsilons, true),
      usesShared: spec.epsilons === undefined,
    };
  });
  const batchSize = checkPositiveInt(where, 'options.batchSize', options.batchSize ?? 128);
  const total = isLabeledBatch(data) && data.images instanceof tf.Tensor ? data.images.shape[0] : undefined;

  let examples = 0;
  let clean = 0;
  let batches = 0;
  const robust = specs.map((s) => new Array<number>(s.epsilons.length).fill(0));
  const worst = new Array<number>(shared.length).fill(0);
  const anyShared = specs.some((s) => s.usesShared);
  const perExample = options.perExample ?? false;
  const cleanCorrect: number[] = [];
  const correct = specs.map((s) => s.epsilons.map(() => [] as number[]));
  const worstCorrect = shared.map(() => [] as number[]);

  for await (const batch of batchesOf(data, batchSize, options.disposeBatches ?? false)) {
    try {
      options.signal?.throwIfAborted();
      const n = batch.images.shape[0];
      const y = checkLabelValues(where, 'labels', batch.labels, n, Number.MAX_SAFE_INTEGER);
      const pred = predict(m, batch.images);
      for (let i = 0; i < n; i++) if (pred[i] === y[i]) clean++;
      if (perExample) for (let i = 0; i < n; i++) cleanCorrect.push(pred[i] === y[i] ? 1 : 0);
      // broken[e][i]: some attack sharing epsilon e fooled example i.
      const broken = shared.map(() => new Uint8Array(n));
      for (let a = 0; a < specs.length; a++) {
        const spec = specs[a];
        const results = await spec.attack.run(m, batch.images, y, { epsilons: spec.epsilons });
        try {
          results.forEach((r, e) => {
            for (let i = 0; i < n; i++) {
              if (!r.success[i]) robust[a][e]++;
              if (perExample) correct[a][e].push(r.success[i] ? 0 : 1);
              if (spec.usesShared && r.success[i]) broken[e][i] = 1;
            }
          });
        } finally {
          disposeResults(results);
        }
        options.onProgress?.({ batches, examplesDone: examples, examplesTotal: total, attack: spec.name });
      }
      broken.forEach((b, e) => {
        for (let i = 0; i < n; i++) if (!b[i]) worst[e]++;
        if (perExample) for (let i = 0; i < n; i++) worstCorrect[e].push(b[i] ? 0 : 1);
      });
      examples += n;
      batches += 1;
      options.onProgress?.({ batches, examplesDone: examples, examplesTotal: total, attack: specs[specs.length - 1].name });
    } finally {
      if (batch.owned) {
        batch.images.dispose();
        if (batch.labels instanceof tf.Tensor) batch.labels.dispose();
      }
    }
  }
  if (examples === 0) {
    throw new Error(`${where}: data held no examples`);
  }
  return {
    examples,
    cleanAccuracy: clean / examples,
    ...(perExample ? { cleanCorrect } : {}),
    attacks: specs.map((s, a) => ({
      name: s.name,
      norm: s.attack.norm,
      epsilons: s.epsilons,
      robustAccuracy: robust[a].map((r) => r / examples),
      ...(perExample ? { correct: correct[a] } : {}),
    })),
    worstCase: anyShared
      ? { epsilons: shared, robustAccuracy: worst.map((r) => r / examples), ...(perExample ? { correct: worstCorrect } : {}) }
      : null,
  };
}
