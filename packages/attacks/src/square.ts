/**
 * Square Attack, L-inf — a score-based black-box attack (random search, no gradients).
 * M. Andriushchenko, F. Croce, N. Flammarion, M. Hein, "Square Attack: a query-efficient black-box
 * adversarial attack via random search", ECCV 2020 (Algorithms 1 and 2).
 *
 *   init: vertical stripes, delta[:, w, c] = +-eps per column and channel
 *   repeat: pick a square of side s = round(sqrt(p * H * W)) at a random position, give it a new
 *           random +-eps per channel, keep the change if the margin loss
 *           L = z_y - max_{k != y} z_k decreases; stop an example once L < 0
 *
 * p follows the paper's piecewise-constant schedule (halved at iterations 10, 50, 200, 500, 1000,
 * 2000, 4000, 6000, 8000 of a 10000-query budget, rescaled to the budget actually given).
 */
import * as tf from '@tensorflow/tfjs-core';
import { runAttack, type Attack, type AttackContext, type AttackResult, type RunOptions } from './attack.js';
import { asModel, type ModelLike } from './model.js';
import { countClasses, margin } from './ops.js';
import { SeededRandom } from '@ddar/random';
import { checkEpsilon, checkInputs, checkInRange, checkLabels, checkPositiveInt, checkSeed, type Labels } from './validate.js';

/** Hyper-parameters of {@link SquareAttack}; every field is optional. */
export interface SquareConfig {
  /** Query budget per example (the initialization counts as one). Default 5000 (paper: 10000). */
  queries?: number;
  /** Initial fraction p of pixels changed per square. Default 0.05 (the paper's ImageNet value; 0.3 suits MNIST). */
  pInit?: number;
  /** Seed of the initialization and of every square's position and sign. Default 0. */
  seed?: number;
}

/** The paper's p schedule: the fraction of pixels a square covers at iteration `it` of `queries`. */
export function squarePSchedule(pInit: number, it: number, queries: number): number {
  const scaled = Math.floor((it / queries) * 10000);
  const halvings: Array<[number, number]> = [
    [10, 1], [50, 2], [200, 3], [500, 4], [1000, 5], [2000, 6], [4000, 7], [6000, 8], [8000, 9],
  ];
  let p = pInit;
  for (const [start, h] of halvings) if (scaled > start) p = pInit / Math.pow(2, h);
  // Past the end of the schedule the paper's code falls back to p_init; within budget this never triggers.
  return scaled > 10000 ? pInit : p;
}

/** What {@link SquareAttack.attack} returns: the adversarials plus per-example query counts and margins. */
export interface SquareResult {
  /** The final iterate per example, within epsilon and the model's bounds; the caller owns it. */
  adversarial: tf.Tensor4D;
  /** Queries used per example. */
  queries: Int32Array;
  /** Final margin per example (negative = misclassified). */
  margins: Float32Array;
}

/**
 * L-inf Square Attack (Andriushchenko et al. 2020): black-box random search that needs only the model's
 * outputs, so it still works when gradients are masked.
 */
export class SquareAttack implements Attack {
  readonly name = 'Square';
  readonly norm = 'linf' as const;
  readonly blackBox = true;
  /** Query budget per example, after defaults (see {@link SquareConfig}). */
  readonly queries: number;
  /** Initial fraction of pixels changed per square, after defaults. */
  readonly pInit: number;
  /** Seed of the random search, after defaults. */
  readonly seed: number;

  constructor(config: SquareConfig = {}) {
    this.queries = checkPositiveInt(this.name, 'config.queries', config.queries ?? 5000);
    this.pInit = checkInRange(this.name, 'config.pInit', config.pInit ?? 0.05, 0, 1);
    this.seed = checkSeed(this.name, config.seed) ?? 0;
  }

  async run(model: ModelLike, inputs: tf.Tensor4D, labels: Labels, options: RunOptions): Promise<AttackResult[]> {
    const rng = new SeededRandom(this.seed);
    return runAttack(this, model, inputs, labels, options, {
      targeted: false,
      attackAt: (ctx, epsilon) => {
        const r = this.attackAt(ctx, epsilon, rng.fork());
        return r.adversarial;
      },
    });
  }

  /** One Square run at one epsilon with its query counts, for callers who want them. */
  attack(model: ModelLike, inputs: tf.Tensor4D, labels: Labels, epsilon: number): SquareResult {
    const where = this.name;
    const m = asModel(model);
    const x = checkInputs(where, inputs, m);
    checkEpsilon(where, 'epsilon', epsilon);
    const numClasses = countClasses(m, x);
    const y = checkLabels(where, 'labels', labels, x.shape[0], numClasses);
    try {
      return this.attackAt({ model: m, x, labels: y.tensor, labelValues: y.values, numClasses }, epsilon, new SeededRandom(this.seed));
    } finally {
      y.tensor.dispose();
    }
  }

  private attackAt(ctx: AttackContext, epsilon: number, rng: SeededRandom): SquareResult {
    const { model, x } = ctx;
    const [n, h, w, c] = x.shape;
    const [lo, hi] = model.bounds;
    const pixels = h * w * c;
    const clip = (v: number) => (v < lo ? lo : v > hi ? hi : v);
    const xs = x.dataSync() as Float32Array;
    const queries = new Int32Array(n);

    // Margins of selected rows of a flat NHWC buffer, one batched query.
    const margins = (buffer: Float32Array, rows: number[]): Float32Array => {
      const batch = tf.tensor4d(buffer, [rows.length, h, w, c]);
      const labels = tf.tensor1d(rows.map((i) => ctx.labelValues[i]), 'int32');
      const out = tf.tidy(() => margin(model.logits(batch), labels));
      const values = Float32Array.from(out.dataSync());
      [batch, labels, out].forEach((t) => t.dispose());
      for (const i of rows) queries[i]++;
      return values;
    };

    const best = new Float32Array(xs.length);
    for (let i = 0; i < n; i++) {
      for (let col = 0; col < w; col++) {
        for (let ch = 0; ch < c; ch++) {
          const delta = epsilon * rng.sign();
          for (let row = 0; row < h; row++) {
            const k = i * pixels + (row * w + col) * c + ch;
            best[k] = clip(xs[k] + delta);
          }
        }
      }
    }
    const all = Array.from({ length: n }, (_, i) => i);
    const marginMin = margins(best, all);

    for (let it = 0; it < this.queries - 1 && epsilon > 0; it++) {
      const active = all.filter((i) => marginMin[i] > 0);
      if (active.length === 0) break;
      const p = squarePSchedule(this.pInit, it, this.queries);
      const s = Math.min(Math.max(Math.round(Math.sqrt(p * h * w)), 1), Math.max(h - 1, 1));
      const top = rng.int(Math.max(h - s, 1));
      const left = rng.int(Math.max(w - s, 1));
      const candidates = new Float32Array(active.length * pixels);
      active.forEach((i, a) => {
        const base = i * pixels;
        candidates.set(best.subarray(base, base + pixels), a * pixels);
        // Redraw until the window actually changes; bounded because clipping can make both signs equal.
        for (let attempt = 0; attempt < 10; attempt++) {
          let changed = false;
          for (let ch = 0; ch < c; ch++) {
            const delta = epsilon * rng.sign();
            for (let row = top; row < top + s; row++) {
              for (let col = left; col < left + s; col++) {
                const offset = (row * w + col) * c + ch;
                const v = clip(xs[base + offset] + delta);
                if (Math.abs(v - best[base + offset]) >= 1e-7) changed = true;
                candidates[a * pixels + offset] = v;
              }
            }
          }
          if (changed) break;
        }
      });
      const candidateMargins = margins(candidates, active);
      active.forEach((i, a) => {
        if (candidateMargins[a] < marginMin[i]) {
          marginMin[i] = candidateMargins[a];
          best.set(candidates.subarray(a * pixels, (a + 1) * pixels), i * pixels);
        }
      });
    }
    const adversarial = epsilon > 0 ? tf.tensor4d(best, [n, h, w, c]) : tf.clone(x);
    return { adversarial, queries, margins: marginMin };
  }
}
