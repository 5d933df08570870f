import type { DisentanglementReport } from '@ddar/disentangle';
import { encodeCorrectness } from './correctness.js';
import { renderReport } from './report.js';
import type { Results, RunResult, Variant } from './results.js';
import { attackKey, geometricKey, summarize } from './results.js';

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

  it('without per-image data, gives the difference of the means per claim and no verdict', () => {
    expect(text).toContain('**Robustness to adversarial attacks** (ddar vs baseline):');
    expect(text).toContain('- PGD ε=0.1: +30.0 points (55.0% vs 25.0%, 2 seeds); no per-image data, so no interval and no verdict.');
    expect(text).toContain('**Generalization to geometric transforms** (ddar vs baseline):');
    expect(text).toContain('- rotated 30: +12.5 points (67.5% vs 55.0%, 2 seeds); no per-image data, so no interval and no verdict.');
    expect(text).toContain('- clean: +0.0 points (97.0% vs 97.0%, 2 seeds); no per-image data, so no interval and no verdict.');
    expect(text).toContain('| Robustness to adversarial attacks | ddar vs baseline | no per-image data |');
    expect(text).not.toMatch(/one standard deviation/);
  });

  it('states seeds and images with every table, and embeds the plots and grids a run wrote', () => {
    expect(text).toContain('## mnist (2 seeds, the first 100 test images)');
    expect(text).toContain('Accuracy in %, mean ± sample std over 2 seeds, the first 100 test images.');
    expect(text).not.toContain('### Plots');
    const embedded = renderReport(results, {
      plots: ['plots/mnist-PGD-vs-epsilon.png', 'plots/mnist-PGD-vs-epsilon.svg', 'plots/cifar10-FGSM-vs-epsilon.png'],
      grids: ['grids/mnist-ddar.png', 'grids/mnist-ddar-templates.png'],
    });
    expect(embedded).toContain('![PGD-vs-epsilon](plots/mnist-PGD-vs-epsilon.png)');
    expect(embedded).not.toContain('cifar10-FGSM');
    expect(embedded).not.toContain('.svg)');
    expect(embedded).toContain('![ddar: reconstructions and code swaps](grids/mnist-ddar.png)');
    expect(embedded).toContain('![ddar: per-class templates](grids/mnist-ddar-templates.png)');
  });

  it('flags failed gradient-masking checks plainly', () => {
    expect(text).toContain('**1 of 4 checks FAILED**');
    expect(text).toContain('  - ddar (seed 1): PGD beats FGSM: PGD 50.0% > FGSM 40.0%');
  });

  it('summarizes the checks per radius and says where they could not fail', () => {
    const at = (epsilon: number, pgdAccuracy: number) => ({ name: 'pgd-beats-fgsm', passed: true, message: 'ok', epsilon, pgdAccuracy });
    const checked = (r: RunResult, pgd01: number) => ({ ...r, sanity: [at(0.1, pgd01), at(0.3, 0)] });
    const informative = renderReport({ ...results, runs: results.runs.map((r, i) => checked(r, [0.2, 0.3, 0.5, 0.6][i])) });
    expect(informative).toContain('- at ε=0.1 (PGD accuracy 20.0–60.0%): all 4 checks passed.');
    expect(informative).toContain('- at ε=0.3 (PGD accuracy 0.0–0.0%: the checks cannot fail here): all 4 checks passed.');
    expect(informative).not.toContain('these checks say nothing');
    const vacuous = renderReport({ ...results, runs: results.runs.map((r) => checked(r, 0)) });
    expect(vacuous).toContain('**At no checked radius did PGD leave the models between 0% and 100%: these checks say nothing.**');
  });

  it('decides a claim from the paired interval and the Holm-adjusted test, per column', () => {
    // 400 images, 2 seeds. Under PGD, DDAR gets every image the baseline gets and 100 more; clean, both get the same ones.
    const flags = (count: number) => encodeCorrectness(Array.from({ length: 400 }, (_, i) => (i < count ? 1 : 0)));
    const withImages = (r: RunResult, clean: number, pgd: number): RunResult => ({
      ...r,
      perImage: { count: 400, clean: flags(clean), attacks: { [attackKey('PGD', 0.1)]: flags(pgd) }, geometric: { [geometricKey('rotated', 30)]: flags(clean) } },
    });
    const paired = renderReport({
      ...results,
      runs: [
        withImages(run('baseline', 1, 0.9, 0.25, 0.9), 360, 100),
        withImages(run('baseline', 2, 0.9, 0.25, 0.9), 360, 100),
        withImages(run('ddar', 1, 0.9, 0.5, 0.9), 360, 200),
        withImages(run('ddar', 2, 0.9, 0.5, 0.9), 360, 200),
      ],
    });
    expect(paired).toMatch(/- PGD ε=0.1: \+25\.0 points \[\+2[0-9]\.[0-9], \+2[0-9]\.[0-9]\] \(95% CI, paired bootstrap over 2 seeds × 400 images\), p < 0\.001: ddar better; Holm-adjusted over the claim's 1 column, p < 0\.001: \*\*ddar better\*\*\./);
    expect(paired).toMatch(/- clean: 0\.0 points \[0\.0, 0\.0\].*p = 1\.000: \*\*not conclusive\*\*\./);
    expect(paired).toContain('| Robustness to adversarial attacks | ddar vs baseline | ddar better in 1 of 1 |');
    expect(paired).toContain('| Clean accuracy | ddar vs baseline | not conclusive in 1 of 1 |');
  });
});

function disentanglement(overrides: { warpGain: number | null; rotationFromGeometric: number; folding: number | null; decoder: boolean }): DisentanglementReport {
  const { decoder } = overrides;
  return {
    images: 100,
    settings: { maxRotationDegrees: 45, maxShiftPixels: 3, scaleRange: [0.8, 1.2], seed: 1, batchSize: 100 },
    templateError: decoder ? 0.05 : null,
    reconstructionError: decoder ? 0.02 : null,
    warpGain: overrides.warpGain,
    templateInvariance: decoder ? { invariance: 0.25, within: 1, between: 4 } : null,
    probes: {
      rotation: { fromGeometric: overrides.rotationFromGeometric, fromAppearance: 0.1 },
      shift: { fromGeometric: 0.5, fromAppearance: null },
      scale: { fromGeometric: 0.4, fromAppearance: 0.05 },
      class: { fromGeometric: 0.3, fromAppearance: 0.95 },
      rotationChange: { fromGeometric: 0.87, fromAppearance: 0.02 },
    },
    swapKeepsClass: decoder ? 0.9 : null,
    folding: overrides.folding,
    fieldRms: decoder ? 1.5 : null,
    codeResponse: { angles: [-45, 0, 45], appearance: [0.2, 0, 0.2], geometric: [0.8, 0, 0.8] },
  };
}

describe('renderReport: disentanglement', () => {
  const withReports: Results = {
    ...results,
    runs: [
      run('baseline', 1, 0.98, 0.2, 0.5),
      run('baseline', 2, 0.96, 0.3, 0.6),
      { ...run('ae-reg', 1, 0.97, 0.5, 0.7), disentanglement: disentanglement({ warpGain: null, rotationFromGeometric: 0.3, folding: null, decoder: false }) },
      { ...run('ddar', 1, 0.97, 0.5, 0.7), disentanglement: disentanglement({ warpGain: 0.6, rotationFromGeometric: 0.8, folding: 0, decoder: true }) },
      { ...run('ddar', 2, 0.97, 0.6, 0.65), disentanglement: disentanglement({ warpGain: 0.4, rotationFromGeometric: 0.7, folding: 0.002, decoder: true }) },
    ],
  };
  const text = renderReport(withReports);

  it('tabulates mean ± std over seeds for the variants that have a report, 3 decimals for folding, "–" for null', () => {
    expect(text).toContain('### Disentanglement');
    expect(text).toContain(
      '| model | warp gain | template invariance | rotation R² z_g | rotation R² z_a | rotation-change R² z_g | rotation-change R² z_a | ' +
        'shift R² z_g | shift R² z_a | scale R² z_g | scale R² z_a | ' +
        'class accuracy z_g | class accuracy z_a | swap keeps class | folding | field RMS (px) |',
    );
    expect(text).toContain('| ae-reg | – | – | 0.30 | 0.10 | 0.87 | 0.02 | 0.50 | – | 0.40 | 0.05 | 0.30 | 0.95 | – | – | – |');
    expect(text).toContain(
      '| ddar | 0.50 ± 0.14 | 0.25 ± 0.00 | 0.75 ± 0.07 | 0.10 ± 0.00 | 0.87 ± 0.00 | 0.02 ± 0.00 | 0.50 ± 0.00 | – | 0.40 ± 0.00 | 0.05 ± 0.00 | ' +
        '0.30 ± 0.00 | 0.95 ± 0.00 | 0.90 ± 0.00 | 0.001 ± 0.001 | 1.50 ± 0.00 |',
    );
    const table = text.slice(text.indexOf('### Disentanglement'));
    expect(table).not.toMatch(/^\| baseline \|/m);
  });

  it('says what each metric measures, which way is good, and what the AE-reg row is', () => {
    expect(text).toMatch(/pose should be readable from z_g \(high\) and not from z_a\s+\(low\)/);
    expect(text).toMatch(/\*\*Template invariance\*\*.*\(low is good/s);
    expect(text).toMatch(/\*\*Warp gain\*\*.*\(high is good/s);
    expect(text).toMatch(/\*\*Folding\*\*.*\(0 is good\)/s);
    expect(text).toMatch(/AE-reg has a single code and no\s+template/);
    expect(text).toContain('first 100\ntest images, each also randomly rotated (up to ±45°), shifted (up to ±3 px) and scaled (0.8–1.2).');
  });

  it('has no disentanglement section when no run has a report', () => {
    expect(renderReport(results)).not.toContain('### Disentanglement');
  });
});

describe('renderReport: geometric consistency', () => {
  it('compares ddar+consistency with baseline+aug, only when both ran', () => {
    const both: Results = {
      ...results,
      runs: [...results.runs, run('baseline+aug', 1, 0.97, 0.3, 0.8), run('ddar+consistency', 1, 0.97, 0.35, 0.9)],
    };
    const text = renderReport(both);
    expect(text).toContain('**Robustness, both with geometric augmentation** (ddar+consistency vs baseline+aug):');
    expect(text).toContain('**Geometric generalization, both with geometric augmentation** (ddar+consistency vs baseline+aug):');
    expect(text).toContain('- rotated 30: +10.0 points (90.0% vs 80.0%, 1 seed); no per-image data, so no interval and no verdict.');
    expect(text).toContain('baseline+aug and ddar+consistency saw small random rotations, shifts and scalings in training');
    const one = renderReport({ ...results, runs: [...results.runs, run('ddar+consistency', 1, 0.97, 0.35, 0.9)] });
    expect(one).not.toContain('both with geometric augmentation');
    expect(one).toContain('ddar+consistency saw small random rotations');
  });
});

describe('renderReport: overrides', () => {
  it("says which profile values the command line overrode, from what to what, and how to give them again", () => {
    const overridden: Results = {
      ...results,
      overrides: { epochs: { profile: 2, value: 1 }, trainLimit: { profile: null, value: 5000 }, datasets: { profile: ['mnist', 'cifar10'], value: ['mnist'] } },
    };
    expect(renderReport(overridden)).toContain(
      '- overridden profile values: datasets mnist,cifar10 → mnist, epochs 2 → 1, training images all → 5000 ' +
        "(`--datasets mnist --epochs 1 --train-limit 5000`); the rest as the profile defines them\n",
    );
  });

  it('has no such line without overrides, or in results written before they were recorded', () => {
    expect(renderReport({ ...results, overrides: {} })).not.toContain('overridden');
    expect(renderReport(results)).not.toContain('overridden');
  });
});
