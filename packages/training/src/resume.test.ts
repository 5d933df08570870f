import { promises as fs, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TrainingHistory } from './history.js';
import { spawnTypeScript } from './test-utils/typescript_child.js';

const CHILD = path.join(__dirname, 'test-utils', 'resume_training_child.ts');

interface RunOutput {
  weights: number[][];
  history: TrainingHistory;
}

/** Runs the child to completion, or SIGKILLs it once it printed `step <killAt>`; resolves with its exit signal/code. */
function runChild(work: string, checkpoint: string, output: string, options: { killAt?: number; freezeAt?: number } = {}) {
  const child = spawnTypeScript(CHILD, [checkpoint, output, String(options.freezeAt ?? 0)], work);
  let stdout = '';
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; lastStep: number }>((resolve) => {
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const target = options.freezeAt ?? options.killAt;
      if (target !== undefined && new RegExp(`^step ${target}$`, 'm').test(stdout)) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      const steps = [...stdout.matchAll(/^step (\d+)$/gm)].map((m) => Number(m[1]));
      resolve({ code, signal, lastStep: steps.length === 0 ? 0 : steps[steps.length - 1] });
    });
  });
}

function withoutTimings(history: TrainingHistory) {
  return history.epochs.map(({ seconds: _s, imagesPerSecond: _i, ...rest }) => rest);
}

describe('resume after SIGKILL', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'ddar-resume-'));
  });
  afterAll(async () => {
    await fs.rm(work, { recursive: true, force: true });
  });

  it('ends with the weights and metrics of an uninterrupted run with the same seed', async () => {
    const uninterrupted = await runChild(work, path.join(work, 'a'), path.join(work, 'a.json'));
    expect(uninterrupted).toMatchObject({ code: 0, lastStep: 15 });
    const reference = JSON.parse(await fs.readFile(path.join(work, 'a.json'), 'utf8')) as RunOutput;

    const checkpoint = path.join(work, 'b');
    // Killed mid-epoch (epoch 2 of 5-step epochs) two steps after the last checkpoint at step 6.
    const first = await runChild(work, checkpoint, path.join(work, 'b.json'), { freezeAt: 8 });
    expect(first.signal).toBe('SIGKILL');
    expect(JSON.parse(await fs.readFile(path.join(checkpoint, 'latest.json'), 'utf8'))).toEqual({ checkpoint: 'step-000000006' });

    // Killed without warning right after step 12, when the checkpoint of step 12 is being written.
    const second = await runChild(work, checkpoint, path.join(work, 'b.json'), { killAt: 12 });
    expect(second.signal).toBe('SIGKILL');

    const last = await runChild(work, checkpoint, path.join(work, 'b.json'));
    expect(last).toMatchObject({ code: 0, lastStep: 15 });
    const resumed = JSON.parse(await fs.readFile(path.join(work, 'b.json'), 'utf8')) as RunOutput;

    expect(resumed.history.resumedAt[0]).toBe(6);
    expect(resumed.history.resumedAt).toHaveLength(2);
    expect(resumed.history.globalStep).toBe(15);
    expect(resumed.weights.map((w) => w.length)).toEqual(reference.weights.map((w) => w.length));
    let maxDifference = 0;
    resumed.weights.forEach((values, i) =>
      values.forEach((value, j) => {
        maxDifference = Math.max(maxDifference, Math.abs(value - reference.weights[i][j]));
      }),
    );
    expect(maxDifference).toBe(0);
    expect(withoutTimings(resumed.history)).toEqual(withoutTimings(reference.history));
    // Training moved the weights: equal results are not equal because nothing happened.
    expect(reference.history.epochs[2].losses.total).toBeLessThan(reference.history.epochs[0].losses.total);
  });
});
