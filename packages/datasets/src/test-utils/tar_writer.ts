/** Builds a ustar archive in memory, so tests can make CIFAR-format fixtures without a tar binary. */
export function writeTar(entries: Array<{ name: string; data?: Uint8Array; directory?: boolean }>): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const entry of entries) {
    const data = entry.data ?? new Uint8Array(0);
    const header = new Uint8Array(512);
    const text = (value: string, offset: number) => header.set(new TextEncoder().encode(value), offset);
    text(entry.name, 0);
    text('0000644\0', 100);
    text('0000000\0', 108);
    text('0000000\0', 116);
    text(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    text('00000000000\0', 136);
    header[156] = (entry.directory ? '5' : '0').charCodeAt(0);
    text('ustar\0', 257);
    text('00', 263);
    header.fill(0x20, 148, 156);
    const sum = header.reduce((a, b) => a + b, 0);
    text(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header);
    if (data.length > 0) {
      const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
      padded.set(data);
      blocks.push(padded);
    }
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((a, b) => a + b.length, 0));
  let offset = 0;
  for (const block of blocks) {
    out.set(block, offset);
    offset += block.length;
  }
  return out;
}
