/** The data every view (report.md, plots) is made from; `results.json` holds exactly this. */
import type { DisentanglementReport } from '@ddar/disentangle';
import type { RecordedOverrides } from './overrides.js';

/** Every model the bench trains, in the order of the report's tables. */
export const VARIANTS = [
  'baseline', 'ae-reg', 'ddar-displacement', 'ddar', 'pgd-at', 'ddar+pgd-at', 'fgsm-at', 'ddar+fgsm-at', 'baseline+aug', 'ddar+consistency',
] as const;
export type Variant = (typeof VARIANTS)[number];

export interface AttackResult {
  attack: string;
  /** The norm `epsilon` is measured in; absent in results written before it was recorded. */
  norm?: 'linf' | 'l2';
  epsilon: number;
  accuracy: number;
  /** Images evaluated. */
  count: number;
  seconds: number;
}

export interface GeometricResult {
  /** e.g. `rotated`, `translated`, `scaled`, `affnist40` (`affnist-like` in results written before it). */
  transform: string;
  /** The transform's parameter: degrees, fraction of the image, scale factor; 0 where it has none. */
  parameter: number;
  accuracy: number;
  count: number;
}

export interface SanityCheck {
  name: string;
  passed: boolean;
  message: string;
  /** The L-inf radius the check ran at; absent in results written when the checks ran at one radius only. */
  epsilon?: number;
  /** PGD's robust accuracy at `epsilon` on the checked images: a check at 0% or 100% says little. */
  pgdAccuracy?: number;
}

/**
 * Which test images each measurement got right, encoded by `encodeCorrectness` (correctness.ts). Every model of a
 * dataset is scored on the same first `count` test images, so two models' strings pair image by image.
 */
export interface PerImageCorrectness {
  count: number;
  clean: string;
  /** By {@link attackKey}. */
  attacks: Record<string, string>;
  /** By {@link geometricKey}. */
  geometric: Record<string, string>;
}

/** The key of one attack at one radius in {@link PerImageCorrectness.attacks}, e.g. `PGD-10@0.1`. */
export function attackKey(attack: string, epsilon: number): string {
  return `${attack}@${epsilon}`;
}

/** The key of one transform in {@link PerImageCorrectness.geometric}, e.g. `rotated@30`. */
export function geometricKey(transform: string, parameter: number): string {
  return `${transform}@${parameter}`;
}

export interface RunResult {
  dataset: string;
  seed: number;
  variant: Variant;
  train: { seconds: number; epochs: number; finalLoss?: number; history?: unknown };
  clean: { accuracy: number; count: number };
  attacks: AttackResult[];
  geometric: GeometricResult[];
  sanity: SanityCheck[];
  /** Absent in results written before per-image correctness was kept. */
  perImage?: PerImageCorrectness;
  /** How well the model separates pose from appearance; absent for models without codes (the baselines). */
  disentanglement?: DisentanglementReport;
  /** Where a distributed run (`reproduce --queue`) trained and evaluated this model; absent in local runs. */
  producedBy?: Provenance;
}

/** The worker that ran a cell of a distributed run. */
export interface Provenance {
  host: string;
  /** The tfjs backend the cell ran on (`tensorflow`, `wasm`, `cpu`). */
  backend: string;
  pid: number;
  /** The queue worker's name (host and pid of the worker process). */
  worker: string;
}

/** A part of a distributed run that failed after its last attempt: it is missing from `runs`, or incomplete. */
export interface RunFailure {
  dataset: string;
  seed: number;
  /** Absent when the whole (dataset, seed) group failed. */
  variant?: Variant;
  error: string;
}

export interface Results {
  profile: string;
  /**
   * The profile values the command line overrode, each as `{ profile, value }` (`config` holds the values used); `{}`
   * for none, absent in results written before overrides were recorded.
   */
  overrides?: RecordedOverrides;
  command: string;
  backend: string;
  /** Threads sharing each training step (data-parallel training); absent in results written before it existed. */
  trainingThreads?: number;
  versions: Record<string, string>;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; platform: string; node: string };
  config: unknown;
  startedAt: string;
  finishedAt?: string;
  wallSeconds?: number;
  runs: RunResult[];
  /** Distributed runs only: what failed for good, with its error; absent or empty when everything completed. */
  failures?: RunFailure[];
}

export interface Summary {
  mean: number;
  std: number;
  n: number;
}

/** Mean and sample standard deviation (0 for a single value). */
export function summarize(values: number[]): Summary {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), n };
}

/** Accuracy of every seed's run of `variant` on `dataset` for one measurement picked by `pick`. */
export function collect(
  results: Results,
  dataset: string,
  variant: Variant,
  pick: (run: RunResult) => number | undefined,
): number[] {
  return results.runs
    .filter((run) => run.dataset === dataset && run.variant === variant)
    .map(pick)
    .filter((value): value is number => value !== undefined && Number.isFinite(value));
}
