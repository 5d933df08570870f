import { PNG } from 'pngjs';

/** Images as plain data: values in [0, 1], row-major [N, H, W, C] with C = 1 or 3. */
export interface ImageBatch {
  data: Float32Array;
  shape: [number, number, number, number];
}

/** A displacement field [N, H, W, 2] (dx, dy in pixels). */
export interface FieldBatch {
  data: Float32Array;
  shape: [number, number, number, 2];
}

export interface GridRow {
  label: string;
  images: ImageBatch | FieldBatch;
  kind: 'image' | 'field';
}

const GAP = 2;

/** HSV with s = 1 to RGB, the usual optical-flow coloring: hue is the direction, brightness the magnitude (in pixels). */
function flowColor(dx: number, dy: number, maxMagnitude: number): [number, number, number] {
  const magnitude = Math.min(1, Math.hypot(dx, dy) / (maxMagnitude || 1));
  const hue = ((Math.atan2(dy, dx) / (2 * Math.PI) + 1) % 1) * 6;
  const f = hue - Math.floor(hue);
  const v = magnitude;
  const p = 0;
  const q = v * (1 - f);
  const t = v * f;
  const sector = Math.floor(hue) % 6;
  const rgb: Array<[number, number, number]> = [[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]];
  return rgb[sector];
}

/**
 * Lays rows of images side by side into one PNG: inputs, templates, displacement fields (colored by direction and
 * magnitude), reconstructions, code swaps. Each row shows up to `columns` images; `scale` enlarges pixels.
 */
export function imageGrid(rows: GridRow[], options: { columns?: number; scale?: number } = {}): Buffer {
  if (rows.length === 0) throw new Error('imageGrid: rows must not be empty');
  const [, height, width] = rows[0].images.shape;
  for (const row of rows) {
    if (row.images.shape[1] !== height || row.images.shape[2] !== width) {
      throw new Error(`imageGrid: row '${row.label}' has images ${row.images.shape[1]}x${row.images.shape[2]}, expected ${height}x${width}`);
    }
  }
  const columns = Math.min(options.columns ?? 8, ...rows.map((r) => r.images.shape[0]));
  const scale = options.scale ?? 3;
  const cellW = width * scale + GAP;
  const cellH = height * scale + GAP;
  const png = new PNG({ width: columns * cellW + GAP, height: rows.length * cellH + GAP });
  png.data.fill(255);
  rows.forEach((row, r) => {
    const [, , , channels] = row.images.shape;
    const { data } = row.images;
    let maxMagnitude = 0;
    if (row.kind === 'field') {
      // Brightness is relative to at least one pixel, so a field of near-zero motion shows dark, not saturated.
      maxMagnitude = 1;
      for (let i = 0; i < data.length; i += 2) maxMagnitude = Math.max(maxMagnitude, Math.hypot(data[i], data[i + 1]));
    }
    for (let n = 0; n < columns; n++) {
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const base = ((n * height + y) * width + x) * channels;
          let rgb: [number, number, number];
          if (row.kind === 'field') rgb = flowColor(data[base], data[base + 1], maxMagnitude);
          else if (channels === 1) rgb = [data[base], data[base], data[base]];
          else rgb = [data[base], data[base + 1], data[base + 2]];
          for (let sy = 0; sy < scale; sy++) {
            for (let sx = 0; sx < scale; sx++) {
              const px = GAP + n * cellW + x * scale + sx;
              const py = GAP + r * cellH + y * scale + sy;
              const o = (py * png.width + px) * 4;
              for (let k = 0; k < 3; k++) png.data[o + k] = Math.round(255 * Math.min(1, Math.max(0, rgb[k])));
              png.data[o + 3] = 255;
            }
          }
        }
      }
    }
  });
  return PNG.sync.write(png);
}
