import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FlowJob } from 'bullmq';
import { PROFILES } from '../profiles.js';
import { ATTEMPTS, QUEUE_NAME, RUN_FILE, flowOf, jobIdOfKey, jobIds, newRunId, readRun, writeRun, type QueueRun } from './run.js';

const run = (overrides: Partial<QueueRun['profile']> = {}): QueueRun => ({
  format: 'ddar-bench-queue-run',
  version: 1,
  runId: 'abc123',
  profile: { ...PROFILES.quick, datasets: ['mnist', 'fashion-mnist'], ...overrides },
  command: 'ddar-bench reproduce --profile quick',
  createdAt: '2026-12-05T10:00:00.000Z',
  queue: 'redis://127.0.0.1:6379',
});

describe('flowOf', () => {
  it('has a report over one group per dataset and seed, over one cell per variant, in the order of a local run', () => {
    const flow = flowOf(run(), '/shared/quick');
    expect(flow.opts?.jobId).toBe('abc123.report');
    expect(flow.data).toEqual({ kind: 'report', runId: 'abc123', artifacts: '/shared/quick' });
    const groups = flow.children as FlowJob[];
    expect(groups.map((g) => g.opts?.jobId)).toEqual([
      'abc123.mnist.seed-1', 'abc123.mnist.seed-2', 'abc123.fashion-mnist.seed-1', 'abc123.fashion-mnist.seed-2',
    ]);
    expect((groups[3].children as FlowJob[]).map((c) => c.opts?.jobId)).toEqual([
      'abc123.fashion-mnist.seed-2.baseline', 'abc123.fashion-mnist.seed-2.ae-reg', 'abc123.fashion-mnist.seed-2.ddar',
    ]);
    expect(groups[3].children![2].data).toEqual({ kind: 'cell', runId: 'abc123', artifacts: '/shared/quick', dataset: 'fashion-mnist', seed: 2, variant: 'ddar' });
    for (const job of [flow, ...groups, ...groups.flatMap((g) => g.children as FlowJob[])]) {
      expect(job.queueName).toBe(QUEUE_NAME);
      expect(job.opts?.attempts).toBe(ATTEMPTS);
      // BullMQ refuses ids that look like integers or hold a ':' (its key separator).
      expect(job.opts?.jobId).not.toMatch(/:|^[0-9]+$/);
    }
  });

  it('lets a failed cell or group be recorded by its parent rather than fail it', () => {
    const flow = flowOf(run(), '/shared/quick');
    expect(flow.opts?.ignoreDependencyOnFailure).toBeUndefined();
    for (const group of flow.children as FlowJob[]) {
      expect(group.opts?.ignoreDependencyOnFailure).toBe(true);
      for (const cell of group.children as FlowJob[]) expect(cell.opts?.ignoreDependencyOnFailure).toBe(true);
    }
  });

  it('names the same jobs for the same run, and other jobs for another run', () => {
    expect(flowOf(run(), '/a')).toEqual(flowOf(run(), '/a'));
    expect(jobIds.cell('abc123', 'mnist', 1, 'ddar+pgd-at')).toBe('abc123.mnist.seed-1.ddar+pgd-at');
    expect(newRunId()).toMatch(/^[0-9a-f]{12}$/);
    expect(newRunId()).not.toBe(newRunId());
  });

  it("reads a job id back from the key in a parent's children maps", () => {
    expect(jobIdOfKey('bull:ddar-bench:abc123.mnist.seed-1.ddar')).toBe('abc123.mnist.seed-1.ddar');
  });
});

describe('the run record', () => {
  it('is written and read back, and anything else in its place is an error', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ddar-queue-run-'));
    try {
      expect(await readRun(dir)).toBeUndefined();
      await writeRun(dir, run());
      expect(await readRun(dir)).toEqual(run());
      await fs.writeFile(path.join(dir, RUN_FILE), JSON.stringify({ runId: 'x' }));
      await expect(readRun(dir)).rejects.toThrow(`${path.join(dir, RUN_FILE)} is not a ddar-bench queue run record`);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
