import type { RunResult } from '../../results.js';

/** Where two runs may differ and still be the same run: wall times, throughput, and which machine ran them. */
const NOT_COMPARED = new Set(['seconds', 'imagesPerSecond', 'producedBy']);

/**
 * Every difference between two runs' results, as `path: a vs b`: numbers may differ by `tolerance` relative to their
 * size (float rounding of another backend), everything else (per-image correctness, names, counts) must be equal.
 */
export function differences(a: unknown, b: unknown, tolerance = 1e-6, at = ''): string[] {
  if (typeof a === 'number' && typeof b === 'number') {
    const same = a === b || (Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b)));
    return same ? [] : [`${at}: ${a} vs ${b}`];
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [`${at}: ${a.length} items vs ${b.length}`];
    return a.flatMap((item, i) => differences(item, b[i], tolerance, `${at}[${i}]`));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => !NOT_COMPARED.has(key));
    return keys.flatMap((key) => {
      const [x, y] = [(a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]];
      if (x === undefined || y === undefined) return x === y ? [] : [`${at}.${key}: ${x === undefined ? 'missing' : 'present'} vs ${y === undefined ? 'missing' : 'present'}`];
      return differences(x, y, tolerance, `${at}.${key}`);
    });
  }
  return a === b ? [] : [`${at}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`];
}

/** The runs of `b` paired with those of `a` by dataset, seed and variant, and their differences. */
export function runDifferences(a: RunResult[], b: RunResult[], tolerance?: number): string[] {
  const key = (run: RunResult) => `${run.dataset}/seed-${run.seed}/${run.variant}`;
  const found = new Map(b.map((run) => [key(run), run]));
  return a.flatMap((run) => {
    const other = found.get(key(run));
    return other === undefined ? [`${key(run)}: missing`] : differences(run, other, tolerance, key(run));
  });
}
