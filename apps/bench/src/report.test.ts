import { renderReport } from './report.js';
import type { Results, RunResult, Variant } from './results.js';
import { summarize } from './results.js';

function run(variant: Variant, seed: number, clean: number, pgd: number, rotated: number, sanityPassed = true): RunResult {
  return {
    dataset: 'mnist',
    seed,
    variant,
    train: { seconds: 1, epochs: 1 },
    clean: { accuracy: clean, count: 100 },
    attacks: [{ attack: 'PGD', epsilon: 0.1, accuracy: pgd, count: 100, seconds: 1 }],
    geometric: [{ transform: 'rotated', parameter: 30, accuracy: rotated, count: 100 }],
    sanity: [{ name: 'PGD beats FGSM', passed: sanityPassed, message: sanityPassed ? 'ok' : 'PGD 50.0% > FGSM 40.0%' }],
  };
}

const results: Results = {
  profile: 'test',
  command: 'ddar-bench reproduce --profile test',
  backend: 'wasm',
  versions: { '@tensorflow/tfjs-core': '4.22.0' },
  machine: { cpus: 2, cpuModel: 'cpu', memoryGiB: 24, platform: 'linux', node: 'v20' },
  config: {},
  startedAt: '2026-11-25T00:00:00Z',
  wallSeconds: 600,
  runs: [
    run('baseline', 1, 0.98, 0.2, 0.5),
    run('baseline', 2, 0.96, 0.3, 0.6),
    run('ddar', 1, 0.97, 0.5, 0.7, false),
    run('ddar', 2, 0.97, 0.6, 0.65),
  ],
};

describe('summarize', () => {
  it('gives the mean and the sample standard deviation', () => {
    const s = summarize([0.2, 0.3]);
    expect(s.mean).toBeCloseTo(0.25, 12);
    expect(s.std).toBeCloseTo(Math.sqrt(0.005), 12);
    expect(summarize([0.4]).std).toBe(0);
  });
});

describe('renderReport', () => {
  const text = renderReport(results);

  it('prints mean ± std per model and column, best in bold', () => {
    expect(text).toContain('| model | clean | PGD ε=0.1 |');
    expect(text).toContain('| baseline | **97.0 ± 1.4** | 25.0 ± 7.1 |');
    expect(text).toContain('| ddar | **97.0 ± 0.0** | **55.0 ± 7.1** |');
    expect(text).toContain('| ddar | **97.0 ± 0.0** | **67.5 ± 3.5** |');
  });

  it('says per claim whether DDAR beat the baseline and by how much', () => {
    expect(text).toContain('- Robustness (PGD ε=0.1): ddar beat baseline by 30.0 points (55.0% vs 25.0%, 2 seeds).');
    expect(text).toContain('- Geometric generalization (rotated 30): ddar beat baseline by 12.5 points (67.5% vs 55.0%, 2 seeds).');
    expect(text).toContain('- Clean accuracy (clean): ddar tied baseline (97.0% vs 97.0%, 2 seeds).');
  });

  it('flags failed gradient-masking checks plainly', () => {
    expect(text).toContain('**1 of 4 checks FAILED**');
    expect(text).toContain('- ddar (seed 1): PGD beats FGSM: PGD 50.0% > FGSM 40.0%');
  });

  it('marks a difference inside the seed spread as not conclusive', () => {
    const close = { ...results, runs: [run('baseline', 1, 0.9, 0.2, 0.5), run('baseline', 2, 0.9, 0.4, 0.5), run('ddar', 1, 0.9, 0.25, 0.5), run('ddar', 2, 0.9, 0.45, 0.5)] };
    expect(renderReport(close)).toMatch(/PGD ε=0.1\): ddar beat baseline by 5.0 points .*not conclusive/);
  });
});
