import * as tf from '@tensorflow/tfjs-core';
import {
  APGD, AutoAttack, CarliniWagnerL2, FGSM, PGD, TransferAttack, asModel, gradientMaskingReport, robustAccuracy,
  type Attack, type Model,
} from '@ddar/attacks';
import { affnist40, rotated, scaled, translated, type Dataset } from '@ddar/datasets';
import { disentanglementReport, disentanglementSubjectOf, type ClassifierModel, type DisentanglementReport } from '@ddar/disentangle';
import { correctPredictions } from '@ddar/training';
import { encodeCorrectness, meanOf } from './correctness.js';
import type { Profile } from './profiles.js';
import { attackKey, geometricKey, type AttackResult, type GeometricResult, type PerImageCorrectness, type SanityCheck } from './results.js';

export interface EvaluationContext {
  profile: Profile;
  family: 'grayscale' | 'color';
  seed: number;
  /** Adversarials for the transfer attack are crafted (with PGD) on this model. */
  transferSource?: { name: string; model: ClassifierModel };
  log: (line: string) => void;
  /** Called as each stage of the evaluation begins, for run-level progress. */
  stage?: (stage: EvaluationStage) => void;
}

/** The stages of {@link evaluateModel}, in order (the disentanglement report only for models with codes). */
export type EvaluationStage = 'attacks' | 'geometric transforms' | 'gradient-masking checks' | 'disentanglement';

export interface Evaluation {
  clean: { accuracy: number; count: number };
  attacks: AttackResult[];
  geometric: GeometricResult[];
  sanity: SanityCheck[];
  perImage: PerImageCorrectness;
  /** Absent for models without codes to measure (the baselines). */
  disentanglement?: DisentanglementReport;
}

/** Attacks see only the inference path (backbone -> appearance head -> classifier), white-box, inputs in [0, 1]. */
export function attackable(model: ClassifierModel): Model {
  return asModel((x) => model.classify(x), { bounds: [0, 1] });
}

interface AttackSpec {
  name: string;
  attack: Attack;
  epsilons: number[];
}

/** Every attack of the profile that needs only the model under attack, in the report's order (transfer comes after them). */
function ownAttacksOf(context: Omit<EvaluationContext, 'transferSource'>): AttackSpec[] {
  const { profile, family, seed } = context;
  const epsilons = profile.attacks.epsilons[family];
  const attacks: AttackSpec[] = [
    { name: 'FGSM', attack: new FGSM(), epsilons },
    {
      name: profile.attacks.pgd.restarts > 1 ? `PGD-${profile.attacks.pgd.steps}x${profile.attacks.pgd.restarts}` : `PGD-${profile.attacks.pgd.steps}`,
      attack: new PGD({ steps: profile.attacks.pgd.steps, restarts: profile.attacks.pgd.restarts, seed }),
      epsilons,
    },
  ];
  if (profile.attacks.apgd !== undefined) {
    attacks.push({ name: 'APGD-CE', attack: new APGD({ steps: profile.attacks.apgd.steps, seed }), epsilons });
  }
  if (profile.attacks.autoAttack !== undefined) {
    const { apgdSteps, targetClasses, squareQueries } = profile.attacks.autoAttack;
    const at = profile.attacks.autoAttack.epsilons?.[family] ?? epsilons;
    attacks.push({ name: 'AutoAttack', attack: new AutoAttack({ apgdSteps, targetClasses, squareQueries, seed }), epsilons: at });
  }
  if (profile.attacks.cw !== undefined) {
    const { binarySearchSteps, steps, l2Epsilons } = profile.attacks.cw;
    attacks.push({ name: 'CW-L2', attack: new CarliniWagnerL2({ binarySearchSteps, steps }), epsilons: l2Epsilons[family] });
  }
  return attacks;
}

/** The transfer attack: PGD adversarials crafted on the context's transfer source, when the profile has it and there is one. */
function transferAttackOf(context: EvaluationContext): AttackSpec | undefined {
  const { profile, family, seed } = context;
  if (!profile.attacks.transfer || context.transferSource === undefined) return undefined;
  return {
    name: 'transfer',
    attack: new TransferAttack({ source: attackable(context.transferSource.model), attack: new PGD({ steps: profile.attacks.pgd.steps, seed }) }),
    epsilons: profile.attacks.epsilons[family],
  };
}

/** Runs one attack at its every epsilon: a row per epsilon, and each epsilon's per-image correctness under its key. */
async function runAttack(
  target: Model,
  test: Dataset,
  { name, attack, epsilons }: AttackSpec,
  log: (line: string) => void,
): Promise<{ rows: AttackResult[]; perImage: Record<string, string> }> {
  const started = performance.now();
  const report = await robustAccuracy(target, { images: test.images, labels: test.labels }, [{ attack, epsilons, name }], epsilons, {
    batchSize: 100,
    perExample: true,
  });
  const seconds = (performance.now() - started) / 1000;
  const { robustAccuracy: accuracies, correct, norm } = report.attacks[0];
  const rows: AttackResult[] = [];
  const perImage: Record<string, string> = {};
  epsilons.forEach((epsilon, i) => {
    rows.push({ attack: name, norm, epsilon, accuracy: accuracies[i], count: report.examples, seconds });
    perImage[attackKey(name, epsilon)] = encodeCorrectness(correct![i]);
  });
  log(`  ${name}: ${epsilons.map((e, i) => `ε=${+e.toFixed(4)} ${(100 * accuracies[i]).toFixed(1)}%`).join(', ')} (${seconds.toFixed(0)} s)`);
  return { rows, perImage };
}

/**
 * The part of an evaluation that needs the model alone: clean accuracy, every attack but transfer, the geometric test
 * sets and the disentanglement report. A distributed run computes it where the model was trained, before the transfer
 * source exists (see {@link evaluateWithSource}).
 */
export type OwnEvaluation = Omit<Evaluation, 'sanity'>;

/** The part of an evaluation that needs the transfer source too: the transfer attack and the gradient-masking checks. */
export interface SourcedEvaluation {
  /** The transfer attack's rows (none without a transfer source or when the profile has no transfer attack). */
  attacks: AttackResult[];
  /** Their per-image correctness, by {@link attackKey}. */
  perImage: Record<string, string>;
  sanity: SanityCheck[];
}

/**
 * Clean accuracy, every attack at every epsilon, the geometric test sets, the gradient-masking checks, and for models
 * with codes (DDAR, AE-reg's code split) the disentanglement report. It is {@link evaluateOwn} and
 * {@link evaluateWithSource} joined: every attack and check draws from its own seeded generator, so the two parts give
 * the same numbers whichever runs first, and wherever.
 */
export async function evaluateModel(model: ClassifierModel, test: Dataset, context: EvaluationContext): Promise<Evaluation> {
  const own = await evaluateOwn(model, test, context);
  return joinEvaluation(own, await evaluateWithSource(model, test, context));
}

/** The whole evaluation from its two parts, in the order of a local run: the transfer attack is the last attack. */
export function joinEvaluation(own: OwnEvaluation, sourced: SourcedEvaluation): Evaluation {
  const { clean, attacks, geometric, perImage, disentanglement } = own;
  return {
    clean,
    attacks: [...attacks, ...sourced.attacks],
    geometric,
    sanity: sourced.sanity,
    perImage: { ...perImage, attacks: { ...perImage.attacks, ...sourced.perImage } },
    ...(disentanglement !== undefined ? { disentanglement } : {}),
  };
}

/** See {@link OwnEvaluation}. */
export async function evaluateOwn(model: ClassifierModel, test: Dataset, context: Omit<EvaluationContext, 'transferSource'>): Promise<OwnEvaluation> {
  const { profile, log } = context;
  const cleanCorrect = correctPredictions(model, test);
  const clean = { accuracy: meanOf(cleanCorrect), count: test.size };
  const perImage: PerImageCorrectness = { count: test.size, clean: encodeCorrectness(cleanCorrect), attacks: {}, geometric: {} };
  log(`  clean accuracy ${(100 * clean.accuracy).toFixed(1)}% on ${test.size} images`);
  const target = attackable(model);

  const attacks: AttackResult[] = [];
  context.stage?.('attacks');
  for (const spec of ownAttacksOf(context)) {
    const { rows, perImage: correct } = await runAttack(target, test, spec, log);
    attacks.push(...rows);
    Object.assign(perImage.attacks, correct);
  }

  const geometric: GeometricResult[] = [];
  // affNIST's transforms happen on a 40×40 canvas, so no digit is cropped; the models take the training image size, so the
  // whole canvas is then resized to it (digits end up 0.7 times their size on top of the transform, which the scale
  // sweep measures on its own).
  const [height, width] = test.images.shape.slice(1);
  const variants: Array<{ transform: string; parameter: number; make: () => Dataset }> = [
    ...profile.geometric.rotations.map((degrees) => ({ transform: 'rotated', parameter: degrees, make: () => rotated(test, { degrees }) })),
    ...profile.geometric.translations.map((fraction) => ({
      transform: 'translated',
      parameter: fraction,
      make: () => translated(test, { dx: Math.round(fraction * width), dy: Math.round(fraction * height) }),
    })),
    ...profile.geometric.scales.map((factor) => ({ transform: 'scaled', parameter: factor, make: () => scaled(test, { factor }) })),
    ...(profile.geometric.affnist40
      ? [{ transform: 'affnist40', parameter: 0, make: () => affnist40(test, { seed: 2019, outputSize: height }) }]
      : []),
  ];
  context.stage?.('geometric transforms');
  for (const { transform, parameter, make } of variants) {
    const transformed = make();
    try {
      const flags = correctPredictions(model, transformed);
      geometric.push({ transform, parameter, accuracy: meanOf(flags), count: transformed.size });
      perImage.geometric[geometricKey(transform, parameter)] = encodeCorrectness(flags);
    } finally {
      transformed.dispose();
    }
  }
  log(`  geometric: ${geometric.map((g) => `${g.transform}${g.parameter ? ` ${g.parameter}` : ''} ${(100 * g.accuracy).toFixed(1)}%`).join(', ')}`);

  const disentanglement = await measureDisentanglement(model, test, context);
  return { clean, attacks, geometric, perImage, ...(disentanglement !== undefined ? { disentanglement } : {}) };
}

/** See {@link SourcedEvaluation}. */
export async function evaluateWithSource(model: ClassifierModel, test: Dataset, context: EvaluationContext): Promise<SourcedEvaluation> {
  const target = attackable(model);
  const transfer = transferAttackOf(context);
  if (transfer !== undefined) context.stage?.('attacks');
  const { rows, perImage } = transfer === undefined ? { rows: [], perImage: {} } : await runAttack(target, test, transfer, context.log);
  const sanity = await sanityChecks(target, test, context);
  return { attacks: rows, perImage, sanity };
}

/**
 * The gradient-masking checks at every radius the report makes claims at (every epsilon of the profile), on the first
 * `profile.attacks.sanity.images` test images: a check passes trivially where PGD already scores 0%, so each check
 * records PGD's accuracy, and the report says at which radii the checks were informative.
 */
async function sanityChecks(target: Model, test: Dataset, context: EvaluationContext): Promise<SanityCheck[]> {
  const { profile } = context;
  if (profile.attacks.sanity === undefined) return [];
  context.stage?.('gradient-masking checks');
  const count = Math.min(profile.attacks.sanity.images, test.size);
  const images = tf.slice(test.images, 0, count) as tf.Tensor4D;
  const labels = tf.slice(test.labels, 0, count) as tf.Tensor1D;
  const sanity: SanityCheck[] = [];
  try {
    for (const epsilon of profile.attacks.epsilons[context.family]) {
      const report = await gradientMaskingReport(target, { images, labels }, {
        epsilon,
        pgdSteps: profile.attacks.pgd.steps,
        squareQueries: profile.attacks.sanity.squareQueries,
        transferSource: context.transferSource !== undefined ? attackable(context.transferSource.model) : undefined,
        seed: context.seed,
        batchSize: 100,
      });
      for (const check of report.checks) {
        sanity.push({ name: check.id, passed: check.passed, message: check.message, epsilon, pgdAccuracy: report.accuracies.pgd });
      }
      context.log(
        `  gradient-masking checks at ε=${+epsilon.toFixed(4)} (PGD ${(100 * report.accuracies.pgd).toFixed(1)}%): ` +
          (report.passed ? 'all passed' : `FAILED: ${report.flags.join(' ')}`),
      );
    }
  } finally {
    tf.dispose([images, labels]);
  }
  return sanity;
}

/** The disentanglement report on the first `profile.disentanglement.images` test images, or undefined for a model without codes. */
async function measureDisentanglement(model: ClassifierModel, test: Dataset, context: Omit<EvaluationContext, 'transferSource'>): Promise<DisentanglementReport | undefined> {
  const subject = disentanglementSubjectOf(model);
  if (subject === undefined) return undefined;
  const count = Math.min(context.profile.disentanglement.images, test.size);
  if (count < 2) {
    context.log(`  disentanglement: skipped, it needs at least 2 test images and has ${count}`);
    return undefined;
  }
  context.stage?.('disentanglement');
  const images = tf.slice(test.images, 0, count) as tf.Tensor4D;
  const labels = tf.slice(test.labels, 0, count) as tf.Tensor1D;
  let report: DisentanglementReport;
  try {
    report = await disentanglementReport(subject, images, labels, { seed: context.seed });
  } finally {
    tf.dispose([images, labels]);
  }
  context.log(`  disentanglement: ${summarizeDisentanglement(report)}`);
  return report;
}

/** One log line: the numbers that say at a glance whether pose went to z_g and stayed out of z_a. */
function summarizeDisentanglement(report: DisentanglementReport): string {
  const f = (value: number | null | undefined) => (value === null || value === undefined ? '–' : value.toFixed(2));
  const { rotation, shift, scale } = report.probes;
  return [
    `${report.images} images`,
    `warp gain ${f(report.warpGain)}`,
    `template invariance ${f(report.templateInvariance?.invariance)}`,
    `R² z_g/z_a rotation ${f(rotation.fromGeometric)}/${f(rotation.fromAppearance)}, shift ${f(shift.fromGeometric)}/${f(shift.fromAppearance)}, scale ${f(scale.fromGeometric)}/${f(scale.fromAppearance)}`,
    `class from z_g/z_a ${f(report.probes.class.fromGeometric)}/${f(report.probes.class.fromAppearance)}`,
    `swap keeps class ${f(report.swapKeepsClass)}`,
    `folding ${report.folding === null ? '–' : report.folding.toFixed(3)}`,
  ].join(', ');
}
