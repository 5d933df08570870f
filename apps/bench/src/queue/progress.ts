/** What one look at a run's jobs shows: how far it is, in one line. */

export type JobKind = 'cell' | 'group' | 'report';

export interface JobSnapshot {
  id: string;
  kind: JobKind;
  /** BullMQ's state (`completed`, `failed`, `active`, `waiting`, `waiting-children`, `delayed`, ...), `unknown` if gone. */
  state: string;
  /** When the job's latest attempt started and when it finished, in ms since the epoch. */
  processedOn?: number;
  finishedOn?: number;
  failedReason?: string;
}

export interface Counts {
  total: number;
  done: number;
  running: number;
  failed: number;
  /** Failed an attempt, waiting to be tried again. */
  retrying: number;
  waiting: number;
}

export interface RunProgress {
  cells: Counts;
  groups: Counts;
  /** The report job's state. */
  report: string;
  /** Seconds until the last cell is done, from the cells done so far; undefined before the first one. */
  etaSeconds?: number;
}

function count(jobs: JobSnapshot[]): Counts {
  const counts: Counts = { total: jobs.length, done: 0, running: 0, failed: 0, retrying: 0, waiting: 0 };
  for (const job of jobs) {
    if (job.state === 'completed') counts.done++;
    else if (job.state === 'active') counts.running++;
    else if (job.state === 'failed') counts.failed++;
    else if (job.state === 'delayed') counts.retrying++;
    else counts.waiting++;
  }
  return counts;
}

export function progressOf(jobs: JobSnapshot[]): RunProgress {
  const cells = jobs.filter((job) => job.kind === 'cell');
  const groups = jobs.filter((job) => job.kind === 'group');
  const report = jobs.find((job) => job.kind === 'report');
  const progress: RunProgress = { cells: count(cells), groups: count(groups), report: report?.state ?? 'unknown' };
  const durations = cells
    .filter((job) => job.state === 'completed' && job.processedOn !== undefined && job.finishedOn !== undefined)
    .map((job) => (job.finishedOn! - job.processedOn!) / 1000);
  const left = progress.cells.total - progress.cells.done - progress.cells.failed;
  if (durations.length > 0) {
    const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
    // The cells running now are as many as the workers can take at once, as far as anyone here can see.
    progress.etaSeconds = left === 0 ? 0 : (left * mean) / Math.max(1, progress.cells.running);
  }
  return progress;
}

function clock(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** e.g. `cells 3/7 done, 2 running, 1 failed, 1 waiting | groups 0/1 | report waiting-children | ETA 1:20` */
export function formatProgress(progress: RunProgress): string {
  const { cells, groups } = progress;
  const parts = [
    `cells ${cells.done}/${cells.total} done`,
    `${cells.running} running`,
    `${cells.failed} failed`,
    ...(cells.retrying > 0 ? [`${cells.retrying} retrying`] : []),
    `${cells.waiting} waiting`,
  ];
  const groupText = `groups ${groups.done}/${groups.total}${groups.running > 0 ? ` (${groups.running} running)` : ''}${groups.failed > 0 ? `, ${groups.failed} failed` : ''}`;
  const eta = progress.etaSeconds === undefined ? 'ETA –' : `ETA ${clock(progress.etaSeconds)}`;
  return `${parts.join(', ')} | ${groupText} | report ${progress.report} | ${eta}`;
}
