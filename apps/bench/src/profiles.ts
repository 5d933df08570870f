import type { LossWeights } from '@ddar/disentangle';
import type { GeometricAugmentationConfig } from '@ddar/training';
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
};

export function profileNamed(name: string): Profile {
  const profile = PROFILES[name];
  if (profile === undefined) {
    throw new Error(`unknown profile '${name}'; known profiles: ${Object.keys(PROFILES).join(', ')}`);
  }
  return profile;
}
