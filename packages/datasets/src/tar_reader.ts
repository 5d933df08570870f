/** One entry of a tar archive, as returned by {@link readTar} and {@link readTarStream}. */
export interface TarEntry {
  /** Path inside the archive, with any ustar prefix, GNU long name or pax path applied. */
  name: string;
  /** Entry kind; links, devices and FIFOs are `'other'`. */
  type: 'file' | 'directory' | 'other';
  /** The entry's bytes. From {@link readTar} a view on the archive, not a copy. */
  data: Uint8Array;
}

const BLOCK = 512;
const decoder = new TextDecoder();

interface Header {
  size: number;
  typeFlag: string;
  name: string;
}

/**
 * Turns a stream of (header, data) records into entries, folding GNU long-name ('L') and pax
 * ('x', 'g') records into the entry that follows them. Shared by the buffer and stream readers.
 */
class EntryAssembler {
  private pendingName: string | undefined;

  /** Whether this record's data is metadata the assembler needs, rather than an entry's contents. */
  isMetadata(header: Header): boolean {
    return header.typeFlag === 'L' || header.typeFlag === 'x' || header.typeFlag === 'g';
  }

  acceptMetadata(header: Header, data: Uint8Array): void {
    if (header.typeFlag === 'L') this.pendingName = cString(data);
    else if (header.typeFlag === 'x') this.pendingName = paxPath(data) ?? this.pendingName;
  }

  nameAndType(header: Header): Omit<TarEntry, 'data'> {
    const name = this.pendingName ?? header.name;
    this.pendingName = undefined;
    const f = header.typeFlag;
    const type = f === '0' || f === '\0' || f === '7' ? 'file' : f === '5' ? 'directory' : 'other';
    return { name, type };
  }
}

/**
 * Lists the entries of an uncompressed tar archive held in memory (ustar, with the GNU
 * long-name and pax path extensions that GNU tar and bsdtar write). Headers are verified by
 * their checksum so a damaged archive fails at the entry it broke instead of yielding garbage.
 */
export function readTar(archive: Uint8Array, source = '<tar archive>'): TarEntry[] {
  const entries: TarEntry[] = [];
  const assembler = new EntryAssembler();
  let offset = 0;
  while (offset + BLOCK <= archive.length) {
    const header = parseHeader(archive.subarray(offset, offset + BLOCK), offset, source);
    if (header === undefined) return entries;
    const dataStart = offset + BLOCK;
    if (dataStart + header.size > archive.length) {
      throw new Error(`${source}: truncated tar archive: entry at byte ${offset} needs ${header.size} bytes of data, the archive ends first`);
    }
    const data = archive.subarray(dataStart, dataStart + header.size);
    offset = dataStart + paddedSize(header.size);
    if (assembler.isMetadata(header)) assembler.acceptMetadata(header, data);
    else entries.push({ ...assembler.nameAndType(header), data });
  }
  // Archives end with zero blocks; without them, the last entry must end on a block boundary.
  if (offset !== archive.length) {
    throw new Error(`${source}: truncated tar archive: ${archive.length - offset} stray bytes at byte ${offset}`);
  }
  return entries;
}

/**
 * Reads a tar archive from a stream (e.g. a file piped through gunzip), so a large archive is
 * never held whole in memory: only one entry's data is, and only when `keep(name)` wants it.
 */
export async function* readTarStream(
  chunks: AsyncIterable<Uint8Array>,
  source = '<tar stream>',
  keep: (name: string) => boolean = () => true,
): AsyncGenerator<TarEntry> {
  const input = new ByteReader(chunks);
  const assembler = new EntryAssembler();
  let offset = 0;
  for (;;) {
    const block = await input.read(BLOCK);
    if (block.length === 0) return;
    if (block.length < BLOCK) {
      throw new Error(`${source}: truncated tar archive: ${block.length} stray bytes at byte ${offset}`);
    }
    const header = parseHeader(block, offset, source);
    if (header === undefined) return;
    const entryOffset = offset;
    offset += BLOCK + paddedSize(header.size);
    const truncated = () =>
      new Error(`${source}: truncated tar archive: entry at byte ${entryOffset} needs ${header.size} bytes of data, the archive ends first`);
    if (assembler.isMetadata(header)) {
      const data = await input.read(header.size);
      if (data.length < header.size) throw truncated();
      assembler.acceptMetadata(header, data);
    } else {
      const entry = assembler.nameAndType(header);
      if (keep(entry.name)) {
        const data = await input.read(header.size);
        if (data.length < header.size) throw truncated();
        yield { ...entry, data };
      } else if ((await input.skip(header.size)) < header.size) {
        throw truncated();
      }
    }
    if ((await input.skip(paddedSize(header.size) - header.size)) < paddedSize(header.size) - header.size) {
      throw new Error(`${source}: truncated tar archive: padding after the entry at byte ${entryOffset} is missing`);
    }
  }
}

/** Hands out exact byte counts from a stream of arbitrarily sized chunks. */
class ByteReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private done = false;

  constructor(chunks: AsyncIterable<Uint8Array>) {
    this.iterator = chunks[Symbol.asyncIterator]();
  }

  /** Up to `n` bytes; fewer only at the end of the stream. */
  async read(n: number): Promise<Uint8Array> {
    await this.fill(n);
    const take = Math.min(n, this.pendingBytes);
    const out = new Uint8Array(take);
    let written = 0;
    while (written < take) {
      const head = this.pending[0];
      const part = Math.min(head.length, take - written);
      out.set(head.subarray(0, part), written);
      written += part;
      this.consume(part);
    }
    return out;
  }

  /** Drops up to `n` bytes without copying them; returns how many were dropped. */
  async skip(n: number): Promise<number> {
    let skipped = 0;
    while (skipped < n) {
      await this.fill(1);
      if (this.pendingBytes === 0) break;
      const part = Math.min(this.pending[0].length, n - skipped);
      this.consume(part);
      skipped += part;
    }
    return skipped;
  }

  private consume(bytes: number): void {
    const head = this.pending[0];
    if (bytes === head.length) this.pending.shift();
    else this.pending[0] = head.subarray(bytes);
    this.pendingBytes -= bytes;
  }

  private async fill(n: number): Promise<void> {
    while (this.pendingBytes < n && !this.done) {
      const next = await this.iterator.next();
      if (next.done) {
        this.done = true;
      } else if (next.value.length > 0) {
        this.pending.push(next.value);
        this.pendingBytes += next.value.length;
      }
    }
  }
}

function paddedSize(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

/** Parses one header block; undefined for the all-zero block that ends an archive. */
function parseHeader(block: Uint8Array, offset: number, source: string): Header | undefined {
  if (block.every((b) => b === 0)) return undefined;
  verifyHeaderChecksum(block, offset, source);
  return {
    size: parseOctal(block.subarray(124, 136), offset, source),
    typeFlag: String.fromCharCode(block[156]),
    name: headerName(block),
  };
}

function headerName(header: Uint8Array): string {
  const name = cString(header.subarray(0, 100));
  const isUstar = decoder.decode(header.subarray(257, 262)) === 'ustar';
  const prefix = isUstar ? cString(header.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return decoder.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

function parseOctal(field: Uint8Array, offset: number, source: string): number {
  const text = cString(field).trim();
  if (!/^[0-7]*$/.test(text)) {
    throw new Error(`${source}: corrupt tar header at byte ${offset}: field '${text}' is not octal`);
  }
  return text === '' ? 0 : parseInt(text, 8);
}

function verifyHeaderChecksum(header: Uint8Array, offset: number, source: string): void {
  const stored = parseOctal(header.subarray(148, 156), offset, source);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  if (sum !== stored) {
    throw new Error(`${source}: corrupt tar header at byte ${offset}: checksum ${sum} does not match stored ${stored}`);
  }
}

/** Pax records are `<length> <key>=<value>\n`; only `path` matters for finding files. */
function paxPath(data: Uint8Array): string | undefined {
  let path: string | undefined;
  for (const record of decoder.decode(data).split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(record);
    if (match) path = match[1];
  }
  return path;
}
