import { promises as fs, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SeededRandom } from '@ddar/random';
import { readCheckpoint } from './checkpoint_store.js';
import { spawnTypeScript } from './test-utils/typescript_child.js';
import type { ResumeRunOverrides } from './test-utils/resume_run.js';

const CHILD = path.join(__dirname, 'test-utils', 'resume_training_child.ts');
// 12 epochs of 5 steps, a checkpoint after every step: a kill can land in any of 60 writes.
const RUN: ResumeRunOverrides = { epochs: 12, checkpointEvery: 1 };
const KILLS = 24;
// Every few kills the newest checkpoint is also damaged, as a failing disk would, so resumes must fall back.
const DAMAGE_EVERY = 6;

/** Where a SIGKILL landed, read from what it left on disk. */
type Landing = 'before the first checkpoint' | 'writing the files' | 'after the rename, before latest.json' | 'switching latest.json' | 'removing older checkpoints' | 'between writes';

interface ChildRun {
  signal: NodeJS.Signals | null;
  code: number | null;
  lines: string[];
  stderr: string;
}

/**
 * Runs the training child. With `killAfterSteps`, SIGKILLs it `delayMs` after its `killAfterSteps`-th step line, that
 * is while the checkpoint of that step is being written (every step is checkpointed).
 */
function runChild(work: string, directory: string, output: string, kill?: { afterSteps: number; delayMs: number }): Promise<ChildRun> {
  const child = spawnTypeScript(CHILD, [directory, output, '0', JSON.stringify(RUN)], work, { stderr: 'pipe' });
  let stdout = '';
  let stderr = '';
  let steps = 0;
  return new Promise((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stdout += text;
      steps += (text.match(/^step \d+$/gm) ?? []).length;
      if (kill !== undefined && steps >= kill.afterSteps && !child.killed) {
        setTimeout(() => child.kill('SIGKILL'), kill.delayMs);
        kill = undefined;
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('exit', (code, signal) => resolve({ code, signal, lines: stdout.split('\n').filter(Boolean), stderr }));
  });
}

function completedCheckpoints(lines: string[]): { step: number; ms: number }[] {
  return lines.flatMap((line) => {
    const match = /^checkpoint (\d+) ([\d.]+)$/.exec(line);
    return match === null ? [] : [{ step: Number(match[1]), ms: Number(match[2]) }];
  });
}

async function landing(directory: string): Promise<Landing> {
  const entries = await fs.readdir(directory).catch(() => [] as string[]);
  if (entries.some((entry) => entry.startsWith('.partial-'))) return 'writing the files';
  const steps = entries.filter((entry) => /^step-\d{9}$/.test(entry)).sort();
  if (steps.length === 0) return 'before the first checkpoint';
  if (entries.some((entry) => entry.startsWith('latest.json') && entry !== 'latest.json')) return 'switching latest.json';
  const pointer = JSON.parse(await fs.readFile(path.join(directory, 'latest.json'), 'utf8')) as { checkpoint: string };
  if (pointer.checkpoint !== steps[steps.length - 1]) return 'after the rename, before latest.json';
  if (steps.length > 2) return 'removing older checkpoints';
  return 'between writes';
}

/** What a failing disk leaves: the newest checkpoint's optimizer state cut short. */
async function damageNewest(directory: string): Promise<string> {
  const newest = (await fs.readdir(directory)).filter((entry) => /^step-\d{9}$/.test(entry)).sort().pop()!;
  const file = path.join(directory, newest, 'optimizer.bin');
  const bytes = await fs.readFile(file);
  await fs.writeFile(file, bytes.subarray(0, bytes.length >> 1));
  return newest;
}

describe('fault injection: SIGKILL during checkpoint writes, then resume', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'ddar-faults-'));
  });
  afterAll(async () => {
    await fs.rm(work, { recursive: true, force: true });
  });

  it(`survives ${KILLS} kills at random points of checkpoint writes: every resume continues from a verified checkpoint, and the result equals an uninterrupted run`, async () => {
    const reference = await runChild(work, path.join(work, 'reference'), path.join(work, 'reference.json'));
    expect(reference.code).toBe(0);
    const writes = completedCheckpoints(reference.lines);
    expect(writes).toHaveLength(60);
    // Kills are spread over the time a write takes on this machine, from its step line on.
    const writeMs = writes.map((write) => write.ms).sort((a, b) => a - b)[writes.length >> 1];

    const directory = path.join(work, 'faults');
    const output = path.join(work, 'faults.json');
    const random = new SeededRandom(2026);
    const counts = { runs: 0, kills: 0, resumes: 0, freshStarts: 0, fallbacks: 0, refusals: 0, lostCheckpoints: 0, wrongResults: 0 };
    const landings: Record<string, number> = {};
    const resumedSteps: number[] = [];
    let newestCompleted = 0;
    let damaged: string | undefined;
    for (;;) {
      const killing = counts.kills < KILLS;
      const run = await runChild(
        work,
        directory,
        output,
        killing ? { afterSteps: 1 + random.int(2), delayMs: random.uniform(0, writeMs) } : undefined,
      );
      counts.runs++;
      const resumedFrom = run.lines.find((line) => line.startsWith('log resuming from '));
      if (resumedFrom !== undefined) {
        counts.resumes++;
        // A resume starts from the newest checkpoint the previous run completed, or, after damage, the one before it.
        const step = Number(/step-(\d{9})/.exec(resumedFrom)![1]);
        resumedSteps.push(step);
        expect(step).toBe(damaged === undefined ? newestCompleted : newestCompleted - 1);
        if (damaged !== undefined) {
          expect(run.lines).toContainEqual(expect.stringMatching(new RegExp(`^log passed over ${damaged}: .*optimizer.bin does not match the sha256`)));
          counts.fallbacks++;
          newestCompleted--;
        }
      } else {
        // Only a directory without any completed checkpoint may start over.
        expect(run.lines).toContain(`log no checkpoint in ${directory}; starting a new run`);
        expect(newestCompleted).toBe(0);
        counts.freshStarts++;
      }
      damaged = undefined;
      if (run.code !== null && run.code !== 0) throw new Error(`a resume was refused or crashed:\n${run.stderr}`);
      const completed = completedCheckpoints(run.lines);
      if (completed.length > 0) newestCompleted = completed[completed.length - 1].step;
      if (run.signal !== 'SIGKILL') break;

      counts.kills++;
      const where = await landing(directory);
      landings[where] = (landings[where] ?? 0) + 1;
      // Never a lost completed checkpoint: the newest one a run reported is there and verifies, or a newer one does.
      const survivor = await readCheckpoint(directory);
      if ((survivor?.state.position.globalStep ?? 0) < newestCompleted) counts.lostCheckpoints++;
      newestCompleted = survivor?.state.position.globalStep ?? 0;
      if (counts.kills % DAMAGE_EVERY === 0 && newestCompleted > 1) damaged = await damageNewest(directory);
    }

    const expected = JSON.parse(await fs.readFile(path.join(work, 'reference.json'), 'utf8')) as { weights: number[][] };
    const actual = JSON.parse(await fs.readFile(output, 'utf8')) as { weights: number[][]; history: { resumedAt: number[] } };
    if (JSON.stringify(actual.weights) !== JSON.stringify(expected.weights)) counts.wrongResults++;
    // The history records the resumes whose run lived to write a checkpoint.
    expect(resumedSteps).toEqual(expect.arrayContaining(actual.history.resumedAt));

    // With every checkpoint damaged, a resume refuses, says what to do, and deletes nothing.
    const kept = (await fs.readdir(directory)).filter((entry) => /^step-\d{9}$/.test(entry));
    await Promise.all(kept.map((step) => fs.writeFile(path.join(directory, step, 'state.json'), '{')));
    const refused = await runChild(work, directory, output);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`train: no checkpoint in ${directory} can be resumed:`);
    expect(refused.stderr).toContain(`Restore a checkpoint from a copy, or delete ${directory} to train from the start`);
    expect((await fs.readdir(directory)).filter((entry) => /^step-\d{9}$/.test(entry))).toEqual(kept);
    counts.refusals++;

    const report = { ...counts, writeMs, landings };
    if (process.env.DDAR_FAULT_REPORT !== undefined) await fs.writeFile(process.env.DDAR_FAULT_REPORT, JSON.stringify(report, null, 2));
    expect(counts).toMatchObject({ kills: KILLS, runs: KILLS + 1, refusals: 1, lostCheckpoints: 0, wrongResults: 0 });
    expect(counts.resumes + counts.freshStarts).toBe(counts.runs);
    expect(counts.fallbacks).toBe(Math.floor(KILLS / DAMAGE_EVERY));
    // The kills did land inside writes, not only between them.
    expect(KILLS - (landings['between writes'] ?? 0)).toBeGreaterThanOrEqual(KILLS / 3);
  }, 240_000);
});
