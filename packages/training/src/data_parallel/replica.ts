import type { MessagePort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '@ddar/backend';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './messages.js';
import { buildReplica, type ReplicaExpectation } from '../threads/build_replica.js';
import {
  allWeights,
  copyTensorsInto,
  frozenWeights,
  shapesOf,
  trainableFlatWeights,
  writeWeightsFrom,
  type FlatWeight,
} from './flat_weights.js';
import { averageGradients, shardGradientsIntoSlot } from './gradient_average.js';
import { createOptimizer } from '../optimizer_factory.js';
import { restoreOptimizerState } from '../optimizer_state.js';
import type { LossWeights, TrainableModel } from '../trainable_model.js';
import { trainableVariables } from '../trainable_model.js';
import { applyGradients } from '../training_step.js';
import { termGradientNorms, type WeightedTerm } from '@ddar/disentangle';
import { termGradientSubject } from '../epoch_term_gradient_norms.js';

/** What a replica module's export must return for data-parallel training. */
const TRAINABLE: ReplicaExpectation = {
  description: 'a model with classify() and lossTerms()',
  accepts: (model) =>
    model != null && typeof (model as TrainableModel).lossTerms === 'function' && typeof (model as TrainableModel).classify === 'function',
};

function assertSameShapes(what: string, expected: number[][], actual: number[][]): void {
  const show = (shapes: number[][]) => shapes.map((shape) => `[${shape.join(',')}]`).join(' ');
  if (show(expected) !== show(actual)) {
    throw new Error(
      `the replica's ${what} do not match the main model's: expected ${expected.length} (${show(expected).slice(0, 200)}), ` +
        `got ${actual.length} (${show(actual).slice(0, 200)})`,
    );
  }
}

/**
 * The worker side of data-parallel training: builds a copy of the model and of the optimizer, then serves the main
 * thread's requests in order (see `WorkerRequest`) until it is terminated.
 */
export async function serveShards(port: MessagePort, setup: WorkerSetup): Promise<void> {
  const reply = (message: WorkerReply) => port.postMessage(message);
  let model: TrainableModel;
  let weights: FlatWeight[];
  try {
    await initBackend({ backend: setup.backend as BackendName, log: false });
    model = (await buildReplica(setup.replica, TRAINABLE)) as TrainableModel;
    weights = allWeights(model);
    assertSameShapes('weights', setup.weightShapes, shapesOf(weights));
    assertSameShapes('trainable weights', setup.trainableShapes, shapesOf(trainableFlatWeights(model)));
  } catch (error) {
    reply({ type: 'error', message: (error as Error).message });
    return;
  }
  const frozen = frozenWeights(model);
  const variables = trainableVariables(model);
  const { optimizer, setLearningRate } = createOptimizer(setup.optimizer);
  const sharedWeights = new Float32Array(setup.weights);
  const sharedFrozen = new Float32Array(setup.frozenWeights);
  const images = new Float32Array(setup.images);
  const labels = new Int32Array(setup.labels);
  const slotSets = setup.gradientSlots.map((set) => set.map((buffer) => new Float32Array(buffer)));
  const report = new Float32Array(setup.report);
  const pixels = setup.imageShape.reduce((a, b) => a * b, 1);
  const context = { model, variables, lossWeights: setup.lossWeights, adversarial: setup.adversarial, augmentation: setup.augmentation };

  const computeShard = (rows: number, attackSeed: number, slot: Float32Array): WorkerReply => {
    if (frozen.length > 0) writeWeightsFrom(frozen, sharedFrozen);
    const x = tf.tensor4d(images.slice(0, rows * pixels), [rows, ...setup.imageShape] as [number, number, number, number]);
    const y = tf.tensor1d(labels.slice(0, rows), 'int32');
    return { type: 'shard-done', ...shardGradientsIntoSlot(context, x, y, attackSeed, slot) };
  };

  const normImages = new Float32Array(setup.normImages);
  const normLabels = new Int32Array(setup.normLabels);
  const termNorms = (rows: number, transformed: boolean, terms: string[], lossWeights: LossWeights): Record<string, number> | undefined => {
    const subject = termGradientSubject(model);
    if (subject === undefined) return undefined;
    const shape = [rows, ...setup.imageShape] as [number, number, number, number];
    const x = tf.tensor4d(normImages.slice(0, rows * pixels), shape);
    const y = tf.tensor1d(normLabels.slice(0, rows), 'int32');
    const copies = transformed ? tf.tensor4d(normImages.slice(rows * pixels, 2 * rows * pixels), shape) : undefined;
    try {
      const options = { transformedImages: copies, terms: terms as WeightedTerm[] };
      return termGradientNorms(subject, x, y, lossWeights, options) as Record<string, number>;
    } finally {
      tf.dispose([x, y]);
      copies?.dispose();
    }
  };

  // Requests arrive in order and each is finished before the next: a slow `sync` cannot be overtaken by a `shard`.
  let queue = Promise.resolve();
  port.on('message', (request: WorkerRequest) => {
    queue = queue.then(async () => {
      try {
        switch (request.type) {
          case 'term-norms':
            reply({ type: 'term-norms-done', norms: termNorms(request.rows, request.transformed, request.terms, request.lossWeights) });
            break;
          case 'shard':
            reply(computeShard(request.rows, request.attackSeed, slotSets[request.slotSet][setup.index]));
            break;
          case 'apply':
            setLearningRate(request.learningRate);
            applyGradients(optimizer, variables, averageGradients(slotSets[request.slotSet], request.rows, setup.trainableShapes));
            break;
          case 'sync':
            writeWeightsFrom(weights, sharedWeights);
            await restoreOptimizerState(optimizer, request.optimizer.manifest, request.optimizer.data, 'data-parallel worker');
            reply({ type: 'synced' });
            break;
          case 'report':
            copyTensorsInto(variables, report);
            reply({ type: 'reported' });
            break;
        }
      } catch (error) {
        reply({ type: 'error', message: (error as Error).stack ?? String(error) });
      }
    });
  });
  reply({ type: 'ready' });
}
