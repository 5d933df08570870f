import { PNG } from 'pngjs';
import { renderPlots } from './plots.js';
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
