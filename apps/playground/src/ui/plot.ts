import type { RobustnessCurve } from '../robustness_curve.js';

const SVG = 'http://www.w3.org/2000/svg';

/** Series styles: the baseline in grey-blue, DDAR in orange, distinguishable in grey print by the marker too. */
export const SERIES: Record<string, { label: string; className: string }> = {
  baseline: { label: 'Baseline CNN', className: 'series-baseline' },
  ddar: { label: 'DDAR', className: 'series-ddar' },
};

function element<K extends keyof SVGElementTagNameMap>(name: K, attributes: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Accuracy against epsilon, one line per model. Every point carries the numbers it was drawn from (data-model,
 * data-epsilon, data-accuracy), so that what is plotted can be checked against what the library computes.
 */
export function renderCurve(svg: SVGSVGElement, curve: RobustnessCurve | undefined): void {
  // Drawn at the size it is shown, so that its text stays legible on a phone rather than shrinking with the plot.
  const width = Math.round(Math.min(560, Math.max(300, svg.clientWidth || 520)));
  const height = Math.round(Math.max(220, width * 0.56));
  const margin = { left: 52, right: 16, top: 14, bottom: 46 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const epsilons = curve?.epsilons ?? [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3];
  const maxE = Math.max(...epsilons) || 1;
  const x = (e: number) => margin.left + (e / maxE) * plotW;
  const y = (a: number) => margin.top + (1 - a) * plotH;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const nodes: SVGElement[] = [];
  for (const a of [0, 0.25, 0.5, 0.75, 1]) {
    nodes.push(element('line', { x1: margin.left, x2: width - margin.right, y1: y(a), y2: y(a), class: a === 0 ? 'axis' : 'grid' }));
    nodes.push(element('text', { x: margin.left - 8, y: y(a) + 4, class: 'tick', 'text-anchor': 'end' }, `${a * 100}%`));
  }
  for (const e of epsilons) {
    nodes.push(element('line', { x1: x(e), x2: x(e), y1: y(0), y2: y(0) + 5, class: 'axis' }));
    nodes.push(element('text', { x: x(e), y: y(0) + 19, class: 'tick', 'text-anchor': 'middle' }, String(e)));
  }
  nodes.push(element('text', { x: margin.left + plotW / 2, y: height - 6, class: 'axis-label', 'text-anchor': 'middle' }, 'ε (L∞ budget)'));
  nodes.push(
    element('text', { x: 14, y: margin.top + plotH / 2, class: 'axis-label', 'text-anchor': 'middle', transform: `rotate(-90 14 ${margin.top + plotH / 2})` }, 'accuracy'),
  );
  if (curve !== undefined) {
    for (const [model, accuracies] of Object.entries(curve.accuracy)) {
      const style = SERIES[model] ?? { label: model, className: 'series-other' };
      const points = accuracies.map((a, i) => `${x(curve.epsilons[i]).toFixed(1)},${y(a).toFixed(1)}`).join(' ');
      const group = element('g', { class: style.className, 'data-model': model });
      group.append(element('polyline', { points, fill: 'none' }));
      accuracies.forEach((a, i) => {
        const point = element(model === 'ddar' ? 'rect' : 'circle', {
          'data-model': model,
          'data-epsilon': curve.epsilons[i],
          'data-accuracy': a,
          class: 'point',
          ...(model === 'ddar'
            ? { x: x(curve.epsilons[i]) - 4, y: y(a) - 4, width: 8, height: 8 }
            : { cx: x(curve.epsilons[i]), cy: y(a), r: 4.5 }),
        });
        point.append(element('title', {}, `${style.label}, ε = ${curve.epsilons[i]}: ${(100 * a).toFixed(0)}%`));
        group.append(point);
      });
      nodes.push(group);
    }
  }
  svg.replaceChildren(...nodes);
}
