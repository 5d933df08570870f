import * as tf from '@tensorflow/tfjs-core';
import { DDARModel, swapCodes, type ClassifierModel } from '@ddar/disentangle';
import { imageGrid, type GridRow } from './grids.js';

function rowOf(label: string, kind: GridRow['kind'], tensor: tf.Tensor4D): GridRow {
  const shape = tensor.shape as [number, number, number, number];
  return { label, kind, images: { data: tensor.dataSync() as Float32Array, shape } } as GridRow;
}

/**
 * For a DDAR model: inputs, templates (appearance code), displacement fields (geometric code, colored by direction and
 * magnitude), reconstructions, and code swaps (appearance of image i with the geometry of image i+1). Other models have
 * no codes to show and get no grid.
 */
export function reconstructionGrid(model: ClassifierModel, images: tf.Tensor4D): { png: Buffer; rows: string[] } | undefined {
  if (!(model instanceof DDARModel)) return undefined;
  const tensors = tf.tidy(() => {
    const decoded = model.reconstruct(images);
    const shifted = tf.concat([tf.slice(images, 1), tf.slice(images, 0, 1)]) as tf.Tensor4D;
    const swapped = swapCodes(model, images, shifted);
    return { templates: decoded.template, displacements: decoded.displacement, reconstructions: decoded.reconstruction, shifted, swapped: swapped.reconstruction };
  });
  const rows = [
    rowOf('inputs', 'image', images),
    rowOf('templates', 'image', tensors.templates),
    rowOf('displacements', 'field', tensors.displacements),
    rowOf('reconstructions', 'image', tensors.reconstructions),
    rowOf('geometry donors', 'image', tensors.shifted),
    rowOf('swapped: appearance of input, geometry of donor', 'image', tensors.swapped),
  ];
  tf.dispose(tensors);
  return { png: imageGrid(rows, { columns: images.shape[0] }), rows: rows.map((r) => r.label) };
}
