import { estimateProfile, type MeasuredRates } from './profile_budget.js';
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
    const rates: MeasuredRates = { source: 'made up', trainImagesPerSecond: { baseline: 100, ddar: 50 }, gradientPassMs: 1, forwardPassMs: 0.5, disentanglementSeconds: 3 };
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

  it('keeps the standard profile inside 90 minutes at the rates it was sized from', () => {
    const estimate = estimateProfile(PROFILES.standard, STANDARD_RATES, { trainSize: FULL_SETS });
    expect(estimate.totalSeconds / 60).toBeLessThanOrEqual(90);
    expect(estimate.trainingSeconds / 60).toBeGreaterThan(50);
  });
});
