import type { ProgressEvent } from './progress_event.js';
import type { LossWeights } from './trainable_model.js';

/**
 * Adam (Kingma & Ba 2015) or SGD with optional (Nesterov) momentum. Adam defaults: beta1 0.9, beta2 0.999, epsilon 1e-7;
 * SGD defaults: momentum 0, nesterov false.
 */
export type OptimizerConfig =
  | { name: 'adam'; learningRate: number; beta1?: number; beta2?: number; epsilon?: number }
  | { name: 'sgd'; learningRate: number; momentum?: number; nesterov?: boolean };

/** Every `OptimizerConfig` name, for validating configuration and listing choices in CLIs. */
export const OPTIMIZER_NAMES = ['adam', 'sgd'] as const;

/**
 * How the learning rate moves during training; it is recomputed at every step from the global step alone, so a resumed
 * run sees exactly the rates the uninterrupted run would have.
 * - `constant`: always `optimizer.learningRate`;
 * - `step`: multiplied by `gamma` every `everyEpochs` epochs;
 * - `cosine`: from `optimizer.learningRate` down to `minLearningRate` (default 0) along half a cosine over the run.
 */
export type LearningRateSchedule =
  | { kind: 'constant' }
  | { kind: 'step'; everyEpochs: number; gamma: number }
  | { kind: 'cosine'; minLearningRate?: number };

/** Every {@link LearningRateSchedule} kind, for validating configuration and listing choices in CLIs. */
export const SCHEDULE_KINDS = ['constant', 'step', 'cosine'] as const;

/** Every {@link AdversarialMethod}, for validating configuration and listing choices in CLIs. */
export const ADVERSARIAL_METHODS = ['pgd', 'fgsm-rs'] as const;
/** How adversarial training crafts its examples: multi-step PGD or single-step FGSM with a random start. */
export type AdversarialMethod = (typeof ADVERSARIAL_METHODS)[number];

/** Every {@link ReconstructionInput}, for validating configuration and listing choices in CLIs. */
export const RECONSTRUCTION_INPUTS = ['clean', 'adversarial'] as const;
/** Which image the reconstruction term compares the model's reconstruction of the adversarial input with. */
export type ReconstructionInput = (typeof RECONSTRUCTION_INPUTS)[number];

/**
 * Adversarial training: every batch is replaced by L-inf adversarial examples crafted against `model.classify`.
 * `pgd` is PGD-AT (Madry et al. 2018): `steps` steps of `stepSize` from a random start. `fgsm-rs` is "fast" adversarial
 * training (Wong et al. 2020): one step of `stepSize` (default 1.25 epsilon) from a uniform random start.
 */
export interface AdversarialConfig {
  /** `'pgd'` (stronger, `steps` times the cost) or `'fgsm-rs'` (one gradient step per batch). */
  method: AdversarialMethod;
  /** L-inf radius, in the units of the images (e.g. 0.3 for MNIST in [0, 1]). */
  epsilon: number;
  /**
   * Default: @ddar/attacks' own, 2.5 * epsilon / steps for pgd (Madry et al.), 1.25 * epsilon for fgsm-rs (Wong et al.).
   */
  stepSize?: number;
  /** PGD iterations; default 10. Must be 1 (or absent) for fgsm-rs. */
  steps?: number;
  /** Default `'clean'`: the model sees the adversarial image and must reconstruct the clean one. */
  reconstructionInput?: ReconstructionInput;
  /** Valid pixel range. Default [0, 1]. */
  bounds?: [number, number];
}

/**
 * {@link AdversarialConfig} after defaults. `stepSize` stays as given: unset, the attack of @ddar/attacks applies its own
 * default, so the rule lives in one place.
 */
export type ResolvedAdversarialConfig = Required<Omit<AdversarialConfig, 'stepSize'>> & Pick<AdversarialConfig, 'stepSize'>;

/** Ranges of {@link TrainingConfig.geometricAugmentation}: each image's transform is drawn uniformly from them. */
export interface GeometricAugmentationConfig {
  /** Rotation in ±this many degrees. Default 15. */
  maxRotationDegrees?: number;
  /** Shift in ±this many pixels along each axis. Default 2. */
  maxShiftPixels?: number;
  /** Scale factor range. Default [0.9, 1.1]. */
  scaleRange?: [number, number];
}

/** Where and how often training saves a resumable checkpoint. */
export interface CheckpointConfig {
  /** Directory that holds the checkpoint; created when missing. */
  directory: string;
  /** Also checkpoint every this many optimizer steps (a checkpoint is always written at the end of each epoch). */
  everySteps?: number;
  /**
   * How many verified checkpoints to keep, newest first (at least 2, the default): when the newest fails verification
   * on resume, training falls back to the one before it.
   */
  keep?: number;
}

/**
 * Data-parallel training over worker threads (opt-in): each batch is split among the main thread and `workers` worker
 * threads, each computing the gradients of its share on its own copy of the model; the main thread applies their
 * average. On a machine with a free core per worker this multiplies throughput; see docs/training.md. It is meant for the
 * `wasm` and `cpu` backends, which compute on one thread; `tensorflow` (tfjs-node) already uses every core.
 */
export interface DataParallelConfig {
  /** Worker threads besides the main thread, e.g. `os.availableParallelism() - 1`. 0 trains on the main thread alone. */
  workers: number;
  /**
   * How a worker builds its copy of the model. Omitted: the model is saved to memory and loaded in each worker with
   * @ddar/disentangle's `loadClassifierModel`, which covers every @ddar/disentangle model (custom backbones included,
   * as long as their layers are standard tfjs-layers layers). For other models, or layers a worker must register
   * first, name a module (absolute path or `file:` URL) whose export builds the same architecture; its weights are
   * overwritten from the main model before every step.
   */
  replica?: {
    module: string | URL;
    /** Default `'default'`. Called with `options`; may return a promise. */
    exportName?: string;
    /** Passed to the export; must survive `structuredClone`. */
    options?: unknown;
  };
}

/** Where log lines go: `true` (default) writes to stderr, `false` is silent, a function receives each line. */
export type LogOption = boolean | ((line: string) => void);

/** `auto` draws a bar on a TTY and prints plain lines otherwise. */
export type ProgressStyle = 'auto' | 'bar' | 'lines' | 'none';

/** Everything {@link train} needs besides the model and data; only `epochs`, `batchSize` and `optimizer` are required. */
export interface TrainingConfig {
  /** Full passes over the training data. */
  epochs: number;
  /** Examples per optimizer step; a smaller last batch is kept, not dropped. */
  batchSize: number;
  /** Optimizer and its base learning rate, which `schedule` scales per step. */
  optimizer: OptimizerConfig;
  /** Default `{ kind: 'constant' }`. */
  schedule?: LearningRateSchedule;
  /**
   * Passed unchanged to `model.lossTerms` (e.g. `{ reconstruction: 1, smoothness: 0.1 }` for lambdaRec and lambdaSmooth,
   * see `DDARWeights` in @ddar/losses). Omitted: the model's defaults.
   */
  lossWeights?: LossWeights;
  /** Seeds the data order and the adversarial random starts. Default 0. Model initialization is seeded where the model is created. */
  seed?: number;
  /** Train on adversarial examples instead of clean batches. Omitted: standard training. */
  adversarial?: AdversarialConfig;
  /**
   * Geometric augmentation: every batch also gets a copy of its images under a random affine transform each (rotation,
   * shift and scale drawn from these ranges, seeded per step), passed to `lossTerms` as `options.transformedImages`.
   * Every model then classifies (and reconstructs) both; a DDAR model adds its geometric-consistency terms when their
   * weights are set. Cannot be combined with `adversarial`. Omitted: no augmentation.
   */
  geometricAugmentation?: GeometricAugmentationConfig;
  /** Save resumable checkpoints. Omitted: nothing is written to disk and `resume` is unavailable. */
  checkpoint?: CheckpointConfig;
  /** Continue from `checkpoint.directory` when it holds a checkpoint (start fresh when it holds none). */
  resume?: boolean;
  /** Batch size for validation accuracy. Default: the larger of batchSize and 256. */
  evaluationBatchSize?: number;
  /** Default true (log lines to stderr). */
  log?: LogOption;
  /** Default `auto`. */
  progress?: ProgressStyle;
  /** Called after every step and at the end of every epoch. */
  onProgress?: (event: ProgressEvent) => void;
  /** Share every batch among worker threads. Omitted: one thread. */
  dataParallel?: DataParallelConfig;
  /** Aborting stops training after the current step; a checkpoint is written and the history returned as `cancelled`. */
  signal?: AbortSignal;
}

/**
 * The part of the configuration that determines the trajectory of the weights, with every default filled in. It is
 * stored in checkpoints and must match on resume.
 */
export interface ResolvedTrainingConfig {
  /** As in {@link TrainingConfig.epochs}. */
  epochs: number;
  /** As in {@link TrainingConfig.batchSize}. */
  batchSize: number;
  /** The optimizer with every hyper-parameter default filled in. */
  optimizer: Required<{ name: 'adam'; learningRate: number; beta1: number; beta2: number; epsilon: number }> |
    Required<{ name: 'sgd'; learningRate: number; momentum: number; nesterov: boolean }>;
  /** The schedule, `{ kind: 'constant' }` when none was given. */
  schedule: LearningRateSchedule;
  /** As given in {@link TrainingConfig.lossWeights}, validated; `{}` (the model's defaults) when none were given. */
  lossWeights: LossWeights;
  /** The data-order and attack seed, 0 when none was given. */
  seed: number;
  /** With `steps`, `reconstructionInput` and `bounds` filled in; null for standard training. */
  adversarial: ResolvedAdversarialConfig | null;
  /** Every range filled in; absent without augmentation (so checkpoints written before it existed still resume). */
  geometricAugmentation?: Required<GeometricAugmentationConfig>;
  /** The model's `kind`, so a checkpoint is not resumed into a different architecture. */
  modelKind: string;
  /** Name, size and image shape of the training set: resuming on other data would not continue the same run. */
  trainData: { name: string; size: number; imageShape: number[]; numClasses: number };
}
