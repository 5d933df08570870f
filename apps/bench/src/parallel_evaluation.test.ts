import { runInLanes } from './parallel_evaluation.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runInLanes', () => {
  it('runs every task once, at most `lanes` at a time, and returns results in task order', async () => {
    let running = 0;
    let most = 0;
    const lanesUsed = new Set<number>();
    const results = await runInLanes([30, 5, 20, 1, 10], 2, async (ms, lane) => {
      running += 1;
      most = Math.max(most, running);
      lanesUsed.add(lane);
      await pause(ms);
      running -= 1;
      return ms * 2;
    });
    expect(results).toEqual([60, 10, 40, 2, 20]);
    expect(most).toBe(2);
    expect([...lanesUsed].sort()).toEqual([0, 1]);
  });

  it('uses no more lanes than tasks, and one lane for none', async () => {
    const lanesUsed = new Set<number>();
    await runInLanes(['a'], 4, async (_, lane) => lanesUsed.add(lane));
    expect([...lanesUsed]).toEqual([0]);
    expect(await runInLanes([], 3, async () => 1)).toEqual([]);
  });

  it('starts no new task after a failure, lets running ones finish, then rejects with the failure', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = runInLanes([1, 2, 3, 4, 5], 2, async (task) => {
      started.push(task);
      if (task === 1) {
        await pause(5);
        throw new Error('task 1 failed');
      }
      await pause(20);
      finished.push(task);
      return task;
    });
    await expect(run).rejects.toThrow('task 1 failed');
    expect(started).toEqual([1, 2]);
    expect(finished).toEqual([2]);
  });
});
