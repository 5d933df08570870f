import { validateLossWeights } from './loss_weights.js';

describe('validateLossWeights', () => {
  it('accepts {} (a model\'s defaults) and any valid subset of weights and options', () => {
    expect(() => validateLossWeights({}, 'train', 'config.lossWeights')).not.toThrow();
    expect(() =>
      validateLossWeights(
        { reconstruction: 10, smoothness: 1, biasReduction: 1, magnitude: undefined, reconstructionKind: 'bce', labelSmoothing: 0.1 },
        'lossTerms',
      ),
    ).not.toThrow();
  });

  it('refuses the other forms of "no weights", a misspelt key and bad values, naming where they came from', () => {
    expect(() => validateLossWeights(null, 'train', 'config.lossWeights')).toThrow(
      'Error in train: config.lossWeights must be an object, but got null',
    );
    expect(() => validateLossWeights(undefined, 'ddarObjective')).toThrow('Error in ddarObjective: weights must be an object, but got undefined');
    expect(() => validateLossWeights([1], 'ddarObjective')).toThrow('weights must be an object, but got an array');
    expect(() => validateLossWeights({ reconstrution: 1 }, 'train', 'config.lossWeights')).toThrow(
      'Error in train: config.lossWeights.reconstrution is not a loss weight or option; the known ones are classification, reconstruction,',
    );
    expect(() => validateLossWeights({ biasReduction: -1 }, 'train', 'config.lossWeights')).toThrow(
      'Error in train: config.lossWeights.biasReduction must be a finite number >= 0, but got -1',
    );
    expect(() => validateLossWeights({ validateLabels: 'yes' }, 'ddarObjective')).toThrow(
      'weights.validateLabels must be true or false, but got yes',
    );
  });
});
