// The script each data-parallel worker thread runs; see data_parallel.ts.
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerSetup } from './data_parallel_messages.js';
import { serveShards } from './data_parallel_replica.js';

if (parentPort === null) throw new Error('@ddar/training: data_parallel_worker runs in a worker thread started by train()');
void serveShards(parentPort, workerData as WorkerSetup);
