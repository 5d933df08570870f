import { PNG } from 'pngjs';
import { renderPlots, studentT975 } from './plots.js';
import type { Results } from './results.js';

describe('renderPlots', () => {
  it('draws accuracy vs epsilon per attack and accuracy vs rotation, as SVG and PNG', async () => {
    const base = { train: { seconds: 1, epochs: 1 }, sanity: [], clean: { accuracy: 0.9, count: 10 } };
    const results = {
      runs: [
        { ...base, dataset: 'mnist', seed: 1, variant: 'baseline', attacks: [{ attack: 'FGSM', epsilon: 0.1, accuracy: 0.3, count: 10, seconds: 1 }], geometric: [{ transform: 'rotated', parameter: 45, accuracy: 0.4, count: 10 }] },
        { ...base, dataset: 'mnist', seed: 1, variant: 'ddar', attacks: [{ attack: 'FGSM', epsilon: 0.1, accuracy: 0.5, count: 10, seconds: 1 }], geometric: [{ transform: 'rotated', parameter: 45, accuracy: 0.6, count: 10 }] },
      ],
    } as unknown as Results;
    const plots = await renderPlots(results);
    expect(plots.map((p) => p.name)).toEqual(['mnist-FGSM-vs-epsilon', 'mnist-rotation']);
    for (const plot of plots) {
      expect(plot.svg.startsWith('<svg')).toBe(true);
      expect(plot.svg).toContain('baseline');
      expect(plot.svg).toContain('ddar');
      const png = PNG.sync.read(Buffer.from(plot.png));
      expect(png.width).toBeGreaterThan(300);
    }
    expect(plots[0].svg).toContain('mnist: FGSM');
    expect(plots[0].svg).toContain('accuracy (%)');
    expect(plots[0].svg).not.toContain('accuracy (%), low');
    expect(plots[0].svg).toContain('ε (L∞ radius, images in [0, 1])');
    expect(plots[0].svg).toContain('one seed: no error bars');
  });

  it('draws 95% intervals of the mean over seeds, and names the norm an attack is measured in', async () => {
    const base = { train: { seconds: 1, epochs: 1 }, sanity: [], geometric: [] };
    const runOf = (seed: number, clean: number, cw: number) => ({
      ...base, dataset: 'mnist', seed, variant: 'ddar', clean: { accuracy: clean, count: 10 },
      attacks: [{ attack: 'CW-L2', norm: 'l2', epsilon: 1, accuracy: cw, count: 10, seconds: 1 }],
    });
    const [plot] = await renderPlots({ runs: [runOf(1, 0.9, 0.3), runOf(2, 0.9, 0.5)] } as unknown as Results);
    expect(plot.svg).toContain('ε (L2 radius, images in [0, 1])');
    expect(plot.svg).toContain('mean over 2 seeds; bars: 95% confidence interval of the mean over seeds');
    // 40 ± t(0.975, 1) · sd / √2 = 40 ± 12.706 · 14.14 / 1.414 = 40 ± 127.06 points, cut to [0, 100].
    expect(studentT975(1)).toBe(12.706);
    expect(studentT975(3)).toBe(3.182);
    const bars = [...plot.svg.matchAll(/aria-label="([^"]*)"[^>]*aria-roledescription="errorbar"/g)].map((m) => m[1]);
    expect(bars).toContain('ε (L2 radius, images in [0, 1]): 1; accuracy (%): 0; upper_low: 100; model: ddar; high: 100; low: 0');
  });

  it('draws the code response (relative code change vs rotation), mean over seeds, a line per model and code', async () => {
    const base = { train: { seconds: 1, epochs: 1 }, sanity: [], clean: { accuracy: 0.9, count: 10 }, attacks: [], geometric: [] };
    const response = (appearance: Array<number | null>, geometric: number[]) => ({ codeResponse: { angles: [-45, 0, 45], appearance, geometric } });
    const results = {
      runs: [
        { ...base, dataset: 'mnist', seed: 1, variant: 'baseline' },
        { ...base, dataset: 'mnist', seed: 1, variant: 'ddar', disentanglement: response([0.2, 0, 0.3], [0.8, 0, 0.9]) },
        { ...base, dataset: 'mnist', seed: 2, variant: 'ddar', disentanglement: response([0.4, 0, null], [0.6, 0, 0.7]) },
        { ...base, dataset: 'mnist', seed: 1, variant: 'ae-reg', disentanglement: response([0.5, 0, 0.5], [0.5, 0, 0.5]) },
      ],
    } as unknown as Results;
    const plots = await renderPlots(results);
    expect(plots.map((p) => p.name)).toEqual(['mnist-code-response']);
    const [plot] = plots;
    expect(plot.svg).toContain('mnist: code response to rotation');
    expect(plot.svg).toContain('relative code change');
    expect(plot.svg).toContain('rotation (degrees)');
    for (const legend of ['ddar', 'ae-reg', 'z_a', 'z_g']) expect(plot.svg).toContain(legend);
    expect(plot.svg).not.toContain('baseline');
    // Two models x two codes: four lines. Vega labels each line by its first point: at -45°, ddar's z_a is the mean of
    // its two seeds (0.2, 0.4) and z_g likewise (0.8, 0.6).
    const lines = [...plot.svg.matchAll(/aria-label="([^"]*)"[^>]*aria-roledescription="line mark"/g)].map((m) => m[1]);
    expect(lines).toHaveLength(4);
    expect(lines).toContain('rotation (degrees): −45; relative code change: 0.3; model: ddar; code: z_a');
    expect(lines).toContain('rotation (degrees): −45; relative code change: 0.7; model: ddar; code: z_g');
    const png = PNG.sync.read(Buffer.from(plot.png));
    expect(png.width).toBeGreaterThan(300);
  });
});
