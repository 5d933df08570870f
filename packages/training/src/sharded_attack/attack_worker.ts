import type { MessagePort } from 'node:worker_threads';
import type { Model } from '@ddar/attacks';
import { initBackend, type BackendName } from '@ddar/backend';
import { buildReplica } from '../threads/build_replica.js';
import { attackChunks } from './attack_chunks.js';
import { ATTACKABLE, attackModel } from './attack_model.js';
import type { AttackWorkerReply, AttackWorkerRequest, AttackWorkerSetup } from './messages.js';

/**
 * The worker side of a sharded attack: initializes the main thread's backend, builds its copy of the model, then
 * attacks chunks of each job it is sent (see `attackChunks`) until it is terminated.
 */
export async function serveAttacks(port: MessagePort, setup: AttackWorkerSetup): Promise<void> {
  const reply = (message: AttackWorkerReply) => port.postMessage(message);
  const started = performance.now();
  let model: Model;
  try {
    await initBackend({ backend: setup.backend as BackendName, log: false });
    model = attackModel(await buildReplica(setup.replica, ATTACKABLE), setup.bounds);
  } catch (error) {
    reply({ type: 'error', message: (error as Error).stack ?? String(error) });
    return;
  }
  // Jobs arrive in order and each is finished before the next starts.
  let queue = Promise.resolve();
  port.on('message', (request: AttackWorkerRequest) => {
    queue = queue.then(async () => {
      try {
        const times = await attackChunks(model, request.job, (chunk, rows) => reply({ type: 'chunk', chunk, rows }));
        reply({ type: 'done', times });
      } catch (error) {
        reply({ type: 'error', message: (error as Error).stack ?? String(error) });
      }
    });
  });
  reply({ type: 'ready', seconds: (performance.now() - started) / 1000 });
}
