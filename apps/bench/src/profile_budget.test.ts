import { estimateProfile, type MeasuredRates } from './profile_budget.js';
import { applyOverrides } from './overrides.js';
import { PROFILES, STANDARD_RATES, type Profile } from './profiles.js';

const FULL_SETS = { mnist: 60000, 'fashion-mnist': 60000, cifar10: 50000 };

describe('estimateProfile', () => {
  it('adds up training and evaluation as the doc comment says, on a tiny budget', () => {
    const tiny: Profile = {
      ...PROFILES.smoke,
      datasets: ['mnist'],
      seeds: 2,
      variants: ['baseline', 'ddar'],
      trainLimit: 1000,
      epochs: 1,
      testLimit: 10,
      attacks: { epsilons: { grayscale: [0.1], color: [0.1] }, pgd: { steps: 2, restarts: 1 }, transfer: false },
      geometric: { rotations: [30], translations: [], scales: [], affnist40: false },
    };
    const rates: MeasuredRates = { source: 'made up', batchSize: 64, width: 0.25, trainImagesPerSecond: { baseline: 100, ddar: 50 }, gradientPassMs: 1, forwardPassMs: 0.5, disentanglementSeconds: 3 };
    const estimate = estimateProfile(tiny, rates, { trainSize: FULL_SETS });
    // 2 seeds x 1 epoch x 1000 images: 20 s at 100 images/s, 40 s at 50.
    expect(estimate.trainingSeconds).toBeCloseTo(60, 10);
    // Per model: FGSM 1 + PGD 2 passes at one radius over 10 images at 1 ms, and 10 images x (clean + 1 rotation) at 0.5 ms.
    expect(estimate.evaluationSecondsPerModel).toBeCloseTo(0.03 + 0.01, 10);
    // Per seed: 2 models and DDAR's disentanglement report (3 s); 2 seeds on 2 lanes.
    expect(estimate.evaluationSeconds).toBeCloseTo((2 * (2 * 0.04 + 3)) / 2, 10);
    expect(estimate.totalSeconds).toBeCloseTo(60 + 3.08, 10);
    expect(() => estimateProfile({ ...tiny, variants: ['ae-reg'] }, rates, { trainSize: FULL_SETS })).toThrow("no training rate for variant 'ae-reg'");
  });

  it('scales with the overrides of epochs, seeds, limits and datasets, and refuses a batch size the rates were not measured at', () => {
    const options = { trainSize: FULL_SETS, testSize: { mnist: 10000, 'fashion-mnist': 10000 } };
    const standard = estimateProfile(PROFILES.standard, STANDARD_RATES, options);
    const longer = estimateProfile(applyOverrides(PROFILES.standard, { epochs: 4 }).profile, STANDARD_RATES, options);
    expect(longer.trainingSeconds).toBeCloseTo(2 * standard.trainingSeconds, 6);
    expect(longer.evaluationSeconds).toBeCloseTo(standard.evaluationSeconds, 6);
    const fewer = estimateProfile(applyOverrides(PROFILES.standard, { seeds: 2, datasets: ['mnist'], trainLimit: 6000 }).profile, STANDARD_RATES, options);
    // A quarter of the models (1 of 2 datasets, 2 of 4 seeds), each trained on a tenth of the images.
    expect(fewer.trainingSeconds).toBeCloseTo(standard.trainingSeconds / 40, 6);
    expect(fewer.evaluationSeconds).toBeCloseTo(standard.evaluationSeconds / 4, 6);
    // A test limit above the test set evaluates the whole set, and costs no more than it.
    const all = estimateProfile(applyOverrides(PROFILES.standard, { testLimit: 10000 }).profile, STANDARD_RATES, options);
    const beyond = estimateProfile(applyOverrides(PROFILES.standard, { testLimit: 500000 }).profile, STANDARD_RATES, options);
    expect(beyond.evaluationSeconds).toBeCloseTo(all.evaluationSeconds, 6);
    expect(all.evaluationSeconds).toBeGreaterThan(5 * standard.evaluationSeconds);
    expect(() => estimateProfile(applyOverrides(PROFILES.standard, { batchSize: 128 }).profile, STANDARD_RATES, options)).toThrow(
      'estimateProfile: the rates were measured at batch 64 and width 0.25, but the profile trains at batch 128 and width 0.25; ' +
        'measure them for it (scripts/measure_rates.mjs --batch=128 --width=0.25)',
    );
  });

  it('keeps the standard profile inside 90 minutes at the rates it was sized from', () => {
    const estimate = estimateProfile(PROFILES.standard, STANDARD_RATES, { trainSize: FULL_SETS });
    expect(estimate.totalSeconds / 60).toBeLessThanOrEqual(90);
    expect(estimate.trainingSeconds / 60).toBeGreaterThan(50);
  });
});
