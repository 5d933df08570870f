import { renderReport } from '../report.js';
import type { Results, RunResult } from '../results.js';

const run = (variant: RunResult['variant'], host: string): RunResult => ({
  dataset: 'mnist',
  seed: 1,
  variant,
  train: { seconds: 1, epochs: 1 },
  clean: { accuracy: 0.9, count: 10 },
  attacks: [],
  geometric: [],
  sanity: [],
  producedBy: { host, backend: 'wasm', pid: 42, worker: `${host}/42` },
});

const results: Results = {
  profile: 'smoke',
  command: 'ddar-bench reproduce --profile smoke --queue redis://q:6379 --artifacts /shared/smoke',
  backend: 'wasm',
  versions: {},
  machine: { cpus: 2, cpuModel: 'cpu', memoryGiB: 8, platform: 'linux', node: 'v20' },
  config: {},
  startedAt: '2026-12-05T00:00:00Z',
  runs: [run('baseline', 'node-a'), run('ddar', 'node-b'), run('pgd-at', 'node-a')],
  failures: [
    { dataset: 'mnist', seed: 1, variant: 'ae-reg', error: "EEXIST: file already exists, mkdir '/shared/smoke/runs/mnist/seed-1/ae-reg'" },
    { dataset: 'mnist', seed: 2, error: 'job stalled more than allowable limit | twice' },
  ],
};

describe('report.md of a distributed run', () => {
  it('names the machines that produced the runs and every failure with its error', () => {
    const text = renderReport(results);
    expect(text).toContain('## Distributed run');
    expect(text).toContain('Models trained and evaluated on: node-a (wasm): 2, node-b (wasm): 1');
    expect(text).toContain('**2 parts of this run failed** after every attempt');
    expect(text).toContain("| mnist | 1 | ae-reg | EEXIST: file already exists, mkdir '/shared/smoke/runs/mnist/seed-1/ae-reg' |");
    expect(text).toContain('| mnist | 2 | (all of the seed) | job stalled more than allowable limit \\| twice |');
  });

  it('has no such section for a local run', () => {
    const local: Results = { ...results, runs: results.runs.map(({ producedBy: _p, ...rest }) => rest), failures: undefined };
    expect(renderReport(local)).not.toContain('Distributed run');
  });
});
