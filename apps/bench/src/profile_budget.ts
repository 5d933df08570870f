import type { DatasetName, Profile } from './profiles.js';
import { hasCodes } from './model_factory.js';
import type { Variant } from './results.js';

/** What a profile's wall time is made of, as `scripts/measure_rates.mjs` measured it on one machine. */
export interface MeasuredRates {
  /** Where and how they were measured: CPU, load, backend, width, batch. */
  source: string;
  /** The batch size and backbone width the rates hold for: images per second change with both. */
  batchSize: number;
  width: number;
  /** Training images per second of each variant, at the profile's width and batch, data-parallel as `reproduce` trains. */
  trainImagesPerSecond: Partial<Record<Variant, number>>;
  /** Milliseconds per image of one forward and backward pass of the inference path, on one thread (PGD's step). */
  gradientPassMs: number;
  /** Milliseconds per image of one forward pass (Square's query, the clean and transformed test sets). */
  forwardPassMs: number;
  /** Seconds of one disentanglement report on the profile's images, for a model with codes. */
  disentanglementSeconds: number;
}

export interface BudgetOptions {
  /** Training images per dataset when the profile takes all of them. */
  trainSize: Record<DatasetName, number>;
  /** Test images per dataset, which cap the profile's test limit (a --test-limit above them evaluates them all). */
  testSize?: Partial<Record<DatasetName, number>>;
  /** Evaluations run side by side (reproduce evaluates on one thread per worker). Default 2. */
  lanes?: number;
  /**
   * The share of test images still robust when AutoAttack's later stages start (they attack only those), averaged over
   * models and radii. Default 0.5, above what PGD leaves of any model at the profile's radii, so the estimate errs long.
   */
  autoAttackSurvivors?: number;
}

export interface BudgetEstimate {
  trainingSeconds: number;
  evaluationSeconds: number;
  totalSeconds: number;
  /** One model's evaluation on one thread, by variant. */
  evaluationSecondsPerModel: number;
}

/**
 * The wall time of `reproduce --profile` on the machine `rates` describe: every variant trained for every dataset and
 * seed, then evaluated, `lanes` models at a time. Attacks are counted in passes over the test images (an attack that
 * stops early on fooled images is counted as if it did not), so the estimate is an upper bound up to the rates' noise.
 */
export function estimateProfile(profile: Profile, rates: MeasuredRates, options: BudgetOptions): BudgetEstimate {
  // A profile whose batch size was overridden (--batch-size) trains at rates nobody measured: an estimate from these
  // would look exact and be wrong. Epochs, limits, seeds and datasets only scale the counts, which are summed below.
  if (profile.batchSize !== rates.batchSize || profile.width !== rates.width) {
    throw new Error(
      `estimateProfile: the rates were measured at batch ${rates.batchSize} and width ${rates.width}, but the profile trains at batch ` +
        `${profile.batchSize} and width ${profile.width}; measure them for it (scripts/measure_rates.mjs --batch=${profile.batchSize} --width=${profile.width})`,
    );
  }
  const lanes = options.lanes ?? 2;
  const survivors = options.autoAttackSurvivors ?? 0.5;
  const cells = profile.seeds;
  let trainingSeconds = 0;
  let evaluationSeconds = 0;
  let evaluationSecondsPerModel = 0;
  for (const dataset of profile.datasets) {
    const images = Math.min(profile.trainLimit ?? Infinity, options.trainSize[dataset]);
    for (const variant of profile.variants) {
      const rate = rates.trainImagesPerSecond[variant];
      if (rate === undefined) throw new Error(`estimateProfile: no training rate for variant '${variant}'`);
      trainingSeconds += (cells * profile.epochs * images) / rate;
    }
    const family = dataset === 'cifar10' ? 'color' : 'grayscale';
    const testImages = Math.min(profile.testLimit, options.testSize?.[dataset] ?? Infinity);
    const perModel = modelEvaluationSeconds(profile, rates, family, survivors, testImages);
    evaluationSecondsPerModel = Math.max(evaluationSecondsPerModel, perModel);
    const withCodes = profile.variants.filter(hasCodes).length;
    const perSeed = profile.variants.length * perModel + withCodes * rates.disentanglementSeconds;
    evaluationSeconds += (cells * perSeed) / lanes;
  }
  return { trainingSeconds, evaluationSeconds, totalSeconds: trainingSeconds + evaluationSeconds, evaluationSecondsPerModel };
}

/** One model's attacks, transforms and sanity checks on `testLimit` test images, in seconds on one thread. */
function modelEvaluationSeconds(profile: Profile, rates: MeasuredRates, family: 'grayscale' | 'color', survivors: number, testLimit: number): number {
  const { attacks, geometric } = profile;
  const radii = attacks.epsilons[family].length;
  const forwardInGradientPasses = rates.forwardPassMs / rates.gradientPassMs;
  let passes = radii * (1 + attacks.pgd.steps * attacks.pgd.restarts);
  if (attacks.apgd !== undefined) passes += radii * attacks.apgd.steps;
  if (attacks.autoAttack !== undefined) {
    const { apgdSteps, targetClasses, squareQueries } = attacks.autoAttack;
    const autoRadii = attacks.autoAttack.epsilons?.[family].length ?? radii;
    passes += autoRadii * (apgdSteps + survivors * (targetClasses * apgdSteps + squareQueries * forwardInGradientPasses));
  }
  if (attacks.transfer) passes += radii * attacks.pgd.steps;
  let seconds = (testLimit * passes * rates.gradientPassMs) / 1000;
  if (attacks.sanity !== undefined) {
    // Per radius: FGSM, PGD, Square, PGD over the whole input range, and PGD transferred from another model.
    const perRadius = 1 + 3 * attacks.pgd.steps + attacks.sanity.squareQueries * forwardInGradientPasses;
    seconds += (Math.min(attacks.sanity.images, testLimit) * radii * perRadius * rates.gradientPassMs) / 1000;
  }
  const transforms = geometric.rotations.length + geometric.translations.length + geometric.scales.length + (geometric.affnist40 ? 1 : 0);
  seconds += (testLimit * (1 + transforms) * rates.forwardPassMs) / 1000;
  return seconds;
}
