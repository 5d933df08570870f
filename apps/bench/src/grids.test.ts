import { PNG } from 'pngjs';
import { imageGrid } from './grids.js';

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
