import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTar, readTarStream, type TarEntry } from './tar_reader.js';
import { writeTar } from './test-utils/tar_writer.js';

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(entries: AsyncIterable<TarEntry>): Promise<Array<[string, string, number[]]>> {
  const out: Array<[string, string, number[]]> = [];
  for await (const e of entries) out.push([e.name, e.type, Array.from(e.data)]);
  return out;
}

describe('readTar and readTarStream', () => {
  const a = Uint8Array.from({ length: 700 }, (_, i) => i % 251);
  const b = new TextEncoder().encode('hello');
  const archive = writeTar([{ name: 'dir/', directory: true }, { name: 'dir/a.bin', data: a }, { name: 'dir/b.txt', data: b }]);
  const expected = [
    ['dir/', 'directory', []],
    ['dir/a.bin', 'file', Array.from(a)],
    ['dir/b.txt', 'file', Array.from(b)],
  ];

  it('list entries with their types and exact contents, whatever the chunk size', async () => {
    expect(readTar(archive).map((e) => [e.name, e.type, Array.from(e.data)])).toEqual(expected);
    for (const size of [1, 100, 512, 513, 100000]) {
      expect(await collect(readTarStream(chunked(archive, size)))).toEqual(expected);
    }
  });

  it('stream reader skips the data of entries it is told not to keep', async () => {
    const kept = await collect(readTarStream(chunked(archive, 77), 's', (name) => name.endsWith('.txt')));
    expect(kept).toEqual([expected[2]]);
  });

  it('reject a header whose checksum does not match', async () => {
    const damaged = archive.slice();
    damaged[512 + 3] ^= 1;
    expect(() => readTar(damaged, 'x.tar')).toThrow('x.tar: corrupt tar header at byte 512');
    await expect(collect(readTarStream(chunked(damaged, 600), 'x.tar'))).rejects.toThrow('x.tar: corrupt tar header at byte 512');
  });

  it('reject an archive cut inside an entry', async () => {
    const cut = archive.subarray(0, 512 * 2 + 100);
    expect(() => readTar(cut, 'cut.tar')).toThrow('cut.tar: truncated tar archive: entry at byte 512 needs 700 bytes');
    await expect(collect(readTarStream(chunked(cut, 64), 'cut.tar'))).rejects.toThrow('cut.tar: truncated tar archive: entry at byte 512 needs 700 bytes');
  });

  it('read GNU and pax archives made by GNU tar, including names longer than 100 characters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ddar-tar-'));
    try {
      const longDir = `${'d'.repeat(60)}/${'e'.repeat(60)}`;
      mkdirSync(join(dir, 'src', longDir), { recursive: true });
      const longName = `${longDir}/${'f'.repeat(90)}.bin`;
      writeFileSync(join(dir, 'src', longName), a);
      for (const format of ['gnu', 'posix']) {
        const tarPath = join(dir, `${format}.tar`);
        execFileSync('tar', [`--format=${format}`, '-cf', tarPath, '-C', join(dir, 'src'), longName]);
        const bytes = readFileSync(tarPath);
        const files = readTar(bytes).filter((e) => e.type === 'file');
        expect(files.map((e) => [e.name, e.data.length])).toEqual([[longName, 700]]);
        expect(Array.from(files[0].data)).toEqual(Array.from(a));
        const streamed = (await collect(readTarStream(chunked(bytes, 333)))).filter((e) => e[1] === 'file');
        expect(streamed.map((e) => e[0])).toEqual([longName]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
