// The script each data-parallel worker thread runs; see group.ts.
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerSetup } from './messages.js';
import { serveShards } from './replica.js';

if (parentPort === null) throw new Error('@ddar/training: data_parallel_worker runs in a worker thread started by train()');
void serveShards(parentPort, workerData as WorkerSetup);
