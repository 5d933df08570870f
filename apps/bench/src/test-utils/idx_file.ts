/** The bytes of an IDX file (the MNIST format) of unsigned bytes or, for `Int32Array` data, big-endian int32s. */
export function idxFile(dims: number[], data: Uint8Array | Int32Array): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * dims.length + data.length * (data instanceof Uint8Array ? 1 : 4));
  const view = new DataView(bytes.buffer);
  bytes[2] = data instanceof Uint8Array ? 0x08 : 0x0c;
  bytes[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  const at = 4 + 4 * dims.length;
  if (data instanceof Uint8Array) bytes.set(data, at);
  else data.forEach((v, i) => view.setInt32(at + 4 * i, v));
  return bytes;
}
