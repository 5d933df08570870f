import { formatProgress, progressOf, type JobSnapshot } from './progress.js';

const cell = (id: string, state: string, seconds?: number): JobSnapshot => ({
  id,
  kind: 'cell',
  state,
  ...(seconds !== undefined ? { processedOn: 1_000_000, finishedOn: 1_000_000 + seconds * 1000 } : {}),
});

describe('progressOf and formatProgress', () => {
  it('counts cells by state and estimates the time left from the finished ones and the cells running at once', () => {
    const jobs: JobSnapshot[] = [
      cell('a', 'completed', 60),
      cell('b', 'completed', 120),
      cell('c', 'active'),
      cell('d', 'active'),
      cell('e', 'failed'),
      cell('f', 'delayed'),
      cell('g', 'waiting'),
      cell('h', 'waiting'),
      { id: 'g1', kind: 'group', state: 'waiting-children' },
      { id: 'r', kind: 'report', state: 'waiting-children' },
    ];
    const progress = progressOf(jobs);
    expect(progress.cells).toEqual({ total: 8, done: 2, running: 2, failed: 1, retrying: 1, waiting: 2 });
    // 5 cells left (2 running, 1 retrying, 2 waiting) at 90 s each, 2 at a time.
    expect(progress.etaSeconds).toBe(225);
    expect(formatProgress(progress)).toBe(
      'cells 2/8 done, 2 running, 1 failed, 1 retrying, 2 waiting | groups 0/1 | report waiting-children | ETA 3:45',
    );
  });

  it('has no estimate before a cell is done, and none left once all are', () => {
    expect(progressOf([cell('a', 'active'), cell('b', 'waiting')]).etaSeconds).toBeUndefined();
    expect(formatProgress(progressOf([cell('a', 'active')]))).toContain('ETA –');
    const done = progressOf([cell('a', 'completed', 5), cell('b', 'failed'), { id: 'r', kind: 'report', state: 'completed' }]);
    expect(done.etaSeconds).toBe(0);
    expect(formatProgress(done)).toBe('cells 1/2 done, 0 running, 1 failed, 0 waiting | groups 0/0 | report completed | ETA 0:00');
  });

  it('writes hours when there are hours', () => {
    expect(formatProgress(progressOf([cell('a', 'completed', 3600), cell('b', 'waiting'), cell('c', 'waiting')]))).toContain('ETA 2:00:00');
  });
});
