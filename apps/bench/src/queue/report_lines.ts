import type { Results } from '../results.js';

/**
 * The part of report.md only a distributed run has: which machines and backends produced the runs, and what failed
 * for good, with its error (its rows are missing from the tables, or its transfer column). Empty for a local run.
 */
export function distributedRunLines(results: Results): string[] {
  const producers = new Map<string, number>();
  for (const run of results.runs) {
    if (run.producedBy === undefined) continue;
    const key = `${run.producedBy.host} (${run.producedBy.backend})`;
    producers.set(key, (producers.get(key) ?? 0) + 1);
  }
  const failures = results.failures ?? [];
  if (producers.size === 0 && failures.length === 0) return [];
  const lines = ['', '## Distributed run', ''];
  if (producers.size > 0) {
    lines.push(`Models trained and evaluated on: ${[...producers].map(([who, count]) => `${who}: ${count}`).join(', ')} (each run's \`producedBy\` in results.json).`);
  }
  if (failures.length > 0) {
    lines.push(
      '',
      `**${failures.length} part${failures.length > 1 ? 's' : ''} of this run failed** after every attempt; the tables below lack ${failures.length > 1 ? 'them' : 'it'}:`,
      '',
      '| dataset | seed | model | error |',
      '|---|---:|---|---|',
      ...failures.map((f) => `| ${f.dataset} | ${f.seed} | ${f.variant ?? '(all of the seed)'} | ${f.error.replace(/\s+/g, ' ').replace(/\|/g, '\\|')} |`),
    );
  }
  return lines;
}
