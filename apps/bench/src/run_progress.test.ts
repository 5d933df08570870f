import { formatEta, RunProgress, type ModelRef } from './run_progress.js';

function clock() {
  let ms = 0;
  return { now: () => ms, advance: (seconds: number) => (ms += 1000 * seconds) };
}

const plan = { datasets: ['mnist', 'fashion-mnist'], seeds: 2, variants: ['baseline', 'ddar'] as const };
const model = (dataset: string, seed: number, variant: 'baseline' | 'ddar'): ModelRef => ({ dataset, seed, variant });

describe('RunProgress', () => {
  it('numbers every model of the run in its order: datasets, then seeds, then variants', () => {
    const progress = new RunProgress({ ...plan, variants: [...plan.variants] });
    expect(progress.total).toBe(8);
    expect(progress.number(model('mnist', 1, 'baseline'))).toBe(1);
    expect(progress.number(model('mnist', 1, 'ddar'))).toBe(2);
    expect(progress.number(model('mnist', 2, 'baseline'))).toBe(3);
    expect(progress.number(model('fashion-mnist', 1, 'baseline'))).toBe(5);
    expect(progress.number(model('fashion-mnist', 2, 'ddar'))).toBe(8);
    expect(() => progress.number(model('cifar10', 1, 'ddar'))).toThrow('RunProgress: cifar10 seed 1 ddar is not a model of this run');
    expect(() => progress.number(model('mnist', 3, 'ddar'))).toThrow('is not a model of this run');
  });

  it('says "ETA unknown" until both trainings and evaluations have been timed, then adds up what is left', () => {
    const time = clock();
    const progress = new RunProgress({ datasets: ['mnist'], seeds: 2, variants: ['baseline', 'ddar'] }, { now: time.now, lanes: 2 });
    const [b1, d1, b2, d2] = [model('mnist', 1, 'baseline'), model('mnist', 1, 'ddar'), model('mnist', 2, 'baseline'), model('mnist', 2, 'ddar')];
    expect(progress.line(b1, 'training')).toBe('[model 1/4: mnist seed 1 baseline] training; run ETA unknown');

    progress.start(b1, 'training');
    time.advance(60);
    progress.finish(b1, 'training');
    // Trainings are timed now, evaluations not yet: what is known is a lower bound, 3 trainings at 60 s.
    expect(progress.eta()).toBeUndefined();
    expect(progress.line(d1, 'training')).toBe('[model 2/4: mnist seed 1 ddar] training; run ETA unknown (training alone: 3 min)');
    progress.start(d1, 'training');
    time.advance(180);
    progress.finish(d1, 'training');
    progress.start(b1, 'evaluation');
    progress.start(d1, 'evaluation');
    time.advance(30);
    progress.finish(b1, 'evaluation');
    // Left: d1's evaluation (30 s estimate, 30 s elapsed: 0), seed 2's trainings (60 + 180 s, each its variant's own
    // time) and its evaluations (30 s each, the only evaluation timed, on 2 lanes).
    expect(progress.eta()).toBeCloseTo(60 + 180 + (0 + 30 + 30) / 2, 10);
    time.advance(10);
    progress.finish(d1, 'evaluation');
    // ddar's evaluation took 40 s: seed 2's ddar is estimated from it, the baseline from its own 30 s.
    expect(progress.eta()).toBeCloseTo(60 + 180 + (30 + 40) / 2, 10);
    expect(progress.runLine('writing results.json, report.md and plots')).toBe(
      '[run: 2/4 models done] writing results.json, report.md and plots; run ETA 5 min',
    );

    progress.start(b2, 'training');
    time.advance(20);
    // 40 s of the baseline's 60 left.
    expect(progress.eta()).toBeCloseTo(40 + 180 + 35, 10);
    time.advance(100);
    // Running past its estimate counts as nothing left, not as negative time.
    expect(progress.eta()).toBeCloseTo(180 + 35, 10);
    progress.finish(b2, 'training');
    expect(progress.line(d2, 'training')).toBe('[model 4/4: mnist seed 2 ddar] training; run ETA 4 min');
  });

  it('estimates a variant not yet timed from the mean of the others, and takes a given time over the clock', () => {
    const time = clock();
    const progress = new RunProgress({ datasets: ['mnist'], seeds: 1, variants: ['baseline', 'ae-reg', 'ddar'] }, { now: time.now });
    const [baseline, aeReg] = (['baseline', 'ae-reg'] as const).map((variant) => ({ dataset: 'mnist', seed: 1, variant }));
    progress.start(baseline, 'training');
    progress.finish(baseline, 'training', 100); // e.g. a resumed training: its recorded total, not this session's part
    progress.start(aeReg, 'training');
    time.advance(300);
    progress.finish(aeReg, 'training');
    progress.start(baseline, 'evaluation');
    time.advance(20);
    progress.finish(baseline, 'evaluation');
    // ddar trains for (100 + 300) / 2 s; ae-reg and ddar evaluate for 20 s each, on one lane.
    expect(progress.eta()).toBeCloseTo(200 + 20 + 20, 10);
  });

  it('counts models finished by an earlier session as done, without learning from them', () => {
    const time = clock();
    const progress = new RunProgress({ datasets: ['mnist'], seeds: 1, variants: ['baseline', 'ddar'] }, { now: time.now });
    progress.skip(model('mnist', 1, 'baseline'));
    expect(progress.finished).toBe(1);
    expect(progress.eta()).toBeUndefined();
    // A model loaded from disk without a recorded time teaches nothing either.
    progress.start(model('mnist', 1, 'ddar'), 'training');
    time.advance(5);
    progress.finish(model('mnist', 1, 'ddar'), 'training', null);
    expect(progress.eta()).toBeUndefined();
    progress.start(model('mnist', 1, 'ddar'), 'evaluation');
    time.advance(5);
    progress.finish(model('mnist', 1, 'ddar'), 'evaluation');
    expect(progress.eta()).toBe(0);
    expect(progress.runLine('done')).toBe('[run: 2/2 models done] done; run ETA under 1 min');
  });
});

describe('formatEta', () => {
  it.each([
    [0, 'under 1 min'],
    [29, 'under 1 min'],
    [31, '1 min'],
    [12 * 60 + 10, '12 min'],
    [59 * 60 + 40, '1 h 00 min'],
    [3600 + 5 * 60, '1 h 05 min'],
    [26 * 3600 + 59 * 60, '26 h 59 min'],
  ])('%d s reads %s', (seconds, text) => {
    expect(formatEta(seconds)).toBe(text);
  });
});
