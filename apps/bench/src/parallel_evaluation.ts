import { Worker } from 'node:worker_threads';
import type { Evaluation, EvaluationStage } from './evaluate_model.js';
import type { DatasetName, Profile } from './profiles.js';

/** What an evaluation worker needs: the model and the transfer source as saved on disk, and how to evaluate them. */
export interface EvaluationTask {
  backend: string;
  dataset: DatasetName;
  profile: Profile;
  seed: number;
  modelDirectory: string;
  transferSource?: { name: string; modelDirectory: string };
}

export type EvaluationWorkerMessage =
  | { type: 'log'; line: string }
  | { type: 'stage'; stage: EvaluationStage }
  | { type: 'done'; evaluation: Evaluation }
  | { type: 'error'; message: string };

/**
 * Evaluates a saved model in a worker thread, so that another model can be evaluated on the main thread meanwhile.
 * The worker loads the model and the test set itself; its log lines go to `log`, the stages it begins to `stage`.
 */
export function evaluateInWorker(task: EvaluationTask, log: (line: string) => void, stage?: (stage: EvaluationStage) => void): Promise<Evaluation> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./evaluation_worker.js', import.meta.url), { workerData: task });
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      outcome();
    };
    worker.on('message', (message: EvaluationWorkerMessage) => {
      if (message.type === 'log') log(message.line);
      else if (message.type === 'stage') stage?.(message.stage);
      else if (message.type === 'done') finish(() => resolve(message.evaluation));
      else finish(() => reject(new Error(`evaluation of ${task.modelDirectory} failed in a worker thread: ${message.message}`)));
    });
    worker.on('error', (error) => finish(() => reject(new Error(`evaluation worker for ${task.modelDirectory} crashed: ${error.message}`))));
    worker.on('exit', (code) => finish(() => reject(new Error(`evaluation worker for ${task.modelDirectory} exited (code ${code}) before finishing`))));
  });
}

/**
 * Runs `tasks` on `lanes` lanes at once: lane 0 is the caller's thread, the others worker threads. Each lane takes the
 * next task when it is free. Resolves with the results in the order of `tasks`; the first failure rejects, after the
 * tasks already running have finished.
 */
export async function runInLanes<T, R>(tasks: T[], lanes: number, run: (task: T, lane: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(tasks.length);
  let next = 0;
  let stopped = false;
  const lane = async (index: number): Promise<void> => {
    while (next < tasks.length && !stopped) {
      const taken = next++;
      try {
        results[taken] = await run(tasks[taken], index);
      } catch (error) {
        stopped = true;
        throw error;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(lanes, tasks.length)) }, (_, i) => lane(i)));
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return results;
}
