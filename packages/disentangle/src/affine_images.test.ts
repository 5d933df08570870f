import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { transformImages } from './affine_images.js';
import { maxAbsDifference } from './test-utils/fixtures.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
});

// 4 x 4, one channel, every value different, so any wrong pixel shows:
//  1  2  3  4
//  5  6  7  8
//  9 10 11 12
// 13 14 15 16
const GRID = Array.from({ length: 16 }, (_, i) => i + 1);

function image(values: number[], h: number, w: number): tf.Tensor4D {
  return tf.tensor4d(values, [1, h, w, 1]);
}

describe('transformImages', () => {
  it('returns the image exactly under the identity, given explicitly or by defaults', () => {
    const x = tf.randomUniform([2, 5, 7, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const explicit = transformImages(x, [{ rotationDegrees: 0, shiftX: 0, shiftY: 0, scale: 1 }, {}]);
    expect(maxAbsDifference(explicit, x)).toBe(0);
    tf.dispose([x, explicit]);
  });

  it('turns the content counter-clockwise as seen on screen for +90 degrees', () => {
    const x = image(GRID, 4, 4);
    // The top row becomes the left column, read bottom to top (numpy's rot90).
    const expected = image([4, 8, 12, 16, 3, 7, 11, 15, 2, 6, 10, 14, 1, 5, 9, 13], 4, 4);
    const turned = transformImages(x, [{ rotationDegrees: 90 }]);
    expect(maxAbsDifference(turned, expected)).toBeLessThan(1e-5);
    const back = transformImages(x, [{ rotationDegrees: -90 }]);
    const clockwise = image([13, 9, 5, 1, 14, 10, 6, 2, 15, 11, 7, 3, 16, 12, 8, 4], 4, 4);
    expect(maxAbsDifference(back, clockwise)).toBeLessThan(1e-5);
    tf.dispose([x, expected, turned, back, clockwise]);
  });

  it('shifts by whole pixels right and down with zero fill', () => {
    const x = image(GRID, 4, 4);
    const shifted = transformImages(x, [{ shiftX: 1, shiftY: 2 }]);
    const expected = image([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 5, 6, 7], 4, 4);
    expect(maxAbsDifference(shifted, expected)).toBe(0);
    const left = transformImages(x, [{ shiftX: -2 }]);
    expect(maxAbsDifference(left, image([3, 4, 0, 0, 7, 8, 0, 0, 11, 12, 0, 0, 15, 16, 0, 0], 4, 4))).toBe(0);
    tf.dispose([x, shifted, expected, left]);
  });

  it('scales about the centre: a factor of 2 on a 3 x 3 image keeps the centre and spreads its neighbours', () => {
    const x = image([0, 0, 0, 0, 1, 2, 0, 0, 0], 3, 3);
    // Output (x, y) reads input (1 + (x - 1) / 2, 1 + (y - 1) / 2): the right column reads halfway to the 2.
    const scaled = transformImages(x, [{ scale: 2 }]);
    const expected = image([0.25, 0.5, 0.75, 0.5, 1, 1.5, 0.25, 0.5, 0.75], 3, 3);
    expect(maxAbsDifference(scaled, expected)).toBeLessThan(1e-6);
    tf.dispose([x, scaled, expected]);
  });

  it('applies one transform per image', () => {
    const single = image(GRID, 4, 4);
    const x = tf.concat([single, single]) as tf.Tensor4D;
    const out = transformImages(x, [{}, { shiftX: 1 }]);
    const [first, second] = tf.split(out, 2);
    expect(maxAbsDifference(first, single)).toBe(0);
    expect(Array.from(second.dataSync().slice(0, 4))).toEqual([0, 1, 2, 3]);
    tf.dispose([single, x, out, first, second]);
  });

  it('leaks no tensors', () => {
    const x = image(GRID, 4, 4);
    const before = tf.memory().numTensors;
    const out = transformImages(x, [{ rotationDegrees: 30, scale: 0.9, shiftX: 0.5 }]);
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([x, out]);
  });

  it('rejects bad inputs with the argument and what it got', () => {
    const x = image(GRID, 4, 4);
    expect(() => transformImages(x, [])).toThrow('Error in transformImages: transforms must be an array of 1 transforms (one per image), but got 0 transforms');
    expect(() => transformImages(x, [{ scale: 0 }])).toThrow('Error in transformImages: transforms[0].scale must be positive, but got 0');
    expect(() => transformImages(x, [{ rotationDegrees: NaN }])).toThrow(
      'Error in transformImages: transforms[0].rotationDegrees must be a finite number, but got NaN',
    );
    const flat = tf.zeros([4, 4]);
    expect(() => transformImages(flat as unknown as tf.Tensor4D, [])).toThrow('Error in transformImages: images must be rank 4 [N, H, W, C], but got rank 2 (shape [4,4])');
    tf.dispose([x, flat]);
  });
});
