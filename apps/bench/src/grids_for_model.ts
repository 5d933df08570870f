import * as tf from '@tensorflow/tfjs-core';
import { DDARModel, swapCodes, type ClassifierModel } from '@ddar/disentangle';
import { labeledImageGrid, type GridRow, type LabeledGrid } from './grids.js';

function rowOf(label: string, kind: GridRow['kind'], tensor: tf.Tensor4D): GridRow {
  const shape = tensor.shape as [number, number, number, number];
  return { label, kind, images: { data: tensor.dataSync() as Float32Array, shape } } as GridRow;
}

/** A labeled grid and its row labels, top to bottom. */
export type ModelGrid = LabeledGrid & { rows: string[] };

/**
 * For a DDAR model: inputs, templates (appearance code), displacement fields (geometric code, colored by direction and
 * magnitude, with a colour key), reconstructions, and code swaps (appearance of image i with the geometry of image
 * i+1), each row labeled. Other models have no codes to show and get no grid.
 */
export function reconstructionGrid(model: ClassifierModel, images: tf.Tensor4D): ModelGrid | undefined {
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
    rowOf('displacement fields', 'field', tensors.displacements),
    rowOf('reconstructions', 'image', tensors.reconstructions),
    rowOf('geometry donors', 'image', tensors.shifted),
    rowOf('swaps: appearance of input, geometry of donor', 'image', tensors.swapped),
  ];
  tf.dispose(tensors);
  return { ...labeledImageGrid(rows, { columns: images.shape[0] }), rows: rows.map((r) => r.label) };
}

/**
 * For a DDAR model: per class, up to `perClass` of `images` with that label and their templates, so one sees whether
 * each class has one canonical template whatever the pose. Classes without an image in `images` get no rows. Other
 * models have no template and get no grid.
 *
 * @param labels One integer label per image.
 */
export function classTemplateGrid(
  model: ClassifierModel,
  images: tf.Tensor4D,
  labels: tf.Tensor1D,
  options: { numClasses: number; perClass: number },
): ModelGrid | undefined {
  if (!(model instanceof DDARModel)) return undefined;
  const { numClasses, perClass } = options;
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`classTemplateGrid: numClasses must be a positive integer, but got ${numClasses}`);
  if (!Number.isInteger(perClass) || perClass < 1) throw new Error(`classTemplateGrid: perClass must be a positive integer, but got ${perClass}`);
  if (labels.shape[0] !== images.shape[0]) {
    throw new Error(`classTemplateGrid: labels must hold one label per image (${images.shape[0]}), but got ${labels.shape[0]}`);
  }
  const labelValues = labels.dataSync();
  const byClass = Array.from({ length: numClasses }, (_, c) => {
    const indices: number[] = [];
    for (let i = 0; i < labelValues.length && indices.length < perClass; i++) if (labelValues[i] === c) indices.push(i);
    return indices;
  });
  const chosen = byClass.flat();
  if (chosen.length === 0) throw new Error(`classTemplateGrid: no image has a label in 0..${numClasses - 1}`);
  // One forward pass for every class, split per class below.
  const { inputs, templates } = tf.tidy(() => {
    const x = tf.gather(images, tf.tensor1d(chosen, 'int32')) as tf.Tensor4D;
    return { inputs: x, templates: model.reconstruct(x).template };
  });
  const rows: GridRow[] = [];
  let start = 0;
  byClass.forEach((indices, c) => {
    if (indices.length === 0) return;
    const slice = (t: tf.Tensor4D) => tf.tidy(() => tf.slice(t, start, indices.length));
    const [classInputs, classTemplates] = [slice(inputs), slice(templates)];
    rows.push(rowOf(`${c}: inputs`, 'image', classInputs), rowOf(`${c}: templates`, 'image', classTemplates));
    tf.dispose([classInputs, classTemplates]);
    start += indices.length;
  });
  tf.dispose([inputs, templates]);
  return { ...labeledImageGrid(rows, { columns: perClass }), rows: rows.map((r) => r.label) };
}
