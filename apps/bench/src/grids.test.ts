import { PNG } from 'pngjs';
import { imageGrid, LABELED_GRID_LAYOUT, labeledImageGrid, type GridRow } from './grids.js';

describe('imageGrid', () => {
  it('places each row and column at its cell, scaled, with grayscale and flow colors', () => {
    // Two 2x2 grayscale images: the first all black except a white top-left pixel.
    const images = new Float32Array([1, 0, 0, 0, 0.5, 0.5, 0.5, 0.5]);
    // A field pointing right (+x) everywhere in both images: hue 0 = red, full magnitude.
    const field = new Float32Array(16).map((_, i) => (i % 2 === 0 ? 1 : 0));
    const buffer = imageGrid(
      [
        { label: 'inputs', kind: 'image', images: { data: images, shape: [2, 2, 2, 1] } },
        { label: 'field', kind: 'field', images: { data: field, shape: [2, 2, 2, 2] } },
      ],
      { scale: 2 },
    );
    const png = PNG.sync.read(buffer);
    // 2 columns of (2*2 + 2 gap) + 2 gap = 14 wide; 2 rows likewise.
    expect([png.width, png.height]).toEqual([14, 14]);
    const pixel = (x: number, y: number) => Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4));
    expect(pixel(2, 2)).toEqual([255, 255, 255, 255]); // white top-left pixel of image 0
    expect(pixel(3, 3)).toEqual([255, 255, 255, 255]); // same pixel, scaled x2
    expect(pixel(4, 2)).toEqual([0, 0, 0, 255]); // its black neighbour
    expect(pixel(8, 2)).toEqual([128, 128, 128, 255]); // image 1, gray
    expect(pixel(2, 8)).toEqual([255, 0, 0, 255]); // field row: rightward = red, one pixel = full brightness
    expect(pixel(0, 0)).toEqual([255, 255, 255, 255]); // gap stays white
  });

  it('shows sub-pixel motion dark rather than saturated', () => {
    const field = new Float32Array(8).map((_, i) => (i % 2 === 0 ? 0.1 : 0));
    const png = PNG.sync.read(imageGrid([{ label: 'field', kind: 'field', images: { data: field, shape: [1, 2, 2, 2] } }], { scale: 1 }));
    const o = (2 * png.width + 2) * 4;
    expect(Array.from(png.data.subarray(o, o + 4))).toEqual([26, 0, 0, 255]); // 0.1 px rightward: 10% brightness
  });

  it('rejects rows of different image sizes and empty input', () => {
    expect(() => imageGrid([])).toThrow('imageGrid: rows must not be empty');
    expect(() =>
      imageGrid([
        { label: 'a', kind: 'image', images: { data: new Float32Array(4), shape: [1, 2, 2, 1] } },
        { label: 'b', kind: 'image', images: { data: new Float32Array(9), shape: [1, 3, 3, 1] } },
      ]),
    ).toThrow("imageGrid: row 'b' has images 3x3, expected 2x2");
  });
});

describe('labeledImageGrid', () => {
  // Two 4x4 grayscale images, white, and a field of two 4x4 images moving 1.5 px to the right (+x) everywhere.
  const images: GridRow = { label: 'inputs', kind: 'image', images: { data: new Float32Array(32).fill(1), shape: [2, 4, 4, 1] } };
  const field: GridRow = { label: 'field', kind: 'field', images: { data: new Float32Array(64).map((_, i) => (i % 2 === 0 ? 1.5 : 0)), shape: [2, 4, 4, 2] } };
  const grid = labeledImageGrid([images, field], { scale: 10 });
  const png = PNG.sync.read(grid.png);
  const pixel = (x: number, y: number) => Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3));
  const L = LABELED_GRID_LAYOUT;
  const labelWidth = 'inputs'.length * L.charWidth;
  const imagesLeft = L.margin + labelWidth + L.gap;
  const imagesWidth = 2 * (4 * 10 + 2) - 2;
  const keyTextWidth = 'brightest = 1.5 px'.length * L.charWidth;
  const fieldRowHeight = Math.max(40, L.wheel, 3 * L.lineHeight);

  it('is as wide as labels, images and the field key, and as tall as its rows, in SVG and PNG alike', () => {
    const width = imagesLeft + imagesWidth + L.gap + L.wheel + L.wheelGap + keyTextWidth + L.margin;
    const height = 2 * L.margin + 40 + L.rowGap + fieldRowHeight;
    expect([grid.width, grid.height]).toEqual([width, height]);
    expect([png.width, png.height]).toEqual([width, height]);
    expect(grid.svg).toContain(`width="${width}" height="${height}"`);
  });

  it('labels every row to its left, as text in the SVG and as dark pixels in the PNG', () => {
    expect(grid.svg).toMatch(/<text[^>]*text-anchor="end"[^>]*>inputs<\/text>/);
    expect(grid.svg).toMatch(/<text[^>]*text-anchor="end"[^>]*>field<\/text>/);
    let dark = 0;
    for (let y = L.margin; y < L.margin + 40; y++) for (let x = L.margin; x < imagesLeft; x++) if (pixel(x, y)[0] < 128) dark++;
    expect(dark).toBeGreaterThan(20);
  });

  it('keeps the pixels of each row and colours the field like imageGrid', () => {
    expect(pixel(imagesLeft, L.margin)).toEqual([255, 255, 255]);
    const fieldTop = L.margin + 40 + L.rowGap + Math.round((fieldRowHeight - 40) / 2);
    expect(pixel(imagesLeft + 5, fieldTop + 5)).toEqual([255, 0, 0]); // rightward at the brightest magnitude: full red
    expect(pixel(imagesLeft + 41, fieldTop + 5)).toEqual([255, 255, 255]); // the gap between the two fields
  });

  it('keys each field row: a colour wheel (hue = direction, +y down) and the magnitude of the brightest colour', () => {
    expect(grid.svg).toContain('>hue = direction</text>');
    expect(grid.svg).toContain('>brightest = 1.5 px</text>');
    expect(grid.svg).toContain('>→ +x, ↓ +y</text>');
    const wheelLeft = imagesLeft + imagesWidth + L.gap;
    const wheelTop = L.margin + 40 + L.rowGap + Math.round((fieldRowHeight - L.wheel) / 2);
    const r = L.wheel / 2;
    const [red, green, blue] = pixel(wheelLeft + L.wheel - 2, wheelTop + r); // right rim: +x, red
    expect(red).toBeGreaterThan(200);
    expect(Math.max(green, blue)).toBeLessThan(60);
    const [bRed, bGreen, bBlue] = pixel(wheelLeft + r, wheelTop + L.wheel - 2); // bottom rim: +y, between yellow and green
    expect(bGreen).toBeGreaterThan(200);
    expect(bRed).toBeGreaterThan(80);
    expect(bRed).toBeLessThan(180);
    expect(bBlue).toBeLessThan(60);
    expect(pixel(wheelLeft + r, wheelTop + r).every((v) => v < 40)).toBe(true); // centre: no motion, black
    expect(pixel(wheelLeft, wheelTop)).toEqual([255, 255, 255]); // outside the disc: background
  });

  it('has no key without a field row, shows rows of fewer images, and names what is wrong with its input', () => {
    const short: GridRow = { label: 'one', kind: 'image', images: { data: new Float32Array(16), shape: [1, 4, 4, 1] } };
    const plain = labeledImageGrid([images, short], { scale: 10 });
    expect(plain.svg).not.toContain('brightest');
    expect(plain.width).toBe(L.margin + 'inputs'.length * L.charWidth + L.gap + imagesWidth + L.margin);
    expect(() => labeledImageGrid([])).toThrow('labeledImageGrid: rows must not be empty');
    const empty: GridRow = { label: 'none', kind: 'image', images: { data: new Float32Array(0), shape: [0, 4, 4, 1] } };
    expect(() => labeledImageGrid([images, empty])).toThrow("labeledImageGrid: row 'none' has no images");
    expect(() => labeledImageGrid([images], { scale: 0 })).toThrow('labeledImageGrid: scale must be a positive integer, but got 0');
  });

  it('escapes labels for XML', () => {
    const grid = labeledImageGrid([{ ...images, label: 'a < b & c' }], { scale: 1 });
    expect(grid.svg).toContain('>a &lt; b &amp; c</text>');
  });
});
