// The exports both entries share (./index.ts for Node.js, ./browser.ts for a browser): everything that needs no
// Node.js built-in.
export { evaluateAccuracy, correctPredictions } from './evaluate_accuracy.js';
export type { Classifier, EvaluateAccuracyOptions } from './evaluate_accuracy.js';
export { SHARDED_ATTACKS, chunkSeed } from './sharded_attack/attack_description.js';
export type { AttackDescription, AttackOptionsByName, ShardedAttackName } from './sharded_attack/attack_description.js';
export { DEFAULT_CHUNK_SIZE } from './sharded_attack/attack_job.js';
export type { ShardedAttackOptions, ShardedAttackProgress } from './sharded_attack/attack_job.js';
export type { ShardedAttackPoolOptions } from './sharded_attack/attack_threads.js';
export type { SavedModel, ShardableModel } from './sharded_attack/model_source.js';
export { disposeShardedResult } from './sharded_attack/results.js';
export type {
  PoolStartup,
  ShardedAttackResult,
  ShardedAttackRun,
  ShardedEpsilonResult,
  ShardedRobustAccuracy,
  ThreadTiming,
} from './sharded_attack/results.js';
export type { ShardedLabels } from './sharded_attack/validate.js';
export type { ReplicaModule } from './threads/replica_source.js';
export { NonFiniteLossError } from './non_finite_loss_error.js';
export { learningRateAt } from './learning_rate_schedule.js';
export { resolveTrainingConfig } from './resolve_config.js';
export { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, LATEST_FILE } from './checkpoint_format.js';
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
export type { LabeledImages, TrainingData } from './training_data.js';
export type { TrainingPosition, EpochTotals } from './training_position.js';
