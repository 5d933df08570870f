import { FGSM } from './fgsm.js';
import { asModel, type ModelLike } from './model.js';
import { PGD } from './pgd.js';
import { robustAccuracy, type AttackSpec, type EvaluationData, type EvaluationProgress } from './robust_accuracy.js';
import { SquareAttack } from './square.js';
import { TransferAttack } from './transfer.js';
import { checkEpsilon, checkInRange, checkPositiveInt } from './validate.js';

/** Options for {@link gradientMaskingReport}; only `epsilon` is required. */
export interface GradientMaskingOptions {
  /** The L-inf budget to test at. */
  epsilon: number;
  /** PGD iterations (also used for the unbounded PGD). Default 40. */
  pgdSteps?: number;
  /** Square's query budget. Default 1000. */
  squareQueries?: number;
  /** Square's initial p. Default 0.05. */
  squarePInit?: number;
  /** A surrogate model for the transfer check; the check is skipped without one. */
  transferSource?: ModelLike;
  /** Slack allowed in accuracy comparisons (fraction). Default 0.02. */
  tolerance?: number;
  /** Highest robust accuracy accepted from unbounded PGD. Default 0.02. */
  unboundedMaxAccuracy?: number;
  /** As in {@link RobustAccuracyOptions.batchSize}. Default 128. */
  batchSize?: number;
  /** Seed of PGD's random starts and of Square. Default 0. */
  seed?: number;
  /** As in {@link RobustAccuracyOptions.onProgress}. */
  onProgress?: (progress: EvaluationProgress) => void;
  /** As in {@link RobustAccuracyOptions.signal}. */
  signal?: AbortSignal;
}

/** One sanity check of a {@link GradientMaskingReport}. */
export interface GradientMaskingCheck {
  /** Which comparison this is; stable, for code that reacts to a specific failure. */
  id: 'pgd-beats-fgsm' | 'pgd-beats-square' | 'pgd-beats-transfer' | 'unbounded-pgd-reaches-zero';
  /** False suggests gradient masking: the white-box numbers should not be trusted as they are. */
  passed: boolean;
  /** One plain sentence saying what was compared and, on failure, what it suggests. */
  message: string;
}

/** JSON-able result of {@link gradientMaskingReport}. */
export interface GradientMaskingReport {
  /** The L-inf budget tested at. */
  epsilon: number;
  /** Examples evaluated. */
  examples: number;
  /** Fraction classified correctly without attack. */
  cleanAccuracy: number;
  /** Robust accuracy per attack at `epsilon` (unboundedPgd: at an epsilon covering the whole input range). */
  accuracies: {
    /** Single-step FGSM. */
    fgsm: number;
    /** Iterative white-box PGD, the number being checked. */
    pgd: number;
    /** Black-box Square attack. */
    square: number;
    /** PGD transferred from `transferSource`; absent without one. */
    transfer?: number;
    /** PGD with an epsilon covering the whole input range; should be about 0. */
    unboundedPgd: number;
  };
  /** Every check that ran (the transfer check only with a `transferSource`). */
  checks: GradientMaskingCheck[];
  /** True when every check passed. */
  passed: boolean;
  /** Messages of the failed checks. */
  flags: string[];
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/**
 * Sanity checks for gradient masking (Athalye, Carlini & Wagner 2018; Carlini et al. 2019, "On
 * Evaluating Adversarial Robustness"): iterative white-box PGD must do at least as well as
 * single-step FGSM and as the black-box Square and transfer attacks, and PGD with an epsilon that
 * covers the whole input range must drive accuracy to about zero. A failure does not prove masking,
 * but means the white-box numbers should not be trusted as they are.
 */
export async function gradientMaskingReport(
  model: ModelLike,
  data: EvaluationData,
  options: GradientMaskingOptions,
): Promise<GradientMaskingReport> {
  const where = 'gradientMaskingReport';
  if (options === null || typeof options !== 'object') {
    throw new Error(`${where}: options must be an object with epsilon, but got ${String(options)}`);
  }
  const m = asModel(model);
  const epsilon = checkEpsilon(where, 'options.epsilon', options.epsilon);
  const steps = checkPositiveInt(where, 'options.pgdSteps', options.pgdSteps ?? 40);
  const tolerance = checkInRange(where, 'options.tolerance', options.tolerance ?? 0.02, 0, 1);
  const unboundedMax = checkInRange(where, 'options.unboundedMaxAccuracy', options.unboundedMaxAccuracy ?? 0.02, 0, 1);
  const seed = options.seed ?? 0;
  const range = m.bounds[1] - m.bounds[0];
  const pgd = new PGD({ steps, seed });
  const specs: AttackSpec[] = [
    { attack: new FGSM(), name: 'fgsm' },
    { attack: pgd, name: 'pgd' },
    { attack: new SquareAttack({ queries: options.squareQueries ?? 1000, pInit: options.squarePInit ?? 0.05, seed }), name: 'square' },
    { attack: new PGD({ steps, seed }), name: 'unboundedPgd', epsilons: [range] },
  ];
  if (options.transferSource !== undefined) {
    specs.push({ attack: new TransferAttack({ source: options.transferSource, attack: pgd }), name: 'transfer' });
  }
  const report = await robustAccuracy(m, data, specs, [epsilon], {
    batchSize: options.batchSize,
    onProgress: options.onProgress,
    signal: options.signal,
  });
  const acc = Object.fromEntries(report.attacks.map((a) => [a.name, a.robustAccuracy[0]])) as Record<string, number>;
  const checks: GradientMaskingCheck[] = [];
  const compare = (id: GradientMaskingCheck['id'], other: string, label: string, why: string) => {
    const passed = acc.pgd <= acc[other] + tolerance;
    checks.push({
      id,
      passed,
      message: passed
        ? `PGD (${pct(acc.pgd)}) is at least as strong as ${label} (${pct(acc[other])}) at eps=${epsilon}.`
        : `PGD robust accuracy ${pct(acc.pgd)} is above ${label}'s ${pct(acc[other])} at eps=${epsilon}: ${why} — gradients are likely masked or obfuscated.`,
    });
  };
  compare('pgd-beats-fgsm', 'fgsm', 'single-step FGSM', 'an iterative white-box attack should never lose to one step of itself');
  compare('pgd-beats-square', 'square', 'the black-box Square attack', 'a gradient-free attack beats the gradient-based one');
  if (acc.transfer !== undefined) {
    compare('pgd-beats-transfer', 'transfer', 'the transfer attack', "adversarials from another model beat the model's own gradients");
  }
  const unboundedPassed = acc.unboundedPgd <= unboundedMax;
  checks.push({
    id: 'unbounded-pgd-reaches-zero',
    passed: unboundedPassed,
    message: unboundedPassed
      ? `PGD with eps=${range} (the whole input range) brings accuracy to ${pct(acc.unboundedPgd)}.`
      : `PGD with eps=${range} (the whole input range) leaves ${pct(acc.unboundedPgd)} accuracy (expected <= ${pct(unboundedMax)}): any input is reachable, so the attack is not following useful gradients.`,
  });
  return {
    epsilon,
    examples: report.examples,
    cleanAccuracy: report.cleanAccuracy,
    accuracies: {
      fgsm: acc.fgsm,
      pgd: acc.pgd,
      square: acc.square,
      ...(acc.transfer !== undefined ? { transfer: acc.transfer } : {}),
      unboundedPgd: acc.unboundedPgd,
    },
    checks,
    passed: checks.every((c) => c.passed),
    flags: checks.filter((c) => !c.passed).map((c) => c.message),
  };
}
