import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

/** A file the server answers with. */
export interface StaticFile {
  body: string | Uint8Array;
  /** The Content-Type; `application/wasm` matters: browsers compile .wasm streaming only with it. */
  type: string;
}

/** What the server answers a path with: a file, nothing (404, recorded as missing), or `'forbidden'` (403). */
export type FileLookup = (path: string) => Promise<StaticFile | undefined | 'forbidden'>;

/** A local HTTP server for a page's files, on 127.0.0.1 and a port the system picks. */
export interface StaticServer {
  /** `http://127.0.0.1:<port>/`. */
  url: string;
  /** Every path asked for that the server does not have, so a test can say what the page missed. */
  missing: string[];
  close(): Promise<void>;
}

/** Serves the files of a map (`/` is `/index.html`), or whatever `lookup` finds for each path. */
export async function serveFiles(files: ReadonlyMap<string, StaticFile> | FileLookup): Promise<StaticServer> {
  const lookup: FileLookup = typeof files === 'function' ? files : async (path) => files.get(path === '/' ? '/index.html' : path);
  const missing: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    lookup(path).then((file) => {
      if (file === 'forbidden') {
        response.writeHead(403).end();
      } else if (file === undefined) {
        missing.push(path);
        response.writeHead(404).end();
      } else {
        response.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-store' }).end(file.body);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    missing,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Content types a static host sends for a built app's files; `application/wasm` lets browsers compile .wasm streaming. */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.idx': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** A plain static file server over a directory, as any static host would serve a built app. */
export function serveDirectory(root: string): Promise<StaticServer> {
  return serveFiles(async (requested) => {
    const path = decodeURIComponent(requested);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(root + sep)) return 'forbidden';
    try {
      return { body: await readFile(file), type: TYPES[extname(file)] ?? 'application/octet-stream' };
    } catch {
      return undefined;
    }
  });
}
