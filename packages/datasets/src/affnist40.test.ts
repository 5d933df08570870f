import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { chain, rotation, scaling, shearing, translation } from './affine_matrix.js';
import { affnist40, affnist40Parameters } from './affnist40.js';
import { createDataset, type Dataset } from './dataset.js';
import { affineTransform, resize } from './geometric_transforms.js';
import { loadMnist } from './mnist.js';

const IDENTITY_RANGES = { rotation: 0, shear: 0, scale: [1, 1] as [number, number] };

function inkPerImage(images: tf.Tensor4D): Float32Array {
  return tf.tidy(() => tf.sum(images, [1, 2, 3]).dataSync() as Float32Array);
}

describe('affnist40', () => {
  let mnist: Dataset;
  let before: number;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
    mnist = await loadMnist({ split: 'test', limit: 64 });
  });
  afterAll(() => mnist.dispose());
  beforeEach(() => {
    before = tf.memory().numTensors;
  });
  afterEach(() => expect(tf.memory().numTensors).toBe(before));

  it('returns 40x40 images, or the whole canvas resized to outputSize, named like the other sets', () => {
    const full = affnist40(mnist, { seed: 1 });
    const small = affnist40(mnist, { seed: 1, outputSize: 28 });
    expect(full.images.shape).toEqual([64, 40, 40, 1]);
    expect(small.images.shape).toEqual([64, 28, 28, 1]);
    expect([full.name, small.name]).toEqual(['mnist/test+affnist40(seed=1)', 'mnist/test+affnist40(seed=1)+resize28']);
    for (const d of [full, small]) {
      expect(Array.from(d.labels.dataSync())).toEqual(Array.from(mnist.labels.dataSync()));
      expect(d.classNames).toEqual(mnist.classNames);
    }
    const resized = resize(full.images, 28, 28);
    expect(Array.from(small.images.dataSync())).toEqual(Array.from(resized.dataSync()));
    tf.dispose([resized]);
    [full, small].forEach((d) => d.dispose());
    expect(mnist.images.isDisposed).toBe(false);
  });

  it('crops nothing: a larger canvas shows no ink outside the 40x40 one, and the ink scales with the determinant', () => {
    const set = affnist40(mnist, { seed: 2 });
    const draws = affnist40Parameters(mnist.images, { seed: 2 });
    // The same maps onto a 60x60 canvas with the 40x40 one at its centre.
    const wide = affineTransform(mnist.images, draws.map((d) => chain(d.matrix, translation(10, 10))), { outputSize: [60, 60] });
    const inside = tf.tidy(() => tf.slice(wide, [0, 10, 10, 0], [-1, 40, 40, -1]));
    const ink40 = inkPerImage(set.images);
    const inkWide = inkPerImage(wide);
    const inkInside = inkPerImage(inside);
    const source = inkPerImage(mnist.images);
    draws.forEach(({ matrix: [a, b, , d, e] }, n) => {
      expect(inkWide[n] - inkInside[n]).toBeLessThan(1e-4);
      expect(ink40[n]).toBeCloseTo(inkWide[n], 3);
      expect(Math.abs(ink40[n] / (source[n] * (a * e - b * d)) - 1)).toBeLessThan(0.05);
    });
    tf.dispose([wide, inside]);
    set.dispose();
  });

  it('draws parameters within affNIST ranges and shifts that keep each ink box inside the canvas', () => {
    const draws = affnist40Parameters(mnist.images, { seed: 3 });
    const pixels = mnist.images.arraySync();
    expect(draws).toHaveLength(64);
    draws.forEach((p, n) => {
      expect(Math.abs(p.degrees)).toBeLessThanOrEqual(20);
      expect(Math.abs(p.shear)).toBeLessThanOrEqual(0.2);
      for (const s of [p.scaleX, p.scaleY]) {
        expect(s).toBeGreaterThanOrEqual(0.8);
        expect(s).toBeLessThanOrEqual(1.2);
      }
      expect(p.dx).toBeGreaterThanOrEqual(p.dxRange[0]);
      expect(p.dx).toBeLessThanOrEqual(p.dxRange[1]);
      expect(p.dy).toBeGreaterThanOrEqual(p.dyRange[0]);
      expect(p.dy).toBeLessThanOrEqual(p.dyRange[1]);
      const expected = chain(translation(6, 6), scaling(p.scaleX, p.scaleY, 19.5, 19.5), shearing(p.shear, 19.5, 19.5),
        rotation(p.degrees, 19.5, 19.5), translation(p.dx, p.dy));
      p.matrix.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 10));
      // Every inked pixel's one-pixel neighbourhood, moved by the matrix, stays between the pixel centres at -1 and 40.
      const [a, b, c, d, e, f] = p.matrix;
      const xs: number[] = [];
      const ys: number[] = [];
      pixels[n].forEach((row, y) => row.forEach(([v], x) => {
        if (v === 0) return;
        for (const [u, w] of [[x - 1, y - 1], [x + 1, y - 1], [x - 1, y + 1], [x + 1, y + 1]]) {
          xs.push(a * u + b * w + c);
          ys.push(d * u + e * w + f);
        }
      }));
      expect(Math.min(...xs, ...ys)).toBeGreaterThanOrEqual(-1 - 1e-9);
      expect(Math.max(...xs, ...ys)).toBeLessThanOrEqual(40 + 1e-9);
    });
    // The draws use the ranges, not a corner of them.
    expect(Math.max(...draws.map((p) => Math.abs(p.degrees)))).toBeGreaterThan(15);
    expect(Math.max(...draws.map((p) => Math.abs(p.dx)))).toBeGreaterThan(6);
  });

  it('at either end of the shift range the ink reaches the border row and column and none is lost', () => {
    const first = tf.tidy(() => tf.slice(mnist.images, [0, 0, 0, 0], [1, -1, -1, -1]));
    const [{ dxRange, dyRange }] = affnist40Parameters(first, IDENTITY_RANGES);
    const source = inkPerImage(first)[0];
    for (const [dx, dy, edge] of [[dxRange[0], dyRange[0], 0], [dxRange[1], dyRange[1], 39]]) {
      // Identity ranges leave whole-pixel shift ranges, so this warp is an exact shift.
      expect(Number.isInteger(dx) && Number.isInteger(dy)).toBe(true);
      const moved = affineTransform(first, translation(6 + dx, 6 + dy), { outputSize: [40, 40] });
      const row = tf.tidy(() => tf.sum(tf.slice(moved, [0, edge, 0, 0], [1, 1, -1, -1])).dataSync()[0]);
      const column = tf.tidy(() => tf.sum(tf.slice(moved, [0, 0, edge, 0], [1, -1, 1, -1])).dataSync()[0]);
      expect(row).toBeGreaterThan(0);
      expect(column).toBeGreaterThan(0);
      expect(inkPerImage(moved)[0]).toBeCloseTo(source, 4);
      moved.dispose();
    }
    first.dispose();
  });

  it('is reproducible per seed', () => {
    const a = affnist40(mnist, { seed: 5 });
    const b = affnist40(mnist, { seed: 5 });
    const c = affnist40(mnist, { seed: 6 });
    expect(Array.from(a.images.dataSync())).toEqual(Array.from(b.images.dataSync()));
    expect(Array.from(a.images.dataSync())).not.toEqual(Array.from(c.images.dataSync()));
    expect(affnist40Parameters(mnist.images, { seed: 5 })).toEqual(affnist40Parameters(mnist.images, { seed: 5 }));
    [a, b, c].forEach((d) => d.dispose());
  });

  it('with identity ranges and no shift reproduces the centred 40x40 image exactly', () => {
    const centred = affnist40(mnist, { ...IDENTITY_RANGES, translate: false });
    const padded = tf.pad(mnist.images, [[0, 0], [6, 6], [6, 6], [0, 0]]);
    expect(Array.from(centred.images.dataSync())).toEqual(Array.from(padded.dataSync()));
    padded.dispose();
    centred.dispose();
  });

  it('redraws a transform no shift can fit, and says so when none fits', () => {
    // A solid 20x20 square: with its one-pixel bilinear margin its ink spans 21 px between pixel centres, and a 30 px
    // canvas holds 31 (from the centre at -1 to the one at 30), so unrotated and unsheared it fits up to scale 31/21.
    const images = tf.tidy(() => tf.pad(tf.ones([1, 20, 20, 1]), [[0, 0], [4, 4], [4, 4], [0, 0]]) as tf.Tensor4D);
    const square = createDataset('square', images, tf.tensor1d([0], 'int32'), ['a']);
    expect(() => affnist40(square, { ...IDENTITY_RANGES, scale: [1.5, 1.5], canvas: 30 })).toThrow(
      "affnist40: image 0's ink (a 20x20 pixel box) fitted the 30x30 canvas in none of 100 draws; use a larger canvas or a smaller scale range",
    );
    // Of scales drawn in [1.4, 1.6], only the few that fit are kept.
    for (const seed of [1, 2, 3, 4]) {
      const [draw] = affnist40Parameters(square.images, { ...IDENTITY_RANGES, scale: [1.4, 1.6], canvas: 30, seed });
      expect(Math.max(draw.scaleX, draw.scaleY)).toBeLessThanOrEqual(31 / 21);
    }
    square.dispose();
  });

  it('validates its arguments, naming the one at fault', () => {
    expect(() => affnist40(mnist, { canvas: 20 })).toThrow('affnist40: canvas must be an integer >= the image size 28x28, but got 20');
    expect(() => affnist40(mnist, { canvas: 40.5 })).toThrow('affnist40: canvas must be an integer');
    expect(() => affnist40(mnist, { outputSize: 0 })).toThrow('affnist40: outputSize must be a positive integer, but got 0');
    expect(() => affnist40(mnist, { rotation: -1 })).toThrow('affnist40: rotation is a maximum magnitude and must be a finite number >= 0, but got -1');
    expect(() => affnist40(mnist, { shear: NaN })).toThrow('affnist40: shear is a maximum magnitude');
    expect(() => affnist40(mnist, { scale: [1.2, 0.8] })).toThrow('affnist40: scale must be [lo, hi] with 0 < lo <= hi, but got [1.2,0.8]');
    expect(() => affnist40(mnist, { translate: 1 as unknown as boolean })).toThrow('affnist40: translate must be a boolean, but got 1');
    expect(() => affnist40(mnist, { seed: 1.5 })).toThrow('affnist40: seed must be an integer, but got 1.5');
    const flat = tf.zeros([28, 28]);
    expect(() => affnist40Parameters(flat as tf.Tensor4D)).toThrow('affnist40Parameters: images must be a rank-4 tensor [N,H,W,C], but got rank 2');
    flat.dispose();
    const gone = createDataset('gone', tf.zeros([1, 28, 28, 1]) as tf.Tensor4D, tf.tensor1d([0], 'int32'), ['a']);
    gone.dispose();
    expect(() => affnist40(gone)).toThrow('affnist40: dataset gone has been disposed');
  });
});
