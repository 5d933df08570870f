/**
 * AutoAttack — the standard ensemble of parameter-free attacks.
 * F. Croce, M. Hein, "Reliable evaluation of adversarial robustness with an ensemble of diverse
 * parameter-free attacks", ICML 2020 (Sec. 5), its "standard" version:
 *
 *   1. APGD-CE   100 steps                                   (apgd.ts)
 *   2. APGD-T    DLR-T, 100 steps against each of 9 targets  (apgd_t.ts)
 *   3. Square    5000 queries, p_init 0.8                    (square.ts, black box)
 *
 * run in sequence, each on the examples that the model classifies correctly and no earlier attack
 * has fooled. An example's result is the adversarial of the first attack that fooled it, so the
 * robust accuracy is the worst case over the ensemble at a fraction of the cost of running all three
 * on everything. The budgets are options with these defaults, to be lowered for quick checks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { APGD } from './apgd.js';
import { APGDT } from './apgd_t.js';
import { disposeResults, runAttack, type Attack, type AttackContext, type AttackResult, type RunOptions } from './attack.js';
import type { ModelLike } from './model.js';
import { gatherRows, predict, scatterRows, type Norm } from './ops.js';
import { SquareAttack } from './square.js';
import { checkInRange, checkPositiveInt, checkSeed, type Labels } from './validate.js';

/** The attacks of the ensemble, by the ids used in {@link AutoAttackConfig.attacks} and {@link AutoAttackResult.foundBy}. */
export type AutoAttackComponent = 'apgd-ce' | 'apgd-t' | 'square';

const COMPONENTS: readonly AutoAttackComponent[] = ['apgd-ce', 'apgd-t', 'square'];

/** Options of {@link AutoAttack}; every field is optional and defaults to the standard AutoAttack. */
export interface AutoAttackConfig {
  /** Default `'linf'`. With `'l2'` the default ensemble is APGD-CE and APGD-T (Square is L-inf only here). */
  norm?: Norm;
  /** The attacks to run, in order. Default `['apgd-ce', 'apgd-t', 'square']` (L-inf). */
  attacks?: AutoAttackComponent[];
  /** Iterations of APGD-CE, and of APGD-T per target class. Default 100. */
  apgdSteps?: number;
  /** Target classes of APGD-T (capped at numClasses - 1). Default 9. */
  targetClasses?: number;
  /** Square's query budget per example. Default 5000. */
  squareQueries?: number;
  /** Square's initial fraction of pixels per square. Default 0.8, AutoAttack's value. */
  squarePInit?: number;
  /** Seed of every attack's random starts and proposals. Default 0. */
  seed?: number;
}

/** {@link AttackResult} plus which attack of the ensemble fooled each example. */
export interface AutoAttackResult extends AttackResult {
  /**
   * Per example: `'clean'` if the model misclassifies it without attack, else the first attack of the ensemble that
   * fooled it; null where `success` is 0.
   */
  foundBy: Array<AutoAttackComponent | 'clean' | null>;
}

/**
 * AutoAttack (Croce & Hein 2020): APGD-CE, APGD-T and Square in sequence, each on what the earlier ones left; the
 * standard untargeted evaluation. `new AutoAttack()` is the standard L-inf version; lower `apgdSteps`,
 * `targetClasses` and `squareQueries` for a quick run.
 */
export class AutoAttack implements Attack {
  readonly name = 'AutoAttack';
  readonly norm: Norm;
  readonly blackBox = false;
  /** The attacks run, in order, after defaults. */
  readonly attacks: readonly AutoAttackComponent[];
  /** Iterations of APGD-CE and of APGD-T per target, after defaults. */
  readonly apgdSteps: number;
  /** Target classes of APGD-T, after defaults. */
  readonly targetClasses: number;
  /** Square's query budget, after defaults. */
  readonly squareQueries: number;
  /** Square's initial p, after defaults. */
  readonly squarePInit: number;
  /** Seed of the random starts and proposals, after defaults. */
  readonly seed: number;
  private readonly components: Array<{ id: AutoAttackComponent; attack: Attack }>;

  constructor(config: AutoAttackConfig = {}) {
    const where = this.name;
    if (config === null || typeof config !== 'object') {
      throw new Error(`${where}: config must be an object, but got ${String(config)}`);
    }
    const norm = config.norm ?? 'linf';
    if (norm !== 'linf' && norm !== 'l2') {
      throw new Error(`${where}: config.norm must be 'linf' or 'l2', but got '${String(norm)}'`);
    }
    this.norm = norm;
    this.attacks = checkComponents(where, config.attacks ?? (norm === 'linf' ? COMPONENTS : ['apgd-ce', 'apgd-t']), norm);
    this.apgdSteps = checkPositiveInt(where, 'config.apgdSteps', config.apgdSteps ?? 100);
    this.targetClasses = checkPositiveInt(where, 'config.targetClasses', config.targetClasses ?? 9);
    this.squareQueries = checkPositiveInt(where, 'config.squareQueries', config.squareQueries ?? 5000);
    this.squarePInit = checkInRange(where, 'config.squarePInit', config.squarePInit ?? 0.8, 0, 1);
    this.seed = checkSeed(where, config.seed) ?? 0;
    const seed = this.seed;
    const make: Record<AutoAttackComponent, () => Attack> = {
      'apgd-ce': () => new APGD({ norm, steps: this.apgdSteps, seed }),
      'apgd-t': () => new APGDT({ norm, steps: this.apgdSteps, targetClasses: this.targetClasses, seed }),
      square: () => new SquareAttack({ queries: this.squareQueries, pInit: this.squarePInit, seed }),
    };
    this.components = this.attacks.map((id) => ({ id, attack: make[id]() }));
  }

  async run(model: ModelLike, inputs: tf.Tensor4D, labels: Labels, options: RunOptions): Promise<AutoAttackResult[]> {
    const foundBy: Array<AutoAttackResult['foundBy']> = [];
    const results = await runAttack(this, model, inputs, labels, options, {
      targeted: false,
      attackAt: async (ctx, epsilon) => {
        const { adv, by } = await this.attackAt(ctx, epsilon);
        foundBy.push(by);
        return adv;
      },
    });
    return results.map((r, e) => ({ ...r, foundBy: foundBy[e].map((by, i) => (r.success[i] ? by : null)) }));
  }

  private async attackAt(ctx: AttackContext, epsilon: number): Promise<{ adv: tf.Tensor4D; by: AutoAttackResult['foundBy'] }> {
    const { model, x, labelValues, numClasses } = ctx;
    if (this.attacks.includes('apgd-t') && numClasses < 4) {
      throw new Error(
        `${this.name}: model must return at least 4 logits for APGD-T's targeted DLR loss, but returns ${numClasses}; ` +
          `leave 'apgd-t' out of config.attacks`,
      );
    }
    const pred = predict(model, x);
    const by: AutoAttackResult['foundBy'] = Array.from(pred, (p, i) => (p !== labelValues[i] ? 'clean' : null));
    // Rows of `adv` some attack has written: the first attack to see an example writes it whatever the outcome (its
    // best try stands for an example nothing fools), later ones only where they succeed.
    const written = new Uint8Array(x.shape[0]);
    let remaining = Array.from(labelValues.keys()).filter((i) => by[i] === null);
    let adv = tf.clone(x);
    try {
      for (const { id, attack } of this.components) {
        if (remaining.length === 0) break;
        const rows = remaining;
        const sub = gatherRows(x, rows);
        let results: AttackResult[];
        try {
          results = await attack.run(model, sub, Int32Array.from(rows, (i) => labelValues[i]), { epsilons: [epsilon] });
        } finally {
          sub.dispose();
        }
        const [{ clipped, success }] = results;
        const keep = rows.map((_, j) => j).filter((j) => success[j] || !written[rows[j]]);
        if (keep.length > 0) {
          const part = keep.length === rows.length ? clipped : gatherRows(clipped, keep);
          const merged = scatterRows(adv, keep.map((j) => rows[j]), part);
          if (part !== clipped) part.dispose();
          adv.dispose();
          adv = merged;
        }
        disposeResults(results);
        rows.forEach((i, j) => {
          written[i] = 1;
          if (success[j]) by[i] = id;
        });
        remaining = rows.filter((_, j) => !success[j]);
      }
    } catch (error) {
      adv.dispose();
      throw error;
    }
    return { adv, by };
  }
}

/** The standard AutoAttack as an {@link Attack}: `autoAttack()` is `new AutoAttack()`, for use in `robustAccuracy`. */
export function autoAttack(config: AutoAttackConfig = {}): AutoAttack {
  return new AutoAttack(config);
}

function checkComponents(where: string, attacks: unknown, norm: Norm): AutoAttackComponent[] {
  if (!Array.isArray(attacks) || attacks.length === 0) {
    throw new Error(`${where}: config.attacks must be a non-empty array of ${COMPONENTS.map((c) => `'${c}'`).join(', ')}, but got ${JSON.stringify(attacks)}`);
  }
  attacks.forEach((a, i) => {
    if (!COMPONENTS.includes(a as AutoAttackComponent)) {
      throw new Error(`${where}: config.attacks[${i}] must be one of ${COMPONENTS.map((c) => `'${c}'`).join(', ')}, but got ${JSON.stringify(a)}`);
    }
    if (attacks.indexOf(a) !== i) {
      throw new Error(`${where}: config.attacks lists '${String(a)}' twice`);
    }
  });
  if (norm === 'l2' && attacks.includes('square')) {
    throw new Error(`${where}: config.attacks includes 'square', but the Square attack here is L-inf only; with config.norm 'l2' leave it out`);
  }
  return [...attacks] as AutoAttackComponent[];
}
