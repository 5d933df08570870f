/**
 * APGD-T — targeted Auto-PGD on the targeted DLR loss, run once per likely target class.
 * F. Croce, M. Hein, "Reliable evaluation of adversarial robustness with an ensemble of diverse
 * parameter-free attacks", ICML 2020 (Sec. 4 and 5; AutoAttack's second attack).
 *
 *   for t in the k classes with the highest clean logits other than y (k = 9 by default):
 *     run APGD (apgd.ts, same steps, step sizes and checkpoints) ascending DLR-T(z, y, t) (dlr.ts)
 *     on the examples no earlier target has misclassified
 *
 * The attack is untargeted in what it reports: an example's result is the first misclassified
 * iterate of the first target that misclassifies it, whatever class it lands in; one that no target
 * breaks keeps the highest-loss iterate of its first target. Inputs the model already misclassifies
 * are returned unchanged, as in the authors' code.
 */
import * as tf from '@tensorflow/tfjs-core';
import { apgdRun, resolveApgdSettings, type ApgdConfig, type ApgdSettings } from './apgd.js';
import { runAttack, type Attack, type AttackContext, type AttackResult, type RunOptions } from './attack.js';
import { targetedDlrLoss } from './dlr.js';
import type { ModelLike } from './model.js';
import { gatherRows, scatterRows, type Norm } from './ops.js';
import { SeededRandom } from '@ddar/random';
import { checkPositiveInt, type Labels } from './validate.js';

/** Hyper-parameters of {@link APGDT}: those of {@link ApgdConfig} (without the loss) plus the number of targets. */
export interface ApgdTConfig extends Omit<ApgdConfig, 'loss' | 'onCheckpoint'> {
  /** Target classes tried per example, the highest clean logits first; capped at numClasses - 1. Default 9, as in AutoAttack. */
  targetClasses?: number;
  /** Reports each attacked example's step size after every checkpoint of the run against target number `target` (0 = the likeliest). */
  onCheckpoint?: (info: { target: number; restart: number; iteration: number; stepSizes: Float32Array }) => void;
}

/**
 * The `count` classes other than the label with the highest logits, likeliest first, per example: `[count][N]`, from
 * flat `[N, numClasses]` logits. Ties go to the lower class index.
 */
export function likelyTargets(logits: Float32Array, numClasses: number, labels: Int32Array, count: number): Int32Array[] {
  const n = labels.length;
  const targets = Array.from({ length: count }, () => new Int32Array(n));
  for (let i = 0; i < n; i++) {
    const row = logits.subarray(i * numClasses, (i + 1) * numClasses);
    const others = Array.from({ length: numClasses }, (_, c) => c).filter((c) => c !== labels[i]);
    others.sort((a, b) => row[b] - row[a] || a - b);
    for (let j = 0; j < count; j++) targets[j][i] = others[j];
  }
  return targets;
}

/**
 * APGD-T (Croce & Hein 2020): targeted APGD-DLR against each of the `targetClasses` likeliest wrong classes in turn,
 * each run only on the examples still classified correctly. Needs a model with at least 4 classes.
 */
export class APGDT implements Attack {
  readonly name = 'APGD-T';
  readonly norm: Norm;
  readonly blackBox = false;
  /** Target classes tried per example, after defaults (at most numClasses - 1 are used). */
  readonly targetClasses: number;
  /** Iterations per target (and restart), after defaults. */
  readonly steps: number;
  /** Runs per target, each from a new random start, after defaults. */
  readonly restarts: number;
  /** Seed of the random starts, after defaults. */
  readonly seed: number;
  private readonly settings: ApgdSettings;
  private readonly onCheckpoint?: ApgdTConfig['onCheckpoint'];

  constructor(config: ApgdTConfig = {}) {
    this.settings = resolveApgdSettings(this.name, config);
    this.targetClasses = checkPositiveInt(this.name, 'config.targetClasses', config.targetClasses ?? 9);
    this.norm = this.settings.norm;
    this.steps = this.settings.steps;
    this.restarts = this.settings.restarts;
    this.seed = this.settings.seed;
    this.onCheckpoint = config.onCheckpoint;
  }

  async run(model: ModelLike, inputs: tf.Tensor4D, labels: Labels, options: RunOptions): Promise<AttackResult[]> {
    const rng = new SeededRandom(this.seed);
    return runAttack(this, model, inputs, labels, options, {
      targeted: false,
      attackAt: (ctx, epsilon) => this.attackAt(ctx, epsilon, rng.fork()),
    });
  }

  private attackAt(ctx: AttackContext, epsilon: number, rng: SeededRandom): tf.Tensor4D {
    const { model, x, labelValues, numClasses } = ctx;
    if (numClasses < 4) {
      throw new Error(
        `${this.name}: model must return at least 4 logits for the targeted DLR loss (it divides by z_π1 - (z_π3 + z_π4) / 2), but returns ${numClasses}`,
      );
    }
    const clean = tf.tidy(() => model.logits(x));
    const cleanValues = clean.dataSync() as Float32Array;
    clean.dispose();
    const targets = likelyTargets(cleanValues, numClasses, labelValues, Math.min(this.targetClasses, numClasses - 1));
    // Only the correctly classified examples are attacked; argmax with ties to the lower index, as tf.argMax.
    let remaining = Array.from(labelValues.keys()).filter((i) => {
      const row = cleanValues.subarray(i * numClasses, (i + 1) * numClasses);
      return row.indexOf(Math.max(...row)) === labelValues[i];
    });
    let adv = tf.clone(x);
    for (let target = 0; target < targets.length && remaining.length > 0; target++) {
      const rows = remaining;
      const y = tf.tensor1d(rows.map((i) => labelValues[i]), 'int32');
      const t = tf.tensor1d(rows.map((i) => targets[target][i]), 'int32');
      const sub = gatherRows(x, rows);
      const r = apgdRun(
        model,
        sub,
        Int32Array.from(rows, (i) => labelValues[i]),
        (z) => targetedDlrLoss(z, y, t),
        epsilon,
        this.settings,
        rng,
        this.onCheckpoint && ((info) => this.onCheckpoint!({ target, ...info })),
      );
      tf.dispose([y, t, sub]);
      // The first target writes every row it attacked (its best-loss points stand for the examples no target breaks);
      // later ones only their successes.
      const keep = target === 0 ? rows.map((_, j) => j) : rows.map((_, j) => j).filter((j) => r.found[j]);
      if (keep.length > 0) {
        const found = keep.length === rows.length ? r.adv : gatherRows(r.adv, keep);
        const merged = scatterRows(adv, keep.map((j) => rows[j]), found);
        if (found !== r.adv) found.dispose();
        adv.dispose();
        adv = merged;
      }
      r.adv.dispose();
      remaining = rows.filter((_, j) => !r.found[j]);
    }
    return adv;
  }
}
