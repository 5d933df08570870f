import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A file the server answers with. */
export interface StaticFile {
  body: string | Uint8Array;
  /** The Content-Type; `application/wasm` matters: browsers compile .wasm streaming only with it. */
  type: string;
}

/** A local HTTP server for a page's files, on 127.0.0.1 and a port the system picks. */
export interface StaticServer {
  /** `http://127.0.0.1:<port>/`. */
  url: string;
  /** Every path asked for that the server does not have, so a test can say what the page missed. */
  missing: string[];
  close(): Promise<void>;
}

export async function serveFiles(files: ReadonlyMap<string, StaticFile>): Promise<StaticServer> {
  const missing: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const file = files.get(path === '/' ? '/index.html' : path);
    if (file === undefined) {
      missing.push(path);
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-store' }).end(file.body);
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
