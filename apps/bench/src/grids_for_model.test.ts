import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { initBackend } from '@ddar/backend';
import { BaselineModel, DDARModel } from '@ddar/disentangle';
import { LABELED_GRID_LAYOUT } from './grids.js';
import { classTemplateGrid, reconstructionGrid } from './grids_for_model.js';

describe('grids of a DDAR model', () => {
  let model: DDARModel;
  let images: tf.Tensor4D;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', log: false });
    model = DDARModel.create({ inputShape: [28, 28, 1], numClasses: 4, seed: 1, backboneOptions: { width: 0.25 } });
    images = tf.randomUniform([7, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  });
  afterAll(() => {
    model.dispose();
    images.dispose();
  });

  it('labels the reconstruction grid row by row and keys its displacement fields', () => {
    const three = tf.slice(images, 0, 3);
    const grid = reconstructionGrid(model, three)!;
    three.dispose();
    expect(grid.rows).toEqual(['inputs', 'templates', 'displacement fields', 'reconstructions', 'geometry donors', 'swaps: appearance of input, geometry of donor']);
    for (const label of grid.rows) expect(grid.svg).toContain(`>${label}</text>`);
    expect(grid.svg).toMatch(/>brightest = [0-9.]+ px<\/text>/);
    const png = PNG.sync.read(grid.png);
    expect([png.width, png.height]).toEqual([grid.width, grid.height]);
    const imagesWidth = 3 * (28 * 3 + 2) - 2;
    expect(png.width).toBeGreaterThan(imagesWidth + 'swaps: appearance of input, geometry of donor'.length * LABELED_GRID_LAYOUT.charWidth);
    expect(png.height).toBeGreaterThanOrEqual(6 * 28 * 3);
  });

  it('shows, per class present, up to perClass inputs and their templates', () => {
    const labels = tf.tensor1d([0, 1, 1, 2, 0, 2, 1], 'int32');
    const grid = classTemplateGrid(model, images, labels, { numClasses: 4, perClass: 2 })!;
    labels.dispose();
    // Class 3 has no image: no rows. Class 1 has three: two shown.
    expect(grid.rows).toEqual(['0: inputs', '0: templates', '1: inputs', '1: templates', '2: inputs', '2: templates']);
    const L = LABELED_GRID_LAYOUT;
    const png = PNG.sync.read(grid.png);
    expect(png.width).toBe(2 * L.margin + '0: templates'.length * L.charWidth + L.gap + 2 * (28 * 3 + 2) - 2);
    expect(png.height).toBe(2 * L.margin + 6 * 28 * 3 + 5 * L.rowGap);
  });

  it('has no grid for a model without codes, and names a wrong argument', () => {
    const baseline = BaselineModel.create({ inputShape: [28, 28, 1], numClasses: 4, seed: 1, backboneOptions: { width: 0.25 } });
    const labels = tf.zeros([7], 'int32') as tf.Tensor1D;
    const tooFew = tf.zeros([3], 'int32') as tf.Tensor1D;
    try {
      expect(reconstructionGrid(baseline, images)).toBeUndefined();
      expect(classTemplateGrid(baseline, images, labels, { numClasses: 4, perClass: 2 })).toBeUndefined();
      expect(() => classTemplateGrid(model, images, labels, { numClasses: 4, perClass: 0 })).toThrow('classTemplateGrid: perClass must be a positive integer, but got 0');
      expect(() => classTemplateGrid(model, images, tooFew, { numClasses: 4, perClass: 2 })).toThrow(
        'classTemplateGrid: labels must hold one label per image (7), but got 3',
      );
    } finally {
      baseline.dispose();
      tf.dispose([labels, tooFew]);
    }
  });
});
