import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { writeTar } from './tar_writer.js';

export interface CifarFixture {
  archive: Buffer;
  md5: string;
  /** Records of each batch file: label byte then R, G, B planes. */
  files: Record<string, Uint8Array>;
  classNames: string[];
}

export const FIXTURE_CLASS_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/**
 * A CIFAR-10 binary archive in miniature: the real directory layout and record format, with
 * `perBatch` records per batch file whose labels and pixels follow a formula the tests can check.
 */
export function makeCifarFixture(perBatch = 20): CifarFixture {
  const files: Record<string, Uint8Array> = {};
  const batchNames = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];
  batchNames.forEach((name, b) => {
    const bytes = new Uint8Array(perBatch * 3073);
    for (let r = 0; r < perBatch; r++) {
      const record = r * 3073;
      bytes[record] = (b * perBatch + r) % 10;
      for (let i = 0; i < 3072; i++) bytes[record + 1 + i] = (i * 7 + r * 13 + b * 31) % 256;
    }
    files[name] = bytes;
  });
  const entries = [
    { name: 'cifar-10-batches-bin/', directory: true },
    { name: 'cifar-10-batches-bin/batches.meta.txt', data: new TextEncoder().encode(`${FIXTURE_CLASS_NAMES.join('\n')}\n\n`) },
    ...batchNames.map((name) => ({ name: `cifar-10-batches-bin/${name}`, data: files[name] })),
    { name: 'cifar-10-batches-bin/readme.html', data: new TextEncoder().encode('<html></html>') },
  ];
  const archive = gzipSync(writeTar(entries));
  return { archive, md5: createHash('md5').update(archive).digest('hex'), files, classNames: FIXTURE_CLASS_NAMES };
}
