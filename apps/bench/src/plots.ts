import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { summarize, type Results } from './results.js';

export interface Plot {
  name: string;
  svg: string;
  png: Uint8Array;
}

interface Point {
  model: string;
  x: number;
  accuracy: number;
  low: number;
  high: number;
}

async function plotOf(name: string, spec: vl.TopLevelSpec): Promise<Plot> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, background: 'white' }).render().asPng();
  return { name, svg, png };
}

async function render(name: string, title: string, xTitle: string, points: Point[], seeds: number): Promise<Plot> {
  return plotOf(name, {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: title,
      subtitle: seeds > 1 ? `mean over ${seeds} seeds; bars: 95% confidence interval of the mean over seeds` : 'one seed: no error bars',
    },
    width: 360,
    height: 240,
    data: { values: points },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle },
      color: { field: 'model', type: 'nominal', title: 'model' },
    },
    layer: [
      { mark: { type: 'line', point: true }, encoding: { y: { field: 'accuracy', type: 'quantitative', title: 'accuracy (%)', scale: { domain: [0, 100] } } } },
      // Same axis title as the line layer, or vega-lite joins the two ("accuracy (%), low").
      { mark: { type: 'errorbar' }, encoding: { y: { field: 'low', type: 'quantitative', title: 'accuracy (%)' }, y2: { field: 'high' } } },
    ],
  });
}

interface CodeResponsePoint {
  model: string;
  code: 'z_a' | 'z_g';
  angle: number;
  change: number;
}

/** The disentanglement reports' code response, mean over seeds per model, code and angle (angles where a seed has no value are averaged over the others). */
function codeResponsePoints(results: Results, dataset: string): CodeResponsePoint[] {
  const grouped = new Map<string, { model: string; code: CodeResponsePoint['code']; angle: number; values: number[] }>();
  for (const run of results.runs.filter((r) => r.dataset === dataset && r.disentanglement !== undefined)) {
    const { angles, appearance, geometric } = run.disentanglement!.codeResponse;
    for (const [code, changes] of [['z_a', appearance], ['z_g', geometric]] as const) {
      angles.forEach((angle, i) => {
        const change = changes[i];
        if (change === null || !Number.isFinite(change)) return;
        const key = `${run.variant}\u0000${code}\u0000${angle}`;
        const group = grouped.get(key) ?? { model: run.variant, code, angle, values: [] };
        group.values.push(change);
        grouped.set(key, group);
      });
    }
  }
  return [...grouped.values()].map(({ model, code, angle, values }) => ({ model, code, angle, change: summarize(values).mean }));
}

/** How far each code moves as the test images turn: z_g should follow the rotation, z_a should stay put. */
function renderCodeResponse(name: string, dataset: string, points: CodeResponsePoint[]): Promise<Plot> {
  return plotOf(name, {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${dataset}: code response to rotation`,
    width: 360,
    height: 240,
    data: { values: points },
    // Lines without point marks, so that the code legend shows the dash patterns rather than dots.
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x: { field: 'angle', type: 'quantitative', title: 'rotation (degrees)' },
      y: { field: 'change', type: 'quantitative', title: 'relative code change' },
      color: { field: 'model', type: 'nominal', title: 'model' },
      strokeDash: { field: 'code', type: 'nominal', title: 'code' },
    },
  });
}

function points(
  results: Results,
  dataset: string,
  measurements: (run: Results['runs'][number]) => Array<{ x: number; accuracy: number }>,
): Point[] {
  const grouped = new Map<string, number[]>();
  for (const run of results.runs.filter((r) => r.dataset === dataset)) {
    for (const m of measurements(run)) {
      const key = `${run.variant}\u0000${m.x}`;
      grouped.set(key, [...(grouped.get(key) ?? []), m.accuracy]);
    }
  }
  return [...grouped.entries()].map(([key, values]) => {
    const [model, x] = key.split('\u0000');
    const s = summarize(values);
    const half = s.n > 1 ? studentT975(s.n - 1) * (s.std / Math.sqrt(s.n)) : 0;
    // Accuracy cannot leave [0, 100]; with 2 seeds the interval easily would (t = 12.7).
    return { model, x: Number(x), accuracy: 100 * s.mean, low: Math.max(0, 100 * (s.mean - half)), high: Math.min(100, 100 * (s.mean + half)) };
  });
}

/** The 97.5% quantile of Student's t with `df` degrees of freedom: the half-width factor of a 95% interval of a mean. */
export function studentT975(df: number): number {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086];
  return df <= table.length ? table[df - 1] : 1.96 + 2.4 / df;
}

/** Seeds per model of a dataset (the most any model has). */
function seedCount(results: Results, dataset: string): number {
  const seeds = new Map<string, Set<number>>();
  for (const run of results.runs.filter((r) => r.dataset === dataset)) seeds.set(run.variant, (seeds.get(run.variant) ?? new Set()).add(run.seed));
  return Math.max(0, ...[...seeds.values()].map((set) => set.size));
}

/** The norm an attack's radius is measured in, for the axis title; results written before it was recorded name it in the attack. */
function normOf(results: Results, dataset: string, attack: string): string {
  const recorded = results.runs.filter((r) => r.dataset === dataset).flatMap((r) => r.attacks).find((a) => a.attack === attack)?.norm;
  const norm = recorded ?? (/L2/i.test(attack) ? 'l2' : 'linf');
  return norm === 'l2' ? 'L2' : 'L∞';
}

/**
 * Accuracy vs epsilon per attack (one plot per attack, a line per model), accuracy vs rotation angle, and the
 * disentanglement reports' code response vs rotation angle.
 */
export async function renderPlots(results: Results): Promise<Plot[]> {
  const plots: Plot[] = [];
  for (const dataset of new Set(results.runs.map((r) => r.dataset))) {
    const attacks = new Set(results.runs.filter((r) => r.dataset === dataset).flatMap((r) => r.attacks.map((a) => a.attack)));
    for (const attack of attacks) {
      const data = points(results, dataset, (run) => [
        { x: 0, accuracy: run.clean.accuracy },
        ...run.attacks.filter((a) => a.attack === attack).map((a) => ({ x: a.epsilon, accuracy: a.accuracy })),
      ]);
      const seeds = seedCount(results, dataset);
      plots.push(await render(`${dataset}-${attack}-vs-epsilon`, `${dataset}: ${attack}`, `ε (${normOf(results, dataset, attack)} radius, images in [0, 1])`, data, seeds));
    }
    const rotation = points(results, dataset, (run) => [
      { x: 0, accuracy: run.clean.accuracy },
      ...run.geometric.filter((g) => g.transform === 'rotated').map((g) => ({ x: g.parameter, accuracy: g.accuracy })),
    ]);
    if (rotation.some((p) => p.x !== 0)) {
      plots.push(await render(`${dataset}-rotation`, `${dataset}: rotated test images`, 'rotation (degrees)', rotation, seedCount(results, dataset)));
    }
    const response = codeResponsePoints(results, dataset);
    if (response.length > 0) plots.push(await renderCodeResponse(`${dataset}-code-response`, dataset, response));
  }
  return plots;
}
