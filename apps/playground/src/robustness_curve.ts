import * as tf from '@tensorflow/tfjs-core';
import { asModel, robustAccuracy, type LabeledBatch } from '@ddar/attacks';
import type { ClassifierModel } from '@ddar/disentangle';
import { attackOf, CURVE_BATCH, CURVE_EPSILONS, type AttackSettings } from './attack_settings.js';

/** Accuracy under the attack at each of `epsilons`, per model. */
export interface RobustnessCurve {
  attack: string;
  digits: number;
  epsilons: number[];
  accuracy: Record<string, number[]>;
}

export interface CurveProgress {
  model: string;
  /** Digits done for this model, and in all (models x digits). */
  digitsDone: number;
  done: number;
  total: number;
}

export interface CurveOptions {
  signal?: AbortSignal;
  onProgress?: (progress: CurveProgress) => void;
  /** Awaited before every batch, so that the page can paint and answer input between them. */
  yieldToPage?: () => Promise<void>;
}

/**
 * The robustness curve: for each model, @ddar/attacks' `robustAccuracy` of the attack at every budget of
 * {@link CURVE_EPSILONS} on `images`, in batches of {@link CURVE_BATCH}. The same call on a `{ images, labels }` pair
 * with `batchSize: CURVE_BATCH` computes the same numbers; the batches are handed over one by one only so that the page
 * can breathe between them. Cancel with `signal`: the promise rejects with its reason and every tensor is freed.
 */
export async function robustnessCurve(
  models: Record<string, ClassifierModel>,
  images: tf.Tensor4D,
  labels: Int32Array,
  settings: Pick<AttackSettings, 'attack' | 'steps'>,
  options: CurveOptions = {},
): Promise<RobustnessCurve> {
  const n = images.shape[0];
  if (labels.length !== n) throw new Error(`robustnessCurve: ${n} images but ${labels.length} labels`);
  const names = Object.keys(models);
  const accuracy: Record<string, number[]> = {};
  for (const [m, name] of names.entries()) {
    const model = models[name];
    const report = await robustAccuracy(
      asModel((x: tf.Tensor4D) => model.classify(x), { bounds: [0, 1] }),
      batchesOf(images, labels, options.yieldToPage),
      [attackOf(settings)],
      CURVE_EPSILONS,
      {
        signal: options.signal,
        disposeBatches: true,
        onProgress: (p) => {
          if (p.examplesDone === 0) return;
          options.onProgress?.({ model: name, digitsDone: p.examplesDone, done: m * n + p.examplesDone, total: names.length * n });
        },
      },
    );
    accuracy[name] = report.attacks[0].robustAccuracy;
  }
  return { attack: attackOf(settings).name, digits: n, epsilons: [...CURVE_EPSILONS], accuracy };
}

async function* batchesOf(images: tf.Tensor4D, labels: Int32Array, yieldToPage?: () => Promise<void>): AsyncGenerator<LabeledBatch> {
  const n = images.shape[0];
  for (let start = 0; start < n; start += CURVE_BATCH) {
    await yieldToPage?.();
    const size = Math.min(CURVE_BATCH, n - start);
    yield { images: tf.slice(images, start, size), labels: labels.subarray(start, start + size) };
  }
}
