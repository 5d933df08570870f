/** `75` -> `1:15`, `3725` -> `1:02:05`; `--:--` while unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/** A bar of `width` cells, e.g. `[=========>          ]` at 45%. */
export function renderBar(fraction: number, width: number): string {
  const clamped = Math.min(1, Math.max(0, fraction));
  const filled = Math.floor(clamped * width);
  const head = filled < width ? '>' : '';
  return `[${'='.repeat(filled)}${head}${' '.repeat(Math.max(0, width - filled - head.length))}]`;
}

/** Loss values as `total 0.412 classification 0.301 ...`, with 4 significant digits. */
export function formatLosses(losses: Record<string, number>): string {
  return Object.entries(losses)
    .map(([name, value]) => `${name} ${Number.isFinite(value) ? value.toPrecision(4) : String(value)}`)
    .join(' ');
}
