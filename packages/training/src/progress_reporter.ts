import type { LogOption, ProgressStyle } from './config.js';
import type { EpochProgress, StepProgress } from './progress_event.js';
import { formatDuration, formatLosses, renderBar } from './progress_format.js';

/** The stream a bar is drawn on: just what is needed of `process.stderr`. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const BAR_WIDTH = 24;
const REDRAW_INTERVAL_MS = 100;
const LINES_PER_EPOCH = 10;

function percent(value: number): string {
  return `${(100 * value).toFixed(2)}%`;
}

/**
 * Reports training progress for humans: on a TTY a single redrawn line with a bar, throughput and ETA; elsewhere (CI
 * logs, files, a `log` function) plain lines, about ten per epoch, so logs stay readable.
 */
export class ProgressReporter {
  private readonly emit: ((line: string) => void) | undefined;
  private readonly bar: boolean;
  private lastDraw = 0;
  private barVisible = false;

  constructor(log: LogOption, style: ProgressStyle, private readonly stream: ProgressStream = process.stderr) {
    if (log === false || style === 'none') {
      this.emit = undefined;
      this.bar = false;
    } else if (typeof log === 'function') {
      this.emit = log;
      this.bar = false;
    } else {
      this.emit = (line) => stream.write(`${line}\n`);
      this.bar = style === 'bar' || (style === 'auto' && stream.isTTY === true);
    }
  }

  /** A line of its own (start, resume, checkpoint, warnings); clears the bar first. */
  line(text: string): void {
    if (this.emit === undefined) return;
    this.clearBar();
    this.emit(text);
  }

  step(event: StepProgress): void {
    if (this.emit === undefined) return;
    const head = `epoch ${event.epoch}/${event.epochs}`;
    const speed = `${Math.round(event.imagesPerSecond)} img/s`;
    const eta = `ETA ${formatDuration(event.etaSeconds)}`;
    if (this.bar) {
      const now = Date.now();
      if (now - this.lastDraw < REDRAW_INTERVAL_MS && event.step < event.stepsPerEpoch) return;
      this.lastDraw = now;
      const text = `${head} ${renderBar(event.step / event.stepsPerEpoch, BAR_WIDTH)} ${event.step}/${event.stepsPerEpoch} ${speed} ${eta} ${formatLosses(event.losses)}`;
      const columns = this.stream.columns ?? 120;
      this.stream.write(`\r${text.length >= columns ? text.slice(0, columns - 1) : text.padEnd(columns - 1)}`);
      this.barVisible = true;
      return;
    }
    const every = Math.max(1, Math.ceil(event.stepsPerEpoch / LINES_PER_EPOCH));
    if (event.step % every === 0 && event.step < event.stepsPerEpoch) {
      this.emit(`${head} step ${event.step}/${event.stepsPerEpoch} ${speed} ${eta} lr ${event.learningRate.toPrecision(3)} ${formatLosses(event.losses)}`);
    }
  }

  epoch(event: EpochProgress): void {
    const r = event.record;
    const parts = [
      `epoch ${r.epoch}/${event.epochs} done in ${formatDuration(r.seconds)}`,
      `${Math.round(r.imagesPerSecond)} img/s`,
      formatLosses(r.losses),
      `train acc ${percent(r.trainAccuracy)}`,
    ];
    if (r.trainAdversarialAccuracy !== undefined) parts.push(`train adv acc ${percent(r.trainAdversarialAccuracy)}`);
    if (r.validationAccuracy !== undefined) parts.push(`val acc ${percent(r.validationAccuracy)}`);
    if (r.termGradientNorms !== undefined) {
      const norms = Object.entries(r.termGradientNorms).map(([term, norm]) => `${term} ${norm.toPrecision(3)}`);
      parts.push(`backbone gradient norms: ${norms.join(', ')}`);
    }
    if (r.epoch < event.epochs) parts.push(`ETA ${formatDuration(event.etaSeconds)}`);
    this.line(parts.join(' | '));
  }

  private clearBar(): void {
    if (!this.barVisible) return;
    this.stream.write('\n');
    this.barVisible = false;
  }
}
