import type { GreyImage } from '../preprocess.js';

/**
 * A canvas to draw a digit on with a mouse, a pen or a finger (pointer events; `touch-action: none` in the CSS keeps a
 * finger from scrolling the page instead). White ink on black, as MNIST.
 */
export class DrawingPad {
  private drawing = false;
  private last: { x: number; y: number } | undefined;
  /** Whether the pad shows a picked test digit rather than the user's strokes: the next stroke starts afresh. */
  private showingDigit = false;
  private readonly ctx: CanvasRenderingContext2D;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onChange: (final: boolean) => void,
  ) {
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (ctx === null) throw new Error('this browser gives no 2D canvas context');
    this.ctx = ctx;
    this.clear();
    canvas.addEventListener('pointerdown', (event) => this.start(event));
    canvas.addEventListener('pointermove', (event) => this.move(event));
    for (const name of ['pointerup', 'pointercancel'] as const) canvas.addEventListener(name, () => this.end());
  }

  clear(): void {
    this.ctx.fillStyle = '#000';
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.showingDigit = false;
  }

  /** Shows a 28 x 28 digit, enlarged and smoothed, as a starting point; drawing on it starts a new drawing. */
  showDigit(pixels: ArrayLike<number>): void {
    const small = document.createElement('canvas');
    small.width = 28;
    small.height = 28;
    const ctx = small.getContext('2d')!;
    const image = ctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = Math.round(255 * pixels[i]);
      image.data.set([v, v, v, 255], 4 * i);
    }
    ctx.putImageData(image, 0, 0);
    this.ctx.imageSmoothingEnabled = true;
    this.ctx.drawImage(small, 0, 0, this.canvas.width, this.canvas.height);
    this.showingDigit = true;
  }

  /** The pad's ink, 1 = white. */
  ink(): GreyImage {
    const { width, height } = this.canvas;
    const rgba = this.ctx.getImageData(0, 0, width, height).data;
    const data = new Float32Array(width * height);
    for (let i = 0; i < data.length; i++) data[i] = rgba[4 * i] / 255;
    return { data, width, height };
  }

  private point(event: PointerEvent): { x: number; y: number } {
    const box = this.canvas.getBoundingClientRect();
    return { x: ((event.clientX - box.left) / box.width) * this.canvas.width, y: ((event.clientY - box.top) / box.height) * this.canvas.height };
  }

  private start(event: PointerEvent): void {
    event.preventDefault();
    if (this.showingDigit) this.clear();
    this.canvas.setPointerCapture(event.pointerId);
    this.drawing = true;
    this.last = this.point(event);
    this.stroke(this.last, this.last);
  }

  private move(event: PointerEvent): void {
    if (!this.drawing || this.last === undefined) return;
    const next = this.point(event);
    this.stroke(this.last, next);
    this.last = next;
  }

  private end(): void {
    if (!this.drawing) return;
    this.drawing = false;
    this.last = undefined;
    this.onChange(true);
  }

  private stroke(from: { x: number; y: number }, to: { x: number; y: number }): void {
    const ctx = this.ctx;
    // About MNIST's stroke once the digit's box is scaled to 20 pixels: 2 pixels of a 28-pixel image.
    ctx.lineWidth = this.canvas.width / 13;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#fff';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
    this.onChange(false);
  }
}
