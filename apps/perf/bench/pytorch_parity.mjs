// Checks that bench/pytorch_reference.py's port is the model the DDAR benchmarks train: builds the tfjs model
// (DDARModel.create({ inputShape: [28, 28, 1], numClasses: 10, backboneOptions: { width: 0.5 }, seed: 1 }), geometry
// 'integral' by default, 'displacement' for the first version's port), exports its weights, a batch of images and
// labels, and the tfjs loss terms, logits and weight gradients, has the PyTorch port load the same weights and
// compute the same, and prints both with their relative differences, and both parameter counts.
// Usage: pnpm build at the root, then from apps/perf:
//        node bench/pytorch_parity.mjs [--geometry integral,displacement] [--state created,perturbed] [--batch 16]
//        [--backend wasm|cpu] [--tolerance 1e-4] [--keep]
// States: `created` is the model as DDARModel.create makes it, whose warp starts at the identity (affine decoder
// zero, field decoder's last conv N(0, 1e-3)); `perturbed` redraws those two layers' weights and biases from
// N(0, 0.05) (seeded), so that the affine map, the increments and the warp are far from the identity.
// Exits 1 when a loss term, the total or the logits differ by more than --tolerance (relative), when in the perturbed
// state a weight gradient differs by more than 10x that (norm of the difference over the norm of tfjs's), or when the
// parameter counts differ; without PyTorch it says so and exits 0. The gradients of the created state are printed but
// not judged: there the grid increments are all within 2e-3 of 1, so the total variation's differences sit at the
// kink of |x| (some exactly 0, where tfjs's Abs gradient is -1 and PyTorch's 0) and float32 rounding decides their
// signs: both float32 gradients are ~2e-3 (relative) from a float64 evaluation of the port. The warp's bilinear
// derivative is one-sided at pixel boundaries in the same way; the output counts the sample coordinates that land in
// different pixel cells in the two implementations.
// --keep leaves the exported tensors in the temporary directories it prints (tensors.bin, manifest.json).
/* global console */
import { Buffer } from 'node:buffer';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { DDARModel } from '@ddar/disentangle';
import { positiveIntegerOption } from './options.mjs';
import { pytorchAvailable, runPytorchParity } from './pytorch.mjs';

const listOption = (name, fallback, allowed) => {
  const at = process.argv.indexOf(`--${name}`);
  const values = at < 0 ? fallback : String(process.argv[at + 1]).split(',');
  for (const value of values) {
    if (!allowed.includes(value)) throw new Error(`pytorch_parity: --${name} takes ${allowed.join(', ')}, but got '${value}'`);
  }
  return values;
};
const GEOMETRIES = listOption('geometry', ['integral', 'displacement'], ['integral', 'displacement']);
const STATES = listOption('state', ['created', 'perturbed'], ['created', 'perturbed']);
const BATCH = positiveIntegerOption('pytorch_parity', 'batch', 16);
const BACKEND = listOption('backend', ['wasm'], ['wasm', 'cpu'])[0];
const TOLERANCE = process.argv.includes('--tolerance') ? Number(process.argv[process.argv.indexOf('--tolerance') + 1]) : 1e-4;
if (!(TOLERANCE > 0)) throw new Error(`pytorch_parity: --tolerance must be a positive number`);
const KEEP = process.argv.includes('--keep');

/** The tensors of one export, concatenated as float32 in one file, each described by offset, size and shape. */
class TensorFile {
  constructor() {
    this.chunks = [];
    this.length = 0;
  }

  add(tensor) {
    const values = tensor.dataSync();
    const entry = { offset: this.length, size: values.length, shape: tensor.shape };
    this.chunks.push(Float32Array.from(values));
    this.length += values.length;
    return entry;
  }

  write(file) {
    const all = new Float32Array(this.length);
    let at = 0;
    for (const chunk of this.chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    fs.writeFileSync(file, Buffer.from(all.buffer));
  }
}

/** Redraws the weights of the layers that start the warp at the identity, so that the warp is exercised. */
function perturbWarp(model) {
  let seed = 100;
  for (const name of ['geometric_decoder_field', 'affine_decoder']) {
    if (!model.network.layers.some((layer) => layer.name === name)) continue;
    const layer = model.network.getLayer(name);
    layer.setWeights(layer.getWeights().map((w) => tf.randomNormal(w.shape, 0, 0.05, 'float32', seed++)));
  }
}

function exportModel(geometry, state, directory) {
  const model = DDARModel.create({
    inputShape: [28, 28, 1],
    numClasses: 10,
    backboneOptions: { width: 0.5 },
    seed: 1,
    ...(geometry === 'displacement' ? { geometry } : {}),
  });
  if (state === 'perturbed') perturbWarp(model);
  const images = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, 'float32', 21);
  const labels = tf.randomUniform([BATCH], 0, 10, 'int32', 22);

  const { total, terms, logits } = model.lossTerms(images, labels, {}, { returnLogits: true });
  const tfjs = {
    total: total.dataSync()[0],
    terms: Object.fromEntries(Object.entries(terms).map(([name, value]) => [name, value.dataSync()[0]])),
    logits: logits.arraySync(),
  };
  tf.dispose([total, logits, ...Object.values(terms)]);
  const decoding = model.reconstruct(images);

  const variables = model.network.trainableWeights.map((w) => w.read());
  const { value, grads } = tf.variableGrads(() => {
    const result = model.lossTerms(images, labels);
    tf.dispose(Object.values(result.terms));
    return result.total;
  }, variables);
  value.dispose();

  const file = new TensorFile();
  const layers = [];
  for (const layer of model.network.layers) {
    if (layer.trainableWeights.length === 0) continue;
    const [kernel, bias] = layer.trainableWeights.map((w) => w.read());
    layers.push({
      name: layer.name,
      kernel: file.add(kernel),
      bias: file.add(bias),
      kernelGradient: file.add(grads[kernel.name]),
      biasGradient: file.add(grads[bias.name]),
    });
  }
  const manifest = {
    geometry,
    state,
    backend: tf.getBackend(),
    parameters: model.network.countParams(),
    images: file.add(images),
    labels: Array.from(labels.dataSync()),
    layers,
    tfjs,
    displacement: file.add(decoding.displacement),
  };
  file.write(path.join(directory, 'tensors.bin'));
  fs.writeFileSync(path.join(directory, 'manifest.json'), JSON.stringify(manifest));
  tf.dispose([images, labels, ...Object.values(grads), ...Object.values(decoding)]);
  model.dispose();
}

const format = (x) => (Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(6) : x.toExponential(4));

if (!pytorchAvailable()) process.exit(0);
await initBackend({ backend: BACKEND, log: false });
let failed = false;
for (const geometry of GEOMETRIES) {
  for (const state of STATES) {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'ddar-parity-'));
    try {
      exportModel(geometry, state, directory);
      const r = runPytorchParity(directory);
      if (r === undefined) {
        failed = true;
        continue;
      }
      const warpLine = r.warp.max_abs_affine_residual === undefined
        ? ''
        : `, |affine residual| <= ${r.warp.max_abs_affine_residual.toFixed(4)}, increments in ` +
          `[${r.warp.increments_range.map((x) => x.toFixed(4)).join(', ')}]`;
      console.log(
        `\n${geometry}, ${state} (tfjs ${BACKEND} vs torch ${r.torch}, batch ${r.batch}): parameters tfjs ${r.parameters.tfjs}, ` +
          `pytorch ${r.parameters.pytorch}\n  warp: |displacement| <= ${r.warp.max_abs_displacement_px.toFixed(3)} px${warpLine}; ` +
          `displacements differ by <= ${r.warp.max_abs_displacement_difference_px.toExponential(1)} px; ` +
          `${r.warp.straddling_samples} of ${r.warp.samples} sample coordinates in different pixel cells`,
      );
      console.log(`  ${'term'.padEnd(16)} ${'tfjs'.padStart(14)} ${'pytorch'.padStart(14)}  relative difference`);
      for (const [name, t] of [...Object.entries(r.terms), ['total', r.total]]) {
        console.log(`  ${name.padEnd(16)} ${format(t.tfjs).padStart(14)} ${format(t.pytorch).padStart(14)}  ${t.relative.toExponential(2)}`);
        if (!(t.relative <= TOLERANCE)) failed = true;
      }
      console.log(
        `  logits: max |difference| ${r.logits.max_abs_difference.toExponential(2)} (max |logit| ${r.logits.max_abs.toFixed(3)}, ` +
          `relative ${r.logits.relative.toExponential(2)})`,
      );
      const worst = Object.entries(r.gradients.relative_norm_difference).sort((a, b) => b[1] - a[1]);
      console.log(
        `  weight gradients, |g_tfjs - g_pytorch| / |g_tfjs|: at most ${r.gradients.max.toExponential(2)} (${worst[0][0]}; then ` +
          `${worst.slice(1, 3).map(([n, v]) => `${n} ${v.toExponential(2)}`).join(', ')})` +
          (state === 'created' ? '; not judged (near-identity warp, see the header)' : ''),
      );
      if (!(r.logits.relative <= TOLERANCE) || r.parameters.tfjs !== r.parameters.pytorch) failed = true;
      if (state !== 'created' && !(r.gradients.max <= 10 * TOLERANCE)) failed = true;
    } finally {
      if (KEEP) console.log(`  exported to ${directory}`);
      else fs.rmSync(directory, { recursive: true, force: true });
    }
  }
}
console.log(failed ? `\nparity: FAILED (tolerance ${TOLERANCE})` : `\nparity: every check within tolerance ${TOLERANCE}`);
process.exit(failed ? 1 : 0);
