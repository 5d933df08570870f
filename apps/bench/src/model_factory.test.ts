import '@tensorflow/tfjs-layers';
import { initBackend } from '@ddar/backend';
import { DDARModel } from '@ddar/disentangle';
import { createModel } from './model_factory.js';
import type { Variant } from './results.js';

describe('createModel', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', log: false });
  });

  const create = (variant: Variant) => createModel({ variant, inputShape: [28, 28, 1], numClasses: 10, width: 0.25, seed: 1 });

  it('builds the kind of model each variant trains, DDAR with the geometry it names', () => {
    const expected: Array<[Variant, string, string | undefined]> = [
      ['baseline+aug', 'baseline', undefined],
      ['ddar+consistency', 'ddar', 'integral'],
      ['ddar-displacement', 'ddar', 'displacement'],
      ['ddar', 'ddar', 'integral'],
    ];
    for (const [variant, kind, geometry] of expected) {
      const model = create(variant);
      try {
        expect(model.kind).toBe(kind);
        expect(model instanceof DDARModel ? model.geometry : undefined).toBe(geometry);
      } finally {
        model.dispose();
      }
    }
  });
});
