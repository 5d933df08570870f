// The script of an evaluation worker thread (see parallel_evaluation.ts): evaluates one saved model and posts the result.
import { parentPort, workerData } from 'node:worker_threads';
import '@tensorflow/tfjs-layers';
import { fileSystem, initBackend, type BackendName } from '@ddar/backend';
import { loadClassifierModel, type ClassifierModel } from '@ddar/disentangle';
import { family, loadDataset } from './data.js';
import { evaluateModel } from './evaluate_model.js';
import type { EvaluationTask, EvaluationWorkerMessage } from './parallel_evaluation.js';

async function evaluate(port: NonNullable<typeof parentPort>, task: EvaluationTask): Promise<void> {
  const post = (message: EvaluationWorkerMessage) => port.postMessage(message);
  const models: ClassifierModel[] = [];
  try {
    await initBackend({ backend: task.backend as BackendName, log: false });
    const testSet = await loadDataset(task.dataset, 'test', task.profile.testLimit);
    const model = await loadClassifierModel(fileSystem(task.modelDirectory));
    models.push(model);
    const source = task.transferSource === undefined ? undefined : await loadClassifierModel(fileSystem(task.transferSource.modelDirectory));
    if (source !== undefined) models.push(source);
    const evaluation = await evaluateModel(model, testSet, {
      profile: task.profile,
      family: family(task.dataset),
      seed: task.seed,
      transferSource: source === undefined ? undefined : { name: task.transferSource!.name, model: source },
      log: (line) => post({ type: 'log', line }),
      stage: (stage) => post({ type: 'stage', stage }),
    });
    testSet.dispose();
    post({ type: 'done', evaluation });
  } catch (error) {
    post({ type: 'error', message: (error as Error).stack ?? String(error) });
  } finally {
    for (const model of models) model.dispose();
  }
}

if (parentPort === null) throw new Error('evaluation_worker runs in a worker thread started by the bench app');
void evaluate(parentPort, workerData as EvaluationTask);
