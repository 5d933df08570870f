import * as path from 'node:path';
import { machine, versions } from '../environment.js';
import { readJsonIfExists } from '../files.js';
import { writeArtifacts } from '../reproduce.js';
import type { Results, RunFailure, RunResult } from '../results.js';
import { EVALUATION_FILE } from './cell_job.js';
import { PARTIAL_EVALUATION_FILE, type GroupOutcome } from './group_job.js';
import { openRun, type JobContext } from './job_context.js';
import { cellDirectory, groupsOf, jobIdOfKey, jobIds, type QueueJobData } from './run.js';

export interface ReportOutcome {
  runs: number;
  failures: RunFailure[];
}

/**
 * Gathers every variant's evaluation into results.json, in the order of a local run, and writes report.md and the
 * plots beside it. `groups` are the outcomes of the groups that completed (by job key), `groupFailures` the errors of
 * those that failed for good; every failure goes into results.json and the report.
 */
export async function runReport(
  data: Extract<QueueJobData, { kind: 'report' }>,
  context: JobContext,
  groups: Record<string, GroupOutcome>,
  groupFailures: Record<string, string>,
): Promise<ReportOutcome> {
  const { directory, run } = await openRun(data, context.config);
  const { profile } = run;
  const failedGroups = new Map(Object.entries(groupFailures).map(([key, error]) => [jobIdOfKey(key), error]));
  const failures: RunFailure[] = Object.values(groups).flatMap((group) => group.failures);
  const runs: RunResult[] = [];
  for (const { dataset, seed, variants } of groupsOf(profile)) {
    const groupError = failedGroups.get(jobIds.group(run.runId, dataset, seed));
    if (groupError !== undefined) failures.push({ dataset, seed, error: groupError });
    for (const variant of variants) {
      const cell = cellDirectory(directory, dataset, seed, variant);
      const result =
        (await readJsonIfExists<RunResult>(path.join(cell, EVALUATION_FILE))) ?? (await readJsonIfExists<RunResult>(path.join(cell, PARTIAL_EVALUATION_FILE)));
      if (result !== undefined) runs.push(result);
    }
  }
  const finishedAt = new Date();
  const backends = [...new Set(runs.map((r) => r.producedBy?.backend).filter((b): b is string => b !== undefined))];
  const results: Results = {
    profile: profile.name,
    overrides: run.overrides ?? {},
    command: run.command,
    backend: backends.length > 0 ? backends.join(', ') : context.provenance.backend,
    versions: versions(),
    // Of the machine that wrote the report; each run names the machine that produced it (`producedBy`).
    machine: machine(),
    config: profile,
    startedAt: run.createdAt,
    finishedAt: finishedAt.toISOString(),
    wallSeconds: (finishedAt.getTime() - new Date(run.createdAt).getTime()) / 1000,
    runs,
    failures,
  };
  await writeArtifacts(results, directory);
  context.log(`wrote ${path.join(directory, 'report.md')}: ${runs.length} runs${failures.length > 0 ? `, ${failures.length} failed` : ''}`);
  return { runs: runs.length, failures };
}
