import { learningRateAt } from './learning_rate_schedule.js';

describe('learningRateAt', () => {
  it('keeps a constant rate', () => {
    expect([0, 5, 99].map((step) => learningRateAt({ kind: 'constant' }, 0.1, step, 10, 100))).toEqual([0.1, 0.1, 0.1]);
  });

  it('multiplies by gamma every everyEpochs epochs', () => {
    const schedule = { kind: 'step' as const, everyEpochs: 2, gamma: 0.1 };
    const rates = [0, 19, 20, 39, 40].map((step) => learningRateAt(schedule, 1, step, 10, 60));
    expect(rates[0]).toBe(1);
    expect(rates[1]).toBe(1);
    expect(rates[2]).toBeCloseTo(0.1, 12);
    expect(rates[3]).toBeCloseTo(0.1, 12);
    expect(rates[4]).toBeCloseTo(0.01, 12);
  });

  it('follows half a cosine from the base rate towards the floor', () => {
    const schedule = { kind: 'cosine' as const, minLearningRate: 0.1 };
    expect(learningRateAt(schedule, 1, 0, 10, 100)).toBe(1);
    expect(learningRateAt(schedule, 1, 50, 10, 100)).toBeCloseTo(0.55, 12);
    const last = learningRateAt(schedule, 1, 99, 10, 100);
    expect(last).toBeGreaterThan(0.1);
    expect(last).toBeLessThan(0.1005);
    const rates = Array.from({ length: 100 }, (_, step) => learningRateAt(schedule, 1, step, 10, 100));
    expect(rates.every((rate, i) => i === 0 || rate < rates[i - 1])).toBe(true);
  });
});
