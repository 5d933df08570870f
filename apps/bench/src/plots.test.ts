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
});
