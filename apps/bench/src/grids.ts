import { Resvg } from '@resvg/resvg-js';
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
 * The displacement (in pixels) a field row shows at full brightness: the largest among its first `shown` fields, but at
 * least one pixel, so that a field of near-zero motion shows dark rather than saturated.
 */
function fieldFullBrightness(field: FieldBatch, shown = field.shape[0]): number {
  let largest = 1;
  const { data } = field;
  const end = Math.min(data.length, shown * field.shape[1] * field.shape[2] * 2);
  for (let i = 0; i < end; i += 2) largest = Math.max(largest, Math.hypot(data[i], data[i + 1]));
  return largest;
}

function setPixel(png: PNG, x: number, y: number, rgb: [number, number, number], alpha = 255): void {
  const o = (y * png.width + x) * 4;
  for (let k = 0; k < 3; k++) png.data[o + k] = Math.round(255 * Math.min(1, Math.max(0, rgb[k])));
  png.data[o + 3] = alpha;
}

/** Draws the first `columns` images of `row` into `png`, `scale` times enlarged and `GAP` apart, from (left, top). */
function paintRow(png: PNG, row: GridRow, columns: number, scale: number, left: number, top: number): void {
  const [, height, width, channels] = row.images.shape;
  const { data } = row.images;
  const fullBrightness = row.kind === 'field' ? fieldFullBrightness(row.images as FieldBatch, columns) : 0;
  const cellW = width * scale + GAP;
  for (let n = 0; n < columns; n++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const base = ((n * height + y) * width + x) * channels;
        let rgb: [number, number, number];
        if (row.kind === 'field') rgb = flowColor(data[base], data[base + 1], fullBrightness);
        else if (channels === 1) rgb = [data[base], data[base], data[base]];
        else rgb = [data[base], data[base + 1], data[base + 2]];
        for (let sy = 0; sy < scale; sy++) {
          for (let sx = 0; sx < scale; sx++) setPixel(png, left + n * cellW + x * scale + sx, top + y * scale + sy, rgb);
        }
      }
    }
  }
}

function requireSameImageSize(op: string, rows: GridRow[]): [number, number] {
  if (rows.length === 0) throw new Error(`${op}: rows must not be empty`);
  const [, height, width] = rows[0].images.shape;
  for (const row of rows) {
    if (row.images.shape[1] !== height || row.images.shape[2] !== width) {
      throw new Error(`${op}: row '${row.label}' has images ${row.images.shape[1]}x${row.images.shape[2]}, expected ${height}x${width}`);
    }
  }
  return [height, width];
}

/**
 * Lays rows of images side by side into one PNG: inputs, templates, displacement fields (colored by direction and
 * magnitude), reconstructions, code swaps. Each row shows up to `columns` images; `scale` enlarges pixels.
 */
export function imageGrid(rows: GridRow[], options: { columns?: number; scale?: number } = {}): Buffer {
  const [height, width] = requireSameImageSize('imageGrid', rows);
  const columns = Math.min(options.columns ?? 8, ...rows.map((r) => r.images.shape[0]));
  const scale = options.scale ?? 3;
  const cellW = width * scale + GAP;
  const cellH = height * scale + GAP;
  const png = new PNG({ width: columns * cellW + GAP, height: rows.length * cellH + GAP });
  png.data.fill(255);
  rows.forEach((row, r) => paintRow(png, row, columns, scale, GAP, GAP + r * cellH));
  return PNG.sync.write(png);
}

/** Sizes (in pixels) of {@link labeledImageGrid}'s layout. */
export const LABELED_GRID_LAYOUT = {
  /** White border around everything. */
  margin: 8,
  fontSize: 12,
  /** Width reserved per character of text: a generous DejaVu Sans advance at `fontSize`, so text never overlaps images. */
  charWidth: 7,
  /** Between the label column and the images, and between the images and a field's key. */
  gap: 10,
  /** Between rows. */
  rowGap: 6,
  /** Diameter of a field key's colour wheel. */
  wheel: 42,
  /** Between the wheel and its text. */
  wheelGap: 6,
  /** Of a field key's text lines. */
  lineHeight: 14,
} as const;

/** The text beside a field row's colour wheel, for its first `shown` fields. */
function fieldKeyLines(field: FieldBatch, shown = field.shape[0]): string[] {
  return ['hue = direction', `brightest = ${+fieldFullBrightness(field, shown).toFixed(2)} px`, '→ +x, ↓ +y'];
}

/** A disc of `diameter` pixels, transparent outside, coloured like the fields: the rim is full brightness. */
function colourWheel(diameter: number): Buffer {
  const png = new PNG({ width: diameter, height: diameter });
  const radius = diameter / 2;
  for (let y = 0; y < diameter; y++) {
    for (let x = 0; x < diameter; x++) {
      // Image coordinates, +y down, as in the fields: the bottom of the wheel is the colour of downward motion.
      const dx = x + 0.5 - radius;
      const dy = y + 0.5 - radius;
      const inside = Math.hypot(dx, dy) <= radius;
      setPixel(png, x, y, inside ? flowColor(dx, dy, radius) : [1, 1, 1], inside ? 255 : 0);
    }
  }
  return PNG.sync.write(png);
}

export interface LabeledGrid {
  svg: string;
  png: Buffer;
  width: number;
  height: number;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const dataUri = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;

/**
 * Like {@link imageGrid}, with each row's label to its left and, beside every field row, a colour key: a wheel
 * (hue = direction, brightness = magnitude) and the displacement the brightest colour stands for. Built as an SVG
 * (each row's pixels an embedded PNG, labels as text) and rasterized 1:1 to PNG. Rows may hold different numbers of
 * images; each shows up to `columns` (default: the most any row has).
 */
export function labeledImageGrid(rows: GridRow[], options: { columns?: number; scale?: number } = {}): LabeledGrid {
  const [height, width] = requireSameImageSize('labeledImageGrid', rows);
  for (const row of rows) {
    if (row.images.shape[0] < 1) throw new Error(`labeledImageGrid: row '${row.label}' has no images`);
  }
  const columns = options.columns ?? Math.max(...rows.map((r) => r.images.shape[0]));
  const scale = options.scale ?? 3;
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`labeledImageGrid: columns must be a positive integer, but got ${columns}`);
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`labeledImageGrid: scale must be a positive integer, but got ${scale}`);
  const L = LABELED_GRID_LAYOUT;

  const keys = rows.map((row) => (row.kind === 'field' ? fieldKeyLines(row.images as FieldBatch, Math.min(columns, row.images.shape[0])) : undefined));
  const textWidth = (lines: string[]) => Math.max(...lines.map((line) => [...line].length)) * L.charWidth;
  const labelWidth = textWidth(rows.map((r) => r.label));
  const keyWidth = Math.max(0, ...keys.map((lines) => (lines === undefined ? 0 : L.gap + L.wheel + L.wheelGap + textWidth(lines))));
  const imagesWidth = columns * (width * scale + GAP) - GAP;
  const rowHeights = keys.map((lines) => Math.max(height * scale, lines === undefined ? L.fontSize : Math.max(L.wheel, lines.length * L.lineHeight)));
  const imagesLeft = L.margin + labelWidth + L.gap;
  const totalWidth = imagesLeft + imagesWidth + keyWidth + L.margin;
  const totalHeight = 2 * L.margin + rowHeights.reduce((a, b) => a + b, 0) + L.rowGap * (rows.length - 1);

  // Text is placed by its alphabetic baseline, about 0.35 em below the middle for mixed-case DejaVu Sans.
  const baseline = (middle: number) => +(middle + 0.35 * L.fontSize).toFixed(1);
  const wheel = keys.some((k) => k !== undefined) ? dataUri(colourWheel(L.wheel)) : '';
  const elements: string[] = [];
  let top = L.margin;
  rows.forEach((row, r) => {
    const rowHeight = rowHeights[r];
    const middle = top + rowHeight / 2;
    const shown = Math.min(columns, row.images.shape[0]);
    const strip = new PNG({ width: shown * (width * scale + GAP) - GAP, height: height * scale });
    strip.data.fill(255);
    paintRow(strip, row, shown, scale, 0, 0);
    const imagesTop = Math.round(middle - (height * scale) / 2);
    elements.push(
      `<text x="${imagesLeft - L.gap}" y="${baseline(middle)}" text-anchor="end">${escapeXml(row.label)}</text>`,
      `<image x="${imagesLeft}" y="${imagesTop}" width="${strip.width}" height="${strip.height}" image-rendering="optimizeSpeed" href="${dataUri(PNG.sync.write(strip))}"/>`,
    );
    const lines = keys[r];
    if (lines !== undefined) {
      const wheelLeft = imagesLeft + imagesWidth + L.gap;
      elements.push(`<image x="${wheelLeft}" y="${Math.round(middle - L.wheel / 2)}" width="${L.wheel}" height="${L.wheel}" image-rendering="optimizeSpeed" href="${wheel}"/>`);
      lines.forEach((line, i) => {
        const lineMiddle = middle + (i - (lines.length - 1) / 2) * L.lineHeight;
        elements.push(`<text x="${wheelLeft + L.wheel + L.wheelGap}" y="${baseline(lineMiddle)}">${escapeXml(line)}</text>`);
      });
    }
    top += rowHeight + L.rowGap;
  });

  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${totalWidth}" height="${totalHeight}" viewBox="0 0 ${totalWidth} ${totalHeight}" ` +
      `font-family="DejaVu Sans, sans-serif" font-size="${L.fontSize}" fill="#000">`,
    `<rect width="${totalWidth}" height="${totalHeight}" fill="#fff"/>`,
    ...elements,
    '</svg>',
  ].join('\n');
  const png = new Resvg(svg, { background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  return { svg, png, width: totalWidth, height: totalHeight };
}
