import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { assertDtype, assertRank, requireInput } from './tensor_checks.js';
import type { DdarWarpBorder } from './fused_kernel_names.js';

const BORDERS: readonly DdarWarpBorder[] = ['zeros', 'clamp'];

// Module-level aliases: looking `Math` up on the global object for every pixel costs ~100 ns where the global is a
// vm context (as under jest), which made a [64,28,28] warp 50x slower there.
const { floor, fround } = Math;

/** The checked operands of DdarBilinearWarp and its gradient: image [N,H,W,C], displacement [N,H,W,2], border. */
export function warpOperands(
  name: string,
  inputs: Record<string, TensorInfo | undefined>,
  attrs: NamedAttrMap,
): { image: TensorInfo; displacement: TensorInfo; clamp: boolean } {
  const image = requireInput(name, inputs, 'image');
  const displacement = requireInput(name, inputs, 'displacement');
  assertRank(name, 'image', image, 4);
  assertRank(name, 'displacement', displacement, 4);
  assertDtype(name, 'image', image, ['float32']);
  assertDtype(name, 'displacement', displacement, ['float32']);
  const [n, h, w] = image.shape;
  const [dn, dh, dw, two] = displacement.shape;
  if (dn !== n || dh !== h || dw !== w || two !== 2) {
    throw new Error(
      `Error in ${name}: displacement must have shape [${n},${h},${w},2] (the batch, height and width of image), ` +
        `but got shape [${displacement.shape.join(',')}].`,
    );
  }
  const border = attrs.border as DdarWarpBorder;
  if (!BORDERS.includes(border)) {
    throw new Error(`Error in ${name}: attrs.border must be one of ${BORDERS.join(', ')}, but got '${String(border)}'.`);
  }
  return { image, displacement, clamp: border === 'clamp' };
}

/**
 * The four neighbours of one sample point and their bilinear weights, computed as @ddar/disentangle's composite
 * warp computes them, float32 rounding included, so that the fused kernels agree with it everywhere:
 * - the point is (x + dx, y + dy) rounded to float32; its corners are (floor, floor + 1) on each axis, so a point on a
 *   grid line takes the right-hand (one-sided) derivative;
 * - a NaN coordinate has its corners at 0 and 1 (in range, as the composite's `safeLower`); an infinite one has
 *   NaN fractions; either way the weights are NaN and the output pixel is NaN;
 * - corners are clamped into the image; with border `zeros` a corner that clamping moved reads 0 and receives no
 *   gradient (the composite's all-zero sentinel row), with `clamp` it reads (and receives) the clamped pixel.
 *
 * Corner k = 2b + a is row b (0: floor(y'), 1: floor(y') + 1) and column a (same for x'). One instance is reused
 * for every pixel (`locate` overwrites its fields), so the kernels allocate nothing per pixel.
 */
export class BilinearCorners {
  /** Pixel offsets (row * W + column) within the image of corners 00, 01, 10, 11; -1 reads zero. */
  i00 = 0;
  i01 = 0;
  i10 = 0;
  i11 = 0;
  /** Weights of the corners: rowWeight[b] * columnWeight[a], in float32. */
  w00 = 0;
  w01 = 0;
  w10 = 0;
  w11 = 0;
  /** Per-axis weights: 1 - fraction and fraction, in float32. */
  row0 = 0;
  row1 = 0;
  column0 = 0;
  column1 = 0;

  constructor(
    private readonly height: number,
    private readonly width: number,
    private readonly clamp: boolean,
  ) {}

  /** Sets the fields for output pixel (x, y) displaced by (dx, dy). */
  locate(x: number, y: number, dx: number, dy: number): void {
    const px = fround(x + dx);
    const py = fround(y + dy);
    const lowerX = floor(px);
    const lowerY = floor(py);
    const fractionX = fround(px - lowerX);
    const fractionY = fround(py - lowerY);
    this.column0 = fround(1 - fractionX);
    this.column1 = fractionX;
    this.row0 = fround(1 - fractionY);
    this.row1 = fractionY;
    this.w00 = fround(this.row0 * this.column0);
    this.w01 = fround(this.row0 * this.column1);
    this.w10 = fround(this.row1 * this.column0);
    this.w11 = fround(this.row1 * this.column1);

    const lastColumn = this.width - 1;
    const lastRow = this.height - 1;
    // Fast path: all four corners inside the image (false for NaN).
    if (lowerX >= 0 && lowerX < lastColumn && lowerY >= 0 && lowerY < lastRow) {
      const at = lowerY * this.width + lowerX;
      this.i00 = at;
      this.i01 = at + 1;
      this.i10 = at + this.width;
      this.i11 = at + this.width + 1;
      return;
    }

    // x !== x: NaN, without a global lookup.
    const safeX = lowerX !== lowerX ? 0 : lowerX;
    const safeY = lowerY !== lowerY ? 0 : lowerY;
    const upperX = fround(safeX + 1);
    const upperY = fround(safeY + 1);
    const column0 = clip(safeX, lastColumn);
    const column1 = clip(upperX, lastColumn);
    const row0 = clip(safeY, lastRow);
    const row1 = clip(upperY, lastRow);
    const w = this.width;
    if (this.clamp) {
      this.i00 = row0 * w + column0;
      this.i01 = row0 * w + column1;
      this.i10 = row1 * w + column0;
      this.i11 = row1 * w + column1;
    } else {
      // A corner that clamping moved reads 0.
      const inside00 = row0 === safeY && column0 === safeX;
      const inside01 = row0 === safeY && column1 === upperX;
      const inside10 = row1 === upperY && column0 === safeX;
      const inside11 = row1 === upperY && column1 === upperX;
      this.i00 = inside00 ? row0 * w + column0 : -1;
      this.i01 = inside01 ? row0 * w + column1 : -1;
      this.i10 = inside10 ? row1 * w + column0 : -1;
      this.i11 = inside11 ? row1 * w + column1 : -1;
    }
  }
}

/** `corner` clamped into [0, last] (as tf.clipByValue does, infinities included). */
function clip(corner: number, last: number): number {
  return corner < 0 ? 0 : corner > last ? last : corner;
}
