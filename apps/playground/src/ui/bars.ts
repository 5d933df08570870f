const SVG = 'http://www.w3.org/2000/svg';

/** The ten class probabilities as labelled bars, the top class marked; the list carries them for tests and tools. */
export function renderProbabilities(list: HTMLElement, probabilities: ArrayLike<number>): void {
  const values = Array.from(probabilities);
  const top = values.indexOf(Math.max(...values));
  if (list.children.length !== values.length) {
    list.replaceChildren(
      ...values.map((_, c) => {
        const item = document.createElement('li');
        item.innerHTML = `<span class="class">${c}</span><span class="bar"><span class="fill"></span></span><span class="value"></span>`;
        return item;
      }),
    );
  }
  values.forEach((p, c) => {
    const item = list.children[c] as HTMLElement;
    item.classList.toggle('top', c === top);
    (item.querySelector('.fill') as HTMLElement).style.width = `${(100 * p).toFixed(1)}%`;
    (item.querySelector('.value') as HTMLElement).textContent = formatPercent(p);
    item.setAttribute('aria-label', `${c}: ${formatPercent(p)}`);
  });
  list.dataset.probabilities = JSON.stringify(values);
}

/** 99.7 %, 0.2 %, < 0.1 %: short enough for a bar's label, exact enough to see a change. */
export function formatPercent(p: number): string {
  if (p < 0.001) return '<0.1%';
  return `${(100 * p).toFixed(p > 0.995 ? 1 : p >= 0.1 ? 0 : 1)}%`;
}

/**
 * A code vector as bars above and below a zero line, on a fixed scale (`range`: the largest magnitude the bundled
 * digits give that code), so that bars move, rather than rescale, as the input changes.
 */
export function renderCode(svg: SVGSVGElement, values: ArrayLike<number>, range: number): void {
  const n = values.length;
  const width = 320;
  const height = 64;
  const gap = n > 16 ? 1 : 3;
  const barWidth = (width - gap * (n - 1)) / n;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  if (svg.childElementCount !== n + 1) {
    const axis = document.createElementNS(SVG, 'line');
    axis.setAttribute('x1', '0');
    axis.setAttribute('x2', String(width));
    axis.setAttribute('y1', String(height / 2));
    axis.setAttribute('y2', String(height / 2));
    axis.setAttribute('class', 'axis');
    svg.replaceChildren(axis, ...Array.from({ length: n }, () => document.createElementNS(SVG, 'rect')));
  }
  for (let i = 0; i < n; i++) {
    const v = Math.max(-1, Math.min(1, values[i] / (range || 1)));
    const bar = svg.children[i + 1] as SVGRectElement;
    const h = (Math.abs(v) * height) / 2;
    bar.setAttribute('x', (i * (barWidth + gap)).toFixed(2));
    bar.setAttribute('width', barWidth.toFixed(2));
    bar.setAttribute('y', (v >= 0 ? height / 2 - h : height / 2).toFixed(2));
    bar.setAttribute('height', Math.max(0.5, h).toFixed(2));
    bar.setAttribute('class', v >= 0 ? 'positive' : 'negative');
  }
  svg.dataset.values = JSON.stringify(Array.from(values));
}
