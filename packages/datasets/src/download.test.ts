import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadFile } from './download.js';
import { startFixtureServer, type FixtureServer } from './test-utils/fixture_server.js';

describe('downloadFile', () => {
  const body = Uint8Array.from({ length: 5000 }, (_, i) => (i * 17) % 256);
  const checksum = { algorithm: 'sha256' as const, digest: createHash('sha256').update(body).digest('hex') };
  let server: FixtureServer;
  let dir: string;
  beforeAll(async () => {
    server = await startFixtureServer({ '/file.bin': body });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ddar-download-'));
    server.behaviour = 'good';
    server.requests = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the verified file and nothing else', async () => {
    const destination = join(dir, 'sub', 'file.bin');
    await downloadFile({ url: `${server.baseUrl}file.bin`, destination, checksum });
    expect(Array.from(readFileSync(destination))).toEqual(Array.from(body));
    expect(readdirSync(join(dir, 'sub'))).toEqual(['file.bin']);
  });

  it('does not retry a 404 and names the URL', async () => {
    server.behaviour = 'not-found';
    const destination = join(dir, 'file.bin');
    await expect(downloadFile({ url: `${server.baseUrl}file.bin`, destination, checksum, retryDelayMs: 1 })).rejects.toThrow(
      `Could not download ${server.baseUrl}file.bin: server answered HTTP 404 Not Found`,
    );
    expect(server.requests).toHaveLength(1);
    expect(existsSync(destination)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('can be cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      downloadFile({ url: `${server.baseUrl}file.bin`, destination: join(dir, 'f'), checksum, signal: controller.signal }),
    ).rejects.toThrow('was cancelled');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('validates its options', async () => {
    const destination = join(dir, 'f');
    await expect(downloadFile({ url: 'ftp://x/y', destination, checksum })).rejects.toThrow('url must use http or https');
    await expect(downloadFile({ url: `${server.baseUrl}file.bin`, destination, checksum: { algorithm: 'md5', digest: 'abc' } })).rejects.toThrow(
      "checksum must be { algorithm: 'md5' | 'sha256', digest: <hex> }",
    );
    await expect(downloadFile({ url: `${server.baseUrl}file.bin`, destination, checksum, retries: -1 })).rejects.toThrow(
      'retries must be a non-negative integer, but got -1',
    );
  });
});
