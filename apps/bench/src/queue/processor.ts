// The jobs of `ddar-bench worker` run here, in processes that BullMQ starts for the worker (sandboxed processors):
// tfjs computes on this process's main thread (where tfjs-node is at home) for minutes without a pause, while the
// worker's own process keeps renewing the jobs' locks.
import * as os from 'node:os';
import '@tensorflow/tfjs-layers';
import { WaitingError, type SandboxedJob } from 'bullmq';
import { initBackend, type BackendInfo } from '@ddar/backend';
import { runCell } from './cell_job.js';
import type { GroupOutcome } from './group_job.js';
import { runGroup } from './group_job.js';
import type { JobContext } from './job_context.js';
import { runReport } from './report_job.js';
import type { QueueJobData } from './run.js';
import { CANCEL_REASONS, readWorkerConfig } from './worker_config.js';

// The worker process is gone (killed, or its machine): stop at the next pause rather than keep writing into a cell that
// another worker will take over once the lock expires.
process.on('disconnect', () => process.exit(1));

let backend: Promise<BackendInfo> | undefined;

function labelOf(data: QueueJobData): string {
  switch (data.kind) {
    case 'cell':
      return `${data.dataset} seed ${data.seed} ${data.variant}`;
    case 'group':
      return `${data.dataset} seed ${data.seed} group`;
    case 'report':
      return 'report';
  }
}

export default async function processJob(job: SandboxedJob<QueueJobData>, token?: string, signal?: AbortSignal): Promise<unknown> {
  const config = readWorkerConfig();
  const label = labelOf(job.data);
  const log = (line: string) => console.error(`[${label}] ${line}`);
  // Once per process; a failed start is tried again by the next job rather than failing every job of this process.
  backend ??= initBackend({ log: (line) => console.error(line) }).catch((error: unknown) => {
    backend = undefined;
    throw error;
  });
  const info = await backend;
  const context: JobContext = {
    config,
    log,
    signal,
    provenance: { host: os.hostname(), backend: info.name, pid: process.pid, worker: config.name },
  };
  try {
    switch (job.data.kind) {
      case 'cell':
        return await runCell(job.data, context);
      case 'group':
        return await runGroup(job.data, context, await job.getIgnoredChildrenFailures());
      case 'report':
        return await runReport(
          job.data,
          context,
          (await job.getChildrenValues()) as Record<string, GroupOutcome>,
          await job.getIgnoredChildrenFailures(),
        );
    }
  } catch (error) {
    if (signal?.aborted === true && signal.reason === CANCEL_REASONS.shutdown && token !== undefined) {
      // Back to the queue without counting an attempt; the next worker resumes from the checkpoint just written.
      await job.moveToWait(token);
      log('back in the queue (the worker is stopping)');
      throw new WaitingError();
    }
    throw error;
  }
}
