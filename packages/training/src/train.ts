import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '@ddar/random';
import { assertHonoursReconstructionTarget } from './reconstruction_target_check.js';
import type { ResolvedTrainingConfig, TrainingConfig } from './config.js';
import { assertResumable } from './config_compatibility.js';
import { epochTermGradientNorms } from './epoch_term_gradient_norms.js';
import { evaluateAccuracy } from './evaluate_accuracy.js';
import type { TrainingHistory } from './history.js';
import { learningRateAt } from './learning_rate_schedule.js';
import { assignSavedWeights } from './model_weights.js';
import { NonFiniteLossError } from './non_finite_loss_error.js';
import type { StepProgress } from './progress_event.js';
import { createOptimizer } from './optimizer_factory.js';
import { restoreOptimizerState } from './optimizer_state.js';
import { ProgressReporter } from './progress_reporter.js';
import { resolveTrainingConfig } from './resolve_config.js';
import { trainableVariables, type TrainableModel } from './trainable_model.js';
import type { TrainingData } from './training_data.js';
import { addStep, emptyEpochTotals, epochRecord, initialPosition } from './training_position.js';
import { trainingStep, type StepOutcome } from './training_step.js';
import { gatherBatch } from './gather_batch.js';
import type { DataParallelGroup } from './data_parallel/group.js';
import type { TrainingPlatform } from './training_platform.js';

function describe(config: ResolvedTrainingConfig, stepsPerEpoch: number): string {
  const optimizer = config.optimizer;
  const adversarial = config.adversarial === null ? '' : `, ${config.adversarial.method} adversarial training (eps ${config.adversarial.epsilon})`;
  const augmentation = config.geometricAugmentation;
  const augmented =
    augmentation === undefined
      ? ''
      : `, geometric augmentation (±${augmentation.maxRotationDegrees}°, ±${augmentation.maxShiftPixels} px, ` +
        `scale ${augmentation.scaleRange[0]}-${augmentation.scaleRange[1]})`;
  return (
    `training ${config.modelKind} on ${config.trainData.name} (${config.trainData.size} images, ${stepsPerEpoch} steps/epoch, ` +
    `${config.epochs} epochs) with ${optimizer.name} lr ${optimizer.learningRate} (${config.schedule.kind})${adversarial}${augmented}`
  );
}

/**
 * The fit loop of `train`, on the platform (Node.js or a browser) whose entry called it: trains any @ddar/disentangle
 * model (DDAR, baseline, AE-reg) on `data.train`, optionally adversarially, reporting progress and checkpointing as
 * configured; see docs/training.md. Returns the per-epoch history as plain JSON-able data. Throws
 * {@link NonFiniteLossError} when a loss becomes NaN or infinite.
 */
export async function trainOn(
  platform: TrainingPlatform,
  model: TrainableModel,
  data: TrainingData,
  config: TrainingConfig,
): Promise<TrainingHistory> {
  const resolved = resolveTrainingConfig(model, data, config);
  platform.assertSupported(config);
  const reporter = new ProgressReporter(config.log ?? true, config.progress ?? 'auto', platform.progressStream());
  const { epochs, batchSize } = resolved;
  const trainSet = data.train;
  const stepsPerEpoch = Math.ceil(trainSet.size / batchSize);
  const totalSteps = stepsPerEpoch * epochs;
  const evaluationBatchSize = config.evaluationBatchSize ?? Math.max(batchSize, 256);
  const checkpointDirectory = config.checkpoint?.directory;
  const everySteps = config.checkpoint?.everySteps;

  const scheduled = createOptimizer(resolved.optimizer);
  const { optimizer, setLearningRate } = scheduled;
  let group: DataParallelGroup | undefined;
  try {
    let position = initialPosition(resolved.seed);
    let lastCheckpoint: string | undefined;
    let lastCheckpointStep = -1;
    if (!config.resume && checkpointDirectory !== undefined && (await platform.hasCheckpoint(checkpointDirectory))) {
      // A new run would replace that checkpoint at its first save: losing a long run to a forgotten flag is worse.
      throw new Error(
        `train: ${checkpointDirectory} already holds a checkpoint; set config.resume to continue that run, ` +
          'or use another checkpoint.directory (or delete it) to start a new one',
      );
    }
    if (config.resume && checkpointDirectory !== undefined) {
      const checkpoint = await platform.readCheckpoint(checkpointDirectory);
      if (checkpoint !== undefined) {
        assertResumable(checkpoint.state.config, resolved, checkpoint.path);
        assignSavedWeights(model, checkpoint.model, `train: resuming from ${checkpoint.path}`);
        await restoreOptimizerState(optimizer, checkpoint.state.optimizer, checkpoint.optimizerData, `train: resuming from ${checkpoint.path}`);
        position = checkpoint.state.position;
        position.resumedAt = [...position.resumedAt, position.globalStep];
        lastCheckpoint = checkpoint.path;
        lastCheckpointStep = position.globalStep;
        for (const note of checkpoint.notes) reporter.line(note);
        reporter.line(`resuming from ${checkpoint.path} at epoch ${position.epoch + 1}, step ${position.stepInEpoch}/${stepsPerEpoch}`);
      } else {
        reporter.line(`no checkpoint in ${checkpointDirectory}; starting a new run`);
      }
    }
    reporter.line(describe(resolved, stepsPerEpoch));

    if (resolved.adversarial?.reconstructionInput === 'clean') {
      assertHonoursReconstructionTarget(model, trainSet.images, trainSet.labels, resolved.lossWeights);
    }
    const variables = trainableVariables(model);
    const context = {
      model,
      optimizer,
      variables,
      lossWeights: resolved.lossWeights,
      adversarial: resolved.adversarial,
      augmentation: resolved.geometricAugmentation ?? null,
    };
    const workers = config.dataParallel?.workers ?? 0;
    if (workers > 0) {
      group = await platform.startDataParallel(context, config.dataParallel!, resolved);
      reporter.line(`data parallel: each batch shared among ${group.parallelism} threads`);
    }
    const attackRandom = new SeededRandom(position.attackRandomState);
    const sessionStart = Date.now();
    const sessionStartStep = position.globalStep;
    let sessionImages = 0;
    let cancelled = false;

    const checkpoint = async (): Promise<void> => {
      if (checkpointDirectory === undefined || lastCheckpointStep === position.globalStep) return;
      position.attackRandomState = attackRandom.state();
      lastCheckpoint = await platform.writeCheckpoint(checkpointDirectory, model, optimizer, resolved, position, config.checkpoint?.keep);
      lastCheckpointStep = position.globalStep;
      config.onProgress?.({ type: 'checkpoint', globalStep: position.globalStep, directory: lastCheckpoint });
    };
    const secondsPerStep = (): number => (Date.now() - sessionStart) / 1000 / Math.max(1, position.globalStep - sessionStartStep);

    while (position.epoch < epochs && !cancelled) {
      const dataRandom = new SeededRandom(position.dataRandomState);
      const order = dataRandom.permutation(trainSet.size);
      const nextEpochRandomState = dataRandom.state();

      // Measured from the end of the previous step, so that the loop's own overhead counts, but checkpoints do not.
      let lastTick = Date.now();
      while (position.stepInEpoch < stepsPerEpoch) {
        if (config.signal?.aborted) {
          cancelled = true;
          break;
        }
        const learningRate = learningRateAt(resolved.schedule, resolved.optimizer.learningRate, position.globalStep, stepsPerEpoch, totalSteps);
        setLearningRate(learningRate);
        const indices = order.subarray(position.stepInEpoch * batchSize, Math.min(trainSet.size, (position.stepInEpoch + 1) * batchSize));
        const [images, labels] = gatherBatch(trainSet, indices);
        let outcome: StepOutcome;
        try {
          const attackSeed = attackRandom.seed();
          outcome = group === undefined ? trainingStep(context, images, labels, attackSeed) : await group.step(images, labels, attackSeed, learningRate);
        } finally {
          tf.dispose([images, labels]);
        }
        if (outcome.nonFinite !== undefined) {
          throw new NonFiniteLossError(position.globalStep + 1, position.epoch + 1, outcome.nonFinite, lastCheckpoint);
        }
        const seconds = (Date.now() - lastTick) / 1000;
        addStep(position.epochTotals, outcome, indices.length, seconds, learningRate);
        position.stepInEpoch += 1;
        position.globalStep += 1;
        sessionImages += indices.length;
        const elapsed = (Date.now() - sessionStart) / 1000;
        const event: StepProgress = {
          type: 'step',
          epoch: position.epoch + 1,
          epochs,
          step: position.stepInEpoch,
          stepsPerEpoch,
          globalStep: position.globalStep,
          totalSteps,
          learningRate,
          losses: outcome.losses,
          imagesPerSecond: elapsed > 0 ? sessionImages / elapsed : 0,
          etaSeconds: secondsPerStep() * (totalSteps - position.globalStep),
        };
        config.onProgress?.(event);
        reporter.step(event);
        if (everySteps !== undefined && position.globalStep % everySteps === 0 && position.stepInEpoch < stepsPerEpoch) {
          await checkpoint();
        }
        lastTick = Date.now();
        // Lets timers, signals and I/O of the embedding application run between steps.
        await platform.yieldToEventLoop();
      }
      if (cancelled) break;

      if (group !== undefined) {
        const diverged = await group.divergedWorkers();
        if (diverged.length > 0) {
          reporter.line(`data parallel: worker ${diverged.join(', ')} no longer had the main model's weights; synchronized again`);
          await group.synchronize();
        }
      }
      const validationAccuracy =
        data.validation === undefined ? undefined : evaluateAccuracy(model, data.validation, { batchSize: evaluationBatchSize });
      const record = epochRecord(position.epoch, position.epochTotals, resolved.adversarial !== null, validationAccuracy);
      const termNorms = await epochTermGradientNorms(
        model,
        trainSet,
        order.subarray(0, Math.min(trainSet.size, batchSize)),
        resolved.lossWeights,
        context.augmentation,
        resolved.seed,
        group,
      );
      if (termNorms !== undefined) record.termGradientNorms = termNorms;
      position.history = [...position.history, record];
      position.epoch += 1;
      position.stepInEpoch = 0;
      position.dataRandomState = nextEpochRandomState;
      position.epochTotals = emptyEpochTotals();
      await checkpoint();
      const event = { type: 'epoch' as const, epochs, record, etaSeconds: secondsPerStep() * (totalSteps - position.globalStep) };
      config.onProgress?.(event);
      reporter.epoch(event);
    }
    if (cancelled) {
      await checkpoint();
      reporter.line(`cancelled at step ${position.globalStep}${lastCheckpoint === undefined ? '' : `; resume from ${lastCheckpoint}`}`);
    }
    return {
      config: resolved,
      epochs: position.history,
      status: cancelled ? 'cancelled' : 'completed',
      globalStep: position.globalStep,
      resumedAt: position.resumedAt,
      backend: tf.getBackend(),
      threads: group?.parallelism ?? 1,
    };
  } finally {
    await group?.dispose();
    scheduled.dispose();
  }
}
