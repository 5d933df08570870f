import type { LossWeights } from '@ddar/disentangle';
import type { GeometricAugmentationConfig, LearningRateSchedule } from '@ddar/training';
import type { MeasuredRates } from './profile_budget.js';
import type { Variant } from './results.js';

export const DATASET_NAMES = ['mnist', 'fashion-mnist', 'cifar10'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/** Everything one `reproduce` run does, for every dataset and seed. */
export interface Profile {
  name: string;
  description: string;
  datasets: DatasetName[];
  seeds: number;
  variants: Variant[];
  /** Training images per dataset (all when absent). */
  trainLimit?: number;
  /** Test images every evaluation uses (clean, attacks, geometric). */
  testLimit: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** How the learning rate changes over training; constant when absent. */
  schedule?: LearningRateSchedule;
  /** Backbone width multiplier. */
  width: number;
  /** Loss weights of the regularized models (ae-reg, ddar, ddar+pgd-at, ddar+fgsm-at, and the base of ddar+consistency). */
  lossWeights: LossWeights;
  /** The geometric-consistency variants: the augmentation (baseline+aug, ddar+consistency) and DDAR's consistency weights. */
  consistency: { augmentation: GeometricAugmentationConfig; appearanceInvariance: number; crossReconstruction: number };
  /** Adversarial training (the *-at variants), per dataset family: L-inf radius, and PGD's steps (FGSM-RS takes one). */
  adversarialTraining: { steps: number; epsilon: { grayscale: number; color: number } };
  attacks: {
    /** L-inf radii for FGSM, PGD (and APGD), per dataset family. */
    epsilons: { grayscale: number[]; color: number[] };
    pgd: { steps: number; restarts: number };
    apgd?: { steps: number };
    /**
     * The AutoAttack ensemble (Croce & Hein 2020: APGD-CE, then APGD-T with the targeted DLR loss, then Square, each on
     * the images the earlier ones left) at `epsilons` (default: every epsilon), with these budgets (the standard ones
     * are 100 steps, 9 target classes and 5000 queries).
     */
    autoAttack?: { apgdSteps: number; targetClasses: number; squareQueries: number; epsilons?: { grayscale: number[]; color: number[] } };
    cw?: { binarySearchSteps: number; steps: number; l2Epsilons: { grayscale: number[]; color: number[] } };
    transfer: boolean;
    /** Gradient-masking sanity checks (adds unbounded PGD and Square) on the first `images` test images. */
    sanity?: { squareQueries: number; images: number };
  };
  /**
   * Rotation (degrees), translation (fraction of the image) and scale sweeps, and `affnist40`: the affNIST protocol on
   * a 40×40 canvas (no digit cropped), resized to the model's input size (see the `affnist40` evaluation).
   */
  geometric: { rotations: number[]; translations: number[]; scales: number[]; affnist40: boolean };
  /** Images per row in the reconstruction and code-swap grids, and per class in the template grid. */
  gridImages: number;
  /** The disentanglement report runs on the first `images` test images (at most the test set). */
  disentanglement: { images: number };
}

const COLOR_EPSILONS = [2 / 255, 4 / 255, 8 / 255];

/** The integral-warp DDAR defaults (DEFAULT_DDAR_LOSS_WEIGHTS of @ddar/disentangle), written out so results.json records them. */
const LOSS_WEIGHTS: LossWeights = { reconstruction: 10, smoothness: 1, magnitude: 0, biasReduction: 1 };

const CONSISTENCY: Profile['consistency'] = {
  // The ranges the disentanglement report probes, so that pose over them has to move from z_a into z_g.
  augmentation: { maxRotationDegrees: 45, maxShiftPixels: 3, scaleRange: [0.8, 1.2] },
  appearanceInvariance: 1,
  crossReconstruction: 10,
};

const QUICK_ATTACKS: Profile['attacks'] = {
  epsilons: { grayscale: [0.05, 0.1, 0.2, 0.3], color: COLOR_EPSILONS },
  pgd: { steps: 10, restarts: 1 },
  transfer: false,
  sanity: { squareQueries: 200, images: 100 },
};

const QUICK_GEOMETRIC: Profile['geometric'] = { rotations: [15, 30, 45, 60], translations: [0.1, 0.2], scales: [0.7, 1.3], affnist40: true };

export const PROFILES: Record<string, Profile> = {
  smoke: {
    name: 'smoke',
    description: 'tiny end-to-end check of every stage (seconds to a minute); numbers mean nothing',
    datasets: ['mnist'],
    seeds: 1,
    variants: ['baseline', 'ae-reg', 'ddar-displacement', 'ddar', 'pgd-at', 'ddar+pgd-at', 'ddar+consistency'],
    trainLimit: 256,
    testLimit: 32,
    epochs: 1,
    batchSize: 64,
    learningRate: 1e-3,
    width: 0.25,
    lossWeights: LOSS_WEIGHTS,
    consistency: CONSISTENCY,
    adversarialTraining: { steps: 2, epsilon: { grayscale: 0.3, color: 8 / 255 } },
    attacks: {
      epsilons: { grayscale: [0.1, 0.3], color: COLOR_EPSILONS },
      pgd: { steps: 3, restarts: 1 },
      apgd: { steps: 3 },
      autoAttack: { apgdSteps: 2, targetClasses: 1, squareQueries: 5, epsilons: { grayscale: [0.1], color: [8 / 255] } },
      cw: { binarySearchSteps: 2, steps: 5, l2Epsilons: { grayscale: [1.5], color: [0.5] } },
      transfer: true,
      sanity: { squareQueries: 20, images: 32 },
    },
    geometric: { rotations: [30], translations: [0.1], scales: [0.8], affnist40: true },
    gridImages: 4,
    disentanglement: { images: 32 },
  },
  quick: {
    name: 'quick',
    description: 'MNIST, baseline vs AE-reg vs DDAR: clean, FGSM, PGD-10, rotated/shifted/scaled/affNIST-like, gradient-masking checks; about 15 minutes on 2 CPU cores (wasm)',
    datasets: ['mnist'],
    seeds: 2,
    variants: ['baseline', 'ae-reg', 'ddar'],
    trainLimit: 12000,
    testLimit: 500,
    epochs: 2,
    batchSize: 64,
    learningRate: 1e-3,
    width: 0.5,
    lossWeights: LOSS_WEIGHTS,
    consistency: CONSISTENCY,
    adversarialTraining: { steps: 7, epsilon: { grayscale: 0.3, color: 8 / 255 } },
    attacks: QUICK_ATTACKS,
    geometric: QUICK_GEOMETRIC,
    gridImages: 8,
    disentanglement: { images: 500 },
  },
  paper: {
    name: 'paper',
    description: 'the full protocol (all models, attacks, transforms, 3 seeds); needs tfjs-node(-gpu) to finish in hours',
    datasets: ['mnist', 'fashion-mnist', 'cifar10'],
    seeds: 3,
    variants: ['baseline', 'ae-reg', 'ddar', 'pgd-at', 'ddar+pgd-at'],
    testLimit: 2000,
    epochs: 20,
    batchSize: 128,
    learningRate: 1e-3,
    width: 1,
    lossWeights: LOSS_WEIGHTS,
    consistency: CONSISTENCY,
    adversarialTraining: { steps: 10, epsilon: { grayscale: 0.3, color: 8 / 255 } },
    attacks: {
      epsilons: { grayscale: [0.05, 0.1, 0.2, 0.3], color: COLOR_EPSILONS },
      pgd: { steps: 40, restarts: 3 },
      apgd: { steps: 100 },
      cw: { binarySearchSteps: 9, steps: 1000, l2Epsilons: { grayscale: [1, 2, 3], color: [0.25, 0.5, 1] } },
      transfer: true,
      sanity: { squareQueries: 1000, images: 500 },
    },
    geometric: { rotations: [15, 30, 45, 60], translations: [0.1, 0.2], scales: [0.7, 0.8, 1.2, 1.3], affnist40: true },
    gridImages: 8,
    disentanglement: { images: 1000 },
  },
  disentanglement: {
    name: 'disentanglement',
    description:
      'MNIST: how well each model separates pose from appearance (the disentanglement report), the old displacement path and ' +
      "AE-reg's code split side by side, and the geometric-consistency variant next to a baseline with the same augmentation; " +
      'about 50 minutes on 2 CPU cores (wasm)',
    datasets: ['mnist'],
    seeds: 2,
    variants: ['baseline', 'ae-reg', 'ddar-displacement', 'ddar', 'baseline+aug', 'ddar+consistency'],
    trainLimit: 24000,
    testLimit: 1000,
    epochs: 2,
    batchSize: 64,
    learningRate: 1e-3,
    width: 0.5,
    lossWeights: LOSS_WEIGHTS,
    consistency: CONSISTENCY,
    adversarialTraining: { steps: 7, epsilon: { grayscale: 0.3, color: 8 / 255 } },
    attacks: QUICK_ATTACKS,
    geometric: QUICK_GEOMETRIC,
    gridImages: 8,
    disentanglement: { images: 1000 },
  },
  /**
   * The profile that can settle the paper's claims on two datasets, sized to finish in 90 minutes on 2 CPU cores (wasm),
   * from the rates in {@link STANDARD_RATES} (estimateProfile in profile_budget.ts does this sum, and a test keeps it
   * under 90):
   * - Training, 2 datasets x 4 seeds x 2 epochs x 60 000 images: per epoch baseline 18 s, AE-reg 42, DDAR 55, FGSM-AT
   *   33, DDAR+FGSM-AT 68 = 216 s, so 8 x 2 x 216 = 57.7 min. Width 0.25 because width 0.5 takes 405 s per epoch and
   *   2 epochs of it alone would be 108 min. Adam at 3e-3 with a cosine decay reaches the plateau in 2 epochs: on the
   *   full Fashion-MNIST test set the baseline scored 89.9 % and DDAR 89.8 % (4 epochs at a constant 1e-3: 90.2 and
   *   89.3); MNIST at this width levels off near 98.6-98.8 % (4 epochs: 98.6).
   * - Evaluation per model, 1000 test images, at 0.4 ms per image per forward-backward pass and 0.07 ms per forward:
   *   FGSM (1 pass) and PGD-10 with 2 restarts (20) at 3 radii, 63 passes; AutoAttack at 2 radii, APGD-CE 20 passes
   *   on every image, then APGD-T 2 targets x 20 and Square 300 queries (52.5 pass-equivalents) on the survivors,
   *   counted at one half (the undefended models keep 0-40 % under PGD at these radii in the quick runs, the
   *   adversarially trained ones more): 2 x (20 + 0.5 x 92.5) = 132.5; in all 195.5 passes, 78 s. The sanity checks
   *   at 3 radii on 100 images (FGSM, 3 x PGD-10, Square 300): 10 s; 12 clean and transformed sets: 1 s. About 89 s a
   *   model, 40 models on 2 lanes: 30 min, with 24 disentanglement reports at 2 s.
   * - In all 87.7 minutes, most of it training. Adding the consistency pair (baseline+aug, ddar+consistency) would cost
   *   another 35 min of training, so it stays in the `disentanglement` profile, whose question it answers.
   */
  standard: {
    name: 'standard',
    description:
      'MNIST and Fashion-MNIST, full training sets, 4 seeds, 1000 attacked test images: baseline, AE-reg, DDAR, fast adversarial ' +
      'training and DDAR with it; FGSM, PGD with restarts and AutoAttack at every radius, the geometric sweeps and affNIST40, paired ' +
      'statistics per claim; about 90 minutes on 2 CPU cores (wasm)',
    datasets: ['mnist', 'fashion-mnist'],
    seeds: 4,
    variants: ['baseline', 'ae-reg', 'ddar', 'fgsm-at', 'ddar+fgsm-at'],
    testLimit: 1000,
    epochs: 2,
    batchSize: 64,
    learningRate: 3e-3,
    schedule: { kind: 'cosine' },
    width: 0.25,
    lossWeights: LOSS_WEIGHTS,
    consistency: CONSISTENCY,
    adversarialTraining: { steps: 1, epsilon: { grayscale: 0.2, color: 8 / 255 } },
    attacks: {
      epsilons: { grayscale: [0.1, 0.2, 0.3], color: COLOR_EPSILONS },
      pgd: { steps: 10, restarts: 2 },
      autoAttack: { apgdSteps: 20, targetClasses: 2, squareQueries: 300, epsilons: { grayscale: [0.1, 0.2], color: COLOR_EPSILONS.slice(0, 2) } },
      transfer: false,
      sanity: { squareQueries: 300, images: 100 },
    },
    geometric: { rotations: [15, 30, 45, 60], translations: [0.1, 0.2], scales: [0.7, 0.8, 1.2, 1.3], affnist40: true },
    gridImages: 8,
    disentanglement: { images: 1000 },
  }
};

/**
 * What `standard` was sized from: `node scripts/measure_rates.mjs --width=0.25` on 2 × AMD EPYC (CPU family 25,
 * model 17), load average 1.8 (nothing else running), wasm, 2 training threads, batch 64, 2026-12-02.
 */
export const STANDARD_RATES: MeasuredRates = {
  source: '2 x AMD EPYC (family 25, model 17), load 1.8, wasm, 2 training threads, width 0.25, batch 64; 2026-12-02',
  batchSize: 64,
  width: 0.25,
  trainImagesPerSecond: {
    baseline: 3260, 'ae-reg': 1430, ddar: 1093, 'fgsm-at': 1822, 'ddar+fgsm-at': 882, 'baseline+aug': 2016, 'ddar+consistency': 592,
  },
  // PGD-10 3.2-3.3 ms per image (APGD 3.9-4.0: its step is a little dearer; counted at PGD's rate plus this margin).
  gradientPassMs: 0.4,
  // Square-100: 6.2-7.0 ms per image.
  forwardPassMs: 0.07,
  // disentanglementReport of a width-0.25 DDAR on 1000 MNIST test images: 1.6 s.
  disentanglementSeconds: 2,
};

export function profileNamed(name: string): Profile {
  const profile = PROFILES[name];
  if (profile === undefined) {
    throw new Error(`unknown profile '${name}'; known profiles: ${Object.keys(PROFILES).join(', ')}`);
  }
  return profile;
}
