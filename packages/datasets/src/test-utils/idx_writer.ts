/** Encodes an IDX file (big-endian header, uint8 or int32 data) for reader and loader tests. */
export function writeIdx(dims: number[], data: Uint8Array | Int32Array): Uint8Array {
  const code = data instanceof Uint8Array ? 0x08 : 0x0c;
  const elementBytes = data instanceof Uint8Array ? 1 : 4;
  const out = new Uint8Array(4 + 4 * dims.length + data.length * elementBytes);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const offset = 4 + 4 * dims.length;
  if (data instanceof Uint8Array) out.set(data, offset);
  else data.forEach((v, i) => view.setInt32(offset + 4 * i, v, false));
  return out;
}
