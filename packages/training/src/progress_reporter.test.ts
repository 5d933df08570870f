import type { EpochRecord } from './history.js';
import type { StepProgress } from './progress_event.js';
import { formatDuration, formatLosses, renderBar } from './progress_format.js';
import { ProgressReporter, type ProgressStream } from './progress_reporter.js';

function stepEvent(step: number, stepsPerEpoch = 20): StepProgress {
  return {
    type: 'step', epoch: 1, epochs: 2, step, stepsPerEpoch, globalStep: step, totalSteps: 2 * stepsPerEpoch,
    learningRate: 0.001, losses: { total: 0.5, classification: 0.25 }, imagesPerSecond: 812.4, etaSeconds: 75,
  };
}

const RECORD: EpochRecord = {
  epoch: 1, steps: 20, learningRate: 0.001, losses: { total: 0.5 }, trainAccuracy: 0.9, trainAdversarialAccuracy: 0.5,
  validationAccuracy: 0.875, seconds: 12, imagesPerSecond: 800,
};

function fakeStream(isTTY: boolean): ProgressStream & { text: string } {
  return { isTTY, columns: 100, text: '', write(chunk: string) { this.text += chunk; } };
}

describe('progress formatting', () => {
  it('formats durations, bars and losses', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(Infinity)).toBe('--:--');
    expect(renderBar(0, 10)).toBe('[>         ]');
    expect(renderBar(0.45, 10)).toBe('[====>     ]');
    expect(renderBar(1, 10)).toBe('[==========]');
    expect(formatLosses({ total: 0.123456, rec: NaN })).toBe('total 0.1235 rec NaN');
  });
});

describe('ProgressReporter', () => {
  it('redraws one line with a bar, speed and ETA on a TTY', () => {
    const stream = fakeStream(true);
    const reporter = new ProgressReporter(true, 'auto', stream);
    reporter.step(stepEvent(20));
    expect(stream.text.startsWith('\repoch 1/2 [========================] 20/20 812 img/s ETA 1:15 total 0.5000')).toBe(true);
    expect(stream.text).toHaveLength(100);
    reporter.epoch({ type: 'epoch', epochs: 2, record: RECORD, etaSeconds: 12 });
    expect(stream.text.endsWith(
      '\nepoch 1/2 done in 0:12 | 800 img/s | total 0.5000 | train acc 90.00% | train adv acc 50.00% | val acc 87.50% | ETA 0:12\n',
    )).toBe(true);
  });

  it('prints about ten plain lines per epoch elsewhere, and nothing when silenced', () => {
    const lines: string[] = [];
    const reporter = new ProgressReporter((line) => lines.push(line), 'auto');
    for (let step = 1; step <= 20; step++) reporter.step(stepEvent(step));
    expect(lines).toHaveLength(9);
    expect(lines[0]).toBe('epoch 1/2 step 2/20 812 img/s ETA 1:15 lr 0.00100 total 0.5000 classification 0.2500');
    const notTTY = fakeStream(false);
    new ProgressReporter(true, 'auto', notTTY).step(stepEvent(2));
    expect(notTTY.text).toBe('epoch 1/2 step 2/20 812 img/s ETA 1:15 lr 0.00100 total 0.5000 classification 0.2500\n');
    const silent = fakeStream(true);
    new ProgressReporter(false, 'auto', silent).step(stepEvent(20));
    new ProgressReporter(true, 'none', silent).line('hello');
    expect(silent.text).toBe('');
  });
});
