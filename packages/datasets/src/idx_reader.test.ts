import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readIdx } from './idx_reader.js';
import { writeIdx } from './test-utils/idx_writer.js';

describe('readIdx', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ddar-idx-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads uint8 data as a view and dims in order', () => {
    const bytes = writeIdx([2, 3, 2], Uint8Array.from({ length: 12 }, (_, i) => i * 20));
    const idx = readIdx(bytes);
    expect(idx.type).toBe('uint8');
    expect(idx.dims).toEqual([2, 3, 2]);
    expect(Array.from(idx.data)).toEqual(Array.from({ length: 12 }, (_, i) => i * 20));
    expect(idx.data.buffer).toBe(bytes.buffer);
  });

  it('decodes big-endian int32, including negative values', () => {
    const idx = readIdx(writeIdx([3], Int32Array.from([1, -2, 70000])));
    expect(idx.type).toBe('int32');
    expect(Array.from(idx.data)).toEqual([1, -2, 70000]);
  });

  it('detects gzip by magic bytes, not by file name', () => {
    const path = join(dir, 'labels.idx');
    writeFileSync(path, gzipSync(writeIdx([4], Uint8Array.from([3, 1, 4, 1]))));
    expect(Array.from(readIdx(path).data)).toEqual([3, 1, 4, 1]);
  });

  it('names the file and the problem for a truncated file', () => {
    const path = join(dir, 'truncated-idx3-ubyte');
    writeFileSync(path, writeIdx([2, 2, 2], new Uint8Array(8)).subarray(0, 20));
    expect(() => readIdx(path)).toThrow(`${path}: truncated IDX file: dimensions [2,2,2] of uint8 need 24 bytes but the file has 20`);
  });

  it('rejects trailing bytes, a wrong magic number, an unknown type and a short header', () => {
    const good = writeIdx([2], Uint8Array.from([1, 2]));
    const trailing = new Uint8Array(good.length + 1);
    trailing.set(good);
    expect(() => readIdx(trailing, { name: 'x.idx' })).toThrow('x.idx: IDX file has 1 bytes after the data');
    expect(() => readIdx(Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0]), { name: 'zip' })).toThrow(
      'zip: not an IDX file: magic number 50 4b 03 04',
    );
    expect(() => readIdx(Uint8Array.from([0, 0, 0x0a, 1, 0, 0, 0, 0]), { name: 't' })).toThrow('t: unknown IDX data type 0xa');
    expect(() => readIdx(Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 1]), { name: 'h' })).toThrow('h: truncated IDX header');
  });

  it('names the file when gzip data is corrupt', () => {
    const gz = gzipSync(writeIdx([100], new Uint8Array(100).fill(7)));
    expect(() => readIdx(gz.subarray(0, gz.length - 10), { name: 'broken.gz' })).toThrow('broken.gz: gzip data is corrupt or truncated');
  });

  it('names a missing file', () => {
    expect(() => readIdx(join(dir, 'nope'))).toThrow(`readIdx: cannot read ${join(dir, 'nope')}`);
  });
});
