import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { DDARModel } from '@ddar/disentangle';
import { DataParallelGroup } from '../../../packages/training/dist/data_parallel/group.js';
import { createOptimizer } from '../../../packages/training/dist/optimizer_factory.js';
import { trainableVariables } from '../../../packages/training/dist/trainable_model.js';
await initBackend({ log: false });
const model = DDARModel.create({ inputShape: [28, 28, 1], numClasses: 10, backboneOptions: { width: 0.5 }, seed: 1 });
const sched = createOptimizer({ name: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
const context = { model, optimizer: sched.optimizer, variables: trainableVariables(model), lossWeights: {}, adversarial: null, augmentation: null };
const t0 = performance.now();
const group = await DataParallelGroup.start(context, { workers: 1 }, { optimizer: { name: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, batchSize: 64, trainData: { imageShape: [28, 28, 1] } });
const t1 = performance.now();
const x = tf.randomUniform([64, 28, 28, 1]); const y = tf.randomUniform([64], 0, 10, 'int32');
const steps = [];
for (let i = 0; i < 6; i++) { const s = performance.now(); await group.step(x, y, i + 1, 1e-3); steps.push(performance.now() - s); }
console.log('group start', (t1 - t0).toFixed(0), 'ms; steps', steps.map((s) => s.toFixed(0)).join(', '));
await group.dispose();
