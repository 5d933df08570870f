// The IDX format (MNIST's), parsed from bytes: no file system, so that the browser entry's readIdx shares it.

/** Element type named by an IDX file's magic number. */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
/** The typed array that holds values of an {@link IdxType}. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** An n-dimensional array parsed from an IDX file (the format of MNIST and Fashion-MNIST). */
export interface IdxArray {
  /** Size of each dimension, outermost first (e.g. `[10000, 28, 28]`). */
  dims: number[];
  /** Element type from the file header; decides which typed array `data` is. */
  type: IdxType;
  /** Values in row-major order. For uint8 this is a view on the file's bytes, not a copy. */
  data: IdxData;
}

/** Options of {@link readIdx}. */
export interface ReadIdxOptions {
  /** Names a buffer source in error messages; file paths name themselves. */
  name?: string;
}

// The third byte of the IDX magic number (http://yann.lecun.com/exdb/mnist/).
const TYPE_CODES: Record<number, { type: IdxType; bytes: number }> = {
  0x08: { type: 'uint8', bytes: 1 },
  0x09: { type: 'int8', bytes: 1 },
  0x0b: { type: 'int16', bytes: 2 },
  0x0c: { type: 'int32', bytes: 4 },
  0x0d: { type: 'float32', bytes: 4 },
  0x0e: { type: 'float64', bytes: 8 },
};

/** True when `bytes` start with the gzip magic number 1f 8b, whatever the file is called. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Parses the bytes of an (uncompressed) IDX file; errors name `sourceName`. */
export function parseIdx(bytes: Uint8Array, sourceName: string): IdxArray {
  if (bytes.length < 4) {
    throw new Error(`${sourceName}: not an IDX file: ${bytes.length} bytes is shorter than the 4-byte magic number`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(`${sourceName}: not an IDX file: magic number ${magic} does not start with 00 00`);
  }
  const typeInfo = TYPE_CODES[bytes[2]];
  if (typeInfo === undefined) {
    throw new Error(
      `${sourceName}: unknown IDX data type 0x${bytes[2].toString(16)} (expected 08, 09, 0b, 0c, 0d or 0e)`,
    );
  }
  const rank = bytes[3];
  if (rank === 0) {
    throw new Error(`${sourceName}: IDX header declares 0 dimensions`);
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new Error(
      `${sourceName}: truncated IDX header: ${rank} dimensions need ${headerBytes} bytes but the file has ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expectedBytes = headerBytes + count * typeInfo.bytes;
  if (bytes.length < expectedBytes) {
    throw new Error(
      `${sourceName}: truncated IDX file: dimensions [${dims}] of ${typeInfo.type} need ${expectedBytes} bytes but the file has ${bytes.length}`,
    );
  }
  if (bytes.length > expectedBytes) {
    throw new Error(
      `${sourceName}: IDX file has ${bytes.length - expectedBytes} bytes after the data that dimensions [${dims}] of ${typeInfo.type} describe`,
    );
  }
  return { dims, type: typeInfo.type, data: decodeValues(view, headerBytes, count, typeInfo.type, bytes) };
}

// IDX stores multi-byte values big-endian, so only the one-byte types can be plain views.
function decodeValues(view: DataView, offset: number, count: number, type: IdxType, bytes: Uint8Array): IdxData {
  switch (type) {
    case 'uint8':
      return bytes.subarray(offset, offset + count);
    case 'int8':
      return new Int8Array(bytes.buffer, bytes.byteOffset + offset, count);
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}
