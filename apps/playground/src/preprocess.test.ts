import { centreOfMass, inkBounds, MNIST_SIDE, preprocessDrawing, resampleArea, type GreyImage } from './preprocess.js';

/** A blank pad with one filled rectangle of ink. */
function padWithRectangle(side: number, left: number, top: number, width: number, height: number): GreyImage {
  const data = new Float32Array(side * side);
  for (let y = top; y < top + height; y++) for (let x = left; x < left + width; x++) data[y * side + x] = 1;
  return { data, width: side, height: side };
}

describe('preprocessDrawing: a drawing made MNIST-like', () => {
  it('gives nothing for a blank pad', () => {
    expect(preprocessDrawing({ data: new Float32Array(280 * 280), width: 280, height: 280 })).toBeUndefined();
  });

  it("scales the digit's bounding box to 20 pixels on its longer side, keeping the aspect ratio", () => {
    // A tall stroke in a corner of the pad: 40 x 200 pixels becomes 4 x 20.
    const out = preprocessDrawing(padWithRectangle(280, 10, 50, 40, 200))!;
    expect(out).toHaveLength(MNIST_SIDE * MNIST_SIDE);
    const box = inkBounds({ data: out, width: MNIST_SIDE, height: MNIST_SIDE })!;
    expect(box.height).toBe(20);
    expect(box.width).toBe(4);
    expect(Math.max(...out)).toBeLessThanOrEqual(1);
    expect(Math.min(...out)).toBeGreaterThanOrEqual(0);
  });

  it('puts the centre of mass at the image centre, wherever the digit was drawn', () => {
    for (const [left, top] of [[0, 0], [150, 30], [60, 200]]) {
      const out = preprocessDrawing(padWithRectangle(280, left, top, 70, 80))!;
      const mass = centreOfMass(out, MNIST_SIDE, MNIST_SIDE)!;
      // Moved by whole pixels: within half a pixel of (13.5, 13.5).
      expect(Math.abs(mass.x - 13.5)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(mass.y - 13.5)).toBeLessThanOrEqual(0.5);
    }
  });

  it('keeps a lopsided digit whole, moving it only as far as the image allows', () => {
    // An L: a long bar and a heavy foot whose mass pulls the centre far from the box centre.
    const pad = padWithRectangle(100, 10, 10, 10, 80);
    for (let y = 70; y < 90; y++) for (let x = 10; x < 90; x++) pad.data[y * 100 + x] = 1;
    const out = preprocessDrawing(pad)!;
    const box = inkBounds({ data: out, width: MNIST_SIDE, height: MNIST_SIDE })!;
    expect(box.width).toBe(20);
    expect(box.height).toBe(20);
    expect(box.left).toBeGreaterThanOrEqual(0);
    expect(box.top + box.height).toBeLessThanOrEqual(MNIST_SIDE);
  });

  it('rejects data that does not match the stated size', () => {
    expect(() => preprocessDrawing({ data: new Float32Array(10), width: 4, height: 4 })).toThrow(
      'preprocessDrawing: data holds 10 values, but the image is 4 x 4',
    );
  });
});

describe('resampleArea', () => {
  it('averages the input area each output pixel covers, so thin strokes turn grey instead of vanishing', () => {
    // A one-pixel line in a 10 x 10 image, shrunk to 2 x 2: each output pixel covers 5 x 5 inputs, 5 of them inked.
    const image = padWithRectangle(10, 2, 0, 1, 10);
    expect(Array.from(resampleArea(image, { left: 0, top: 0, width: 10, height: 10 }, 2, 2))).toEqual([0.2, 0, 0.2, 0].map(Math.fround));
  });

  it('weights pixels partly covered by their overlap', () => {
    const image: GreyImage = { data: Float32Array.from([1, 0, 0]), width: 3, height: 1 };
    // Output pixels of 1.5 inputs each: the first covers all of pixel 0 and half of pixel 1.
    const out = resampleArea(image, { left: 0, top: 0, width: 3, height: 1 }, 2, 1);
    expect(out[0]).toBeCloseTo(1 / 1.5, 6);
    expect(out[1]).toBe(0);
  });
});
