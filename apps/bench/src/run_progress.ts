import type { Variant } from './results.js';

/** The two pieces of work every model of a run takes: training it, then evaluating it. */
export type ModelWork = 'training' | 'evaluation';

/** One model of a run. */
export interface ModelRef {
  dataset: string;
  seed: number;
  variant: Variant;
}

/** What a `reproduce` run trains and evaluates: every variant for every dataset and seed, in this order. */
export interface RunPlan {
  datasets: readonly string[];
  seeds: number;
  variants: readonly Variant[];
}

export interface RunProgressOptions {
  /** Models evaluated side by side (reproduce's evaluation lanes); trainings run one at a time. Default 1. */
  lanes?: number;
  /** Milliseconds; default `performance.now`. */
  now?: () => number;
}

interface Unit {
  variant: Variant;
  state: Record<ModelWork, 'pending' | 'running' | 'done'>;
  startedAt: Partial<Record<ModelWork, number>>;
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** `under 1 min`, `12 min`, `1 h 05 min`: a whole run's remaining time, to the minute. */
export function formatEta(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  if (minutes < 1) return 'under 1 min';
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/**
 * Where a `reproduce` run is: which model of how many, what it is doing, and how long the whole run has left. The
 * estimate comes only from work finished so far (per variant where that variant has finished some, otherwise the mean
 * over variants), so it says "ETA unknown" until every kind of work still ahead has been timed once. Trainings take
 * their turn one after another; evaluations share `lanes`.
 */
export class RunProgress {
  readonly total: number;
  private readonly units = new Map<string, Unit>();
  private readonly seconds: Record<ModelWork, Map<Variant, number[]>> = { training: new Map(), evaluation: new Map() };
  private readonly lanes: number;
  private readonly now: () => number;

  constructor(private readonly plan: RunPlan, options: RunProgressOptions = {}) {
    this.lanes = Math.max(1, options.lanes ?? 1);
    this.now = options.now ?? (() => performance.now());
    for (const dataset of plan.datasets) {
      for (let seed = 1; seed <= plan.seeds; seed++) {
        for (const variant of plan.variants) {
          this.units.set(key({ dataset, seed, variant }), { variant, state: { training: 'pending', evaluation: 'pending' }, startedAt: {} });
        }
      }
    }
    this.total = this.units.size;
  }

  /** The model's place in the run, from 1 to {@link total}. */
  number(ref: ModelRef): number {
    const dataset = this.plan.datasets.indexOf(ref.dataset);
    const variant = this.plan.variants.indexOf(ref.variant);
    if (dataset < 0 || variant < 0 || ref.seed < 1 || ref.seed > this.plan.seeds) {
      throw new Error(`RunProgress: ${ref.dataset} seed ${ref.seed} ${ref.variant} is not a model of this run`);
    }
    return (dataset * this.plan.seeds + ref.seed - 1) * this.plan.variants.length + variant + 1;
  }

  /** Models whose evaluation has finished, in this session or an earlier one. */
  get finished(): number {
    return [...this.units.values()].filter((unit) => unit.state.evaluation === 'done').length;
  }

  /** A model an earlier session finished: nothing left to do for it, and no time of this session to learn from. */
  skip(ref: ModelRef): void {
    const unit = this.unit(ref);
    unit.state = { training: 'done', evaluation: 'done' };
  }

  start(ref: ModelRef, work: ModelWork): void {
    const unit = this.unit(ref);
    unit.state[work] = 'running';
    unit.startedAt[work] = this.now();
  }

  /**
   * Marks the work done. Its time teaches the estimate: `seconds` when given (e.g. a resumed training's total over every
   * session), else the time since {@link start}; `null` when it says nothing (a model loaded, not trained, without a
   * recorded time).
   */
  finish(ref: ModelRef, work: ModelWork, seconds?: number | null): void {
    const unit = this.unit(ref);
    const started = unit.startedAt[work];
    const taken = seconds === undefined ? (started === undefined ? undefined : (this.now() - started) / 1000) : seconds;
    unit.state[work] = 'done';
    if (taken === undefined || taken === null || !Number.isFinite(taken) || taken < 0) return;
    const times = this.seconds[work].get(unit.variant) ?? [];
    times.push(taken);
    this.seconds[work].set(unit.variant, times);
  }

  /** Seconds the run has left, or undefined while some work ahead has nothing finished to be estimated from. */
  eta(): number | undefined {
    const { training, evaluation } = this.left();
    return training === undefined || evaluation === undefined ? undefined : training + evaluation / this.lanes;
  }

  /** Seconds of each kind of work left (evaluations summed over lanes), undefined for a kind not yet timed. */
  private left(): Record<ModelWork, number | undefined> {
    const now = this.now();
    const left: Record<ModelWork, number | undefined> = { training: 0, evaluation: 0 };
    for (const unit of this.units.values()) {
      for (const work of ['training', 'evaluation'] as const) {
        if (unit.state[work] === 'done' || left[work] === undefined) continue;
        const estimate = this.estimate(work, unit.variant);
        if (estimate === undefined) {
          left[work] = undefined;
          continue;
        }
        const started = unit.startedAt[work];
        const elapsed = unit.state[work] === 'running' && started !== undefined ? (now - started) / 1000 : 0;
        left[work] = left[work]! + Math.max(0, estimate - elapsed);
      }
    }
    return left;
  }

  /** `[model 3/14: mnist seed 1 ddar] training; run ETA 12 min` */
  line(ref: ModelRef, stage: string): string {
    return `[model ${this.number(ref)}/${this.total}: ${ref.dataset} seed ${ref.seed} ${ref.variant}] ${stage}; ${this.etaText()}`;
  }

  /** `[run: 7/14 models done] writing results.json, report.md and plots; run ETA 12 min` */
  runLine(stage: string): string {
    return `[run: ${this.finished}/${this.total} models done] ${stage}; ${this.etaText()}`;
  }

  private etaText(): string {
    const eta = this.eta();
    if (eta !== undefined) return `run ETA ${formatEta(eta)}`;
    // Until the first evaluation is timed (a whole seed's trainings, in a long run), the training left is a lower bound.
    const { training } = this.left();
    return training !== undefined && training > 0 ? `run ETA unknown (training alone: ${formatEta(training)})` : 'run ETA unknown';
  }

  private estimate(work: ModelWork, variant: Variant): number | undefined {
    const own = this.seconds[work].get(variant);
    if (own !== undefined && own.length > 0) return mean(own);
    const all = [...this.seconds[work].values()].flat();
    return all.length > 0 ? mean(all) : undefined;
  }

  private unit(ref: ModelRef): Unit {
    const unit = this.units.get(key(ref));
    if (unit === undefined) throw new Error(`RunProgress: ${ref.dataset} seed ${ref.seed} ${ref.variant} is not a model of this run`);
    return unit;
  }
}

function key(ref: ModelRef): string {
  return `${ref.dataset}\u0000${ref.seed}\u0000${ref.variant}`;
}
