// The script each sharded-attack worker thread runs; see pool.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { serveAttacks } from './attack_worker.js';
import type { AttackWorkerSetup } from './messages.js';

if (parentPort === null) throw new Error('@ddar/training: the sharded-attack worker runs in a worker thread started by ShardedAttackPool');
void serveAttacks(parentPort, workerData as AttackWorkerSetup);
