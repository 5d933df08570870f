export { train } from './train.js';
export { evaluateAccuracy, correctPredictions } from './evaluate_accuracy.js';
export type { Classifier, EvaluateAccuracyOptions } from './evaluate_accuracy.js';
export { NonFiniteLossError } from './non_finite_loss_error.js';
export { learningRateAt } from './learning_rate_schedule.js';
export { resolveTrainingConfig } from './resolve_config.js';
export { readCheckpoint, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, LATEST_FILE } from './checkpoint_store.js';
export type { CheckpointState, LoadedCheckpoint } from './checkpoint_store.js';
export type { OptimizerStateManifest } from './optimizer_state.js';
export { ADVERSARIAL_METHODS, OPTIMIZER_NAMES, RECONSTRUCTION_INPUTS, SCHEDULE_KINDS } from './config.js';
export type {
  AdversarialConfig,
  ResolvedAdversarialConfig,
  GeometricAugmentationConfig,
  AdversarialMethod,
  CheckpointConfig,
  DataParallelConfig,
  LearningRateSchedule,
  LogOption,
  OptimizerConfig,
  ProgressStyle,
  ReconstructionInput,
  ResolvedTrainingConfig,
  TrainingConfig,
} from './config.js';
export type { EpochRecord, TrainingHistory } from './history.js';
export type { CheckpointProgress, EpochProgress, ProgressEvent, StepProgress } from './progress_event.js';
export type { LossTerms, LossTermsOptions, ModelWeight, TrainableModel } from './trainable_model.js';
export type { TrainingData } from './training_data.js';
export type { TrainingPosition, EpochTotals } from './training_position.js';
