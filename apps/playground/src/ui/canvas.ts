import { flowColor, motionArrows, motionField } from '../field_view.js';

const scratch = new Map<string, HTMLCanvasElement>();

/** A canvas of the image's own size, reused, into which pixels are put before being scaled up. */
function scratchCanvas(width: number, height: number): HTMLCanvasElement {
  const key = `${width}x${height}`;
  let canvas = scratch.get(key);
  if (canvas === undefined) {
    canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    scratch.set(key, canvas);
  }
  return canvas;
}

function context(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d');
  if (ctx === null) throw new Error('this browser gives no 2D canvas context');
  return ctx;
}

/** Paints RGB(A) values in [0, 1] (`rgb(i)` for pixel i) onto `target`, scaled up with hard pixel edges. */
function paintPixels(target: HTMLCanvasElement, width: number, height: number, rgb: (i: number) => number[]): void {
  const small = scratchCanvas(width, height);
  const ctx = context(small);
  const image = ctx.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b, a = 1] = rgb(i);
    image.data[4 * i] = Math.round(255 * Math.min(1, Math.max(0, r)));
    image.data[4 * i + 1] = Math.round(255 * Math.min(1, Math.max(0, g)));
    image.data[4 * i + 2] = Math.round(255 * Math.min(1, Math.max(0, b)));
    image.data[4 * i + 3] = Math.round(255 * a);
  }
  ctx.putImageData(image, 0, 0);
  const out = context(target);
  out.clearRect(0, 0, target.width, target.height);
  out.imageSmoothingEnabled = false;
  out.drawImage(small, 0, 0, target.width, target.height);
}

/** A grey image (1 = white ink on black, as MNIST), 28 x 28 by default. */
export function drawGrey(target: HTMLCanvasElement, pixels: ArrayLike<number>, side = 28): void {
  paintPixels(target, side, side, (i) => [pixels[i], pixels[i], pixels[i]]);
}

/** A perturbation of budget `epsilon`: mid grey for none, black for -epsilon, white for +epsilon. */
export function drawPerturbation(target: HTMLCanvasElement, delta: ArrayLike<number>, epsilon: number, side = 28): void {
  const scale = epsilon > 0 ? 0.5 / epsilon : 0;
  paintPixels(target, side, side, (i) => {
    const v = 0.5 + scale * delta[i];
    return [v, v, v];
  });
}

/**
 * DDAR's warp as the motion of the template's ink: colour by direction and distance (full brightness at `fullBrightness`
 * pixels), arrows every 4 pixels from where the ink was to where it lands.
 */
export function drawWarp(target: HTMLCanvasElement, displacement: ArrayLike<number>, fullBrightness: number, side = 28): void {
  const { motion } = motionField(displacement, side, side);
  paintPixels(target, side, side, (i) => flowColor(motion[2 * i], motion[2 * i + 1], fullBrightness));
  const ctx = context(target);
  const unit = target.width / side;
  ctx.save();
  ctx.lineWidth = Math.max(1, unit / 3);
  ctx.strokeStyle = 'rgba(255, 255, 255, 0.9)';
  ctx.fillStyle = 'rgba(255, 255, 255, 0.9)';
  for (const arrow of motionArrows(displacement, side, side, 4)) {
    const [x0, y0, x1, y1] = [arrow.fromX, arrow.fromY, arrow.toX, arrow.toY].map((v) => (v + 0.5) * unit);
    const length = Math.hypot(x1 - x0, y1 - y0);
    if (length < 0.75 * unit) {
      // Under a pixel of motion an arrow would be a speck: a dot says "stays put".
      ctx.beginPath();
      ctx.arc(x1, y1, ctx.lineWidth * 0.8, 0, 2 * Math.PI);
      ctx.fill();
      continue;
    }
    const head = Math.min(length / 2, 1.6 * unit);
    const angle = Math.atan2(y1 - y0, x1 - x0);
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
    ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(x1, y1);
    ctx.lineTo(x1 - head * Math.cos(angle - 0.45), y1 - head * Math.sin(angle - 0.45));
    ctx.lineTo(x1 - head * Math.cos(angle + 0.45), y1 - head * Math.sin(angle + 0.45));
    ctx.closePath();
    ctx.fill();
  }
  ctx.restore();
}

/** The colour key of the warp view: a wheel whose rim is full brightness, +x to the right and +y down as on screen. */
export function drawWarpKey(target: HTMLCanvasElement): void {
  const side = target.width;
  const radius = side / 2;
  paintPixels(target, side, side, (i) => {
    const dx = (i % side) + 0.5 - radius;
    const dy = Math.floor(i / side) + 0.5 - radius;
    return Math.hypot(dx, dy) > radius ? [0, 0, 0, 0] : flowColor(dx, dy, radius);
  });
}
