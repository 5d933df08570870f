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

async function render(name: string, title: string, xTitle: string, points: Point[]): Promise<Plot> {
  return plotOf(name, {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
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
    return { model, x: Number(x), accuracy: 100 * s.mean, low: 100 * (s.mean - s.std), high: 100 * (s.mean + s.std) };
  });
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
      plots.push(await render(`${dataset}-${attack}-vs-epsilon`, `${dataset}: ${attack}`, 'epsilon', data));
    }
    const rotation = points(results, dataset, (run) => [
      { x: 0, accuracy: run.clean.accuracy },
      ...run.geometric.filter((g) => g.transform === 'rotated').map((g) => ({ x: g.parameter, accuracy: g.accuracy })),
    ]);
    if (rotation.some((p) => p.x !== 0)) {
      plots.push(await render(`${dataset}-rotation`, `${dataset}: rotated test images`, 'rotation (degrees)', rotation));
    }
    const response = codeResponsePoints(results, dataset);
    if (response.length > 0) plots.push(await renderCodeResponse(`${dataset}-code-response`, dataset, response));
  }
  return plots;
}
