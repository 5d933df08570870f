import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour = 'good' | 'corrupt' | 'drop-once' | 'not-found';

export interface FixtureServer {
  baseUrl: string;
  /** How the next requests are answered; 'drop-once' reverts to 'good' after one dropped body. */
  behaviour: Behaviour;
  /** Honour Range requests (206) so a retry can resume. */
  supportsRange: boolean;
  requests: Array<{ path: string; range?: string }>;
  close(): Promise<void>;
}

/** Serves `files` (path -> bytes) on 127.0.0.1 at a random port, misbehaving on request. */
export async function startFixtureServer(files: Record<string, Uint8Array>): Promise<FixtureServer> {
  const state: FixtureServer = {
    baseUrl: '',
    behaviour: 'good',
    supportsRange: false,
    requests: [],
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server = http.createServer((req, res) => {
    const path = req.url ?? '';
    state.requests.push({ path, range: req.headers.range });
    const body = files[path];
    if (body === undefined || state.behaviour === 'not-found') {
      res.writeHead(404).end();
      return;
    }
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (state.supportsRange && range) start = Number(range[1]);
    const payload = Buffer.from(body.subarray(start));
    if (state.behaviour === 'corrupt') payload[payload.length >> 1] ^= 0xff;
    const headers: http.OutgoingHttpHeaders = { 'content-length': payload.length, 'content-type': 'application/octet-stream' };
    if (start > 0) headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    res.writeHead(start > 0 ? 206 : 200, headers);
    if (state.behaviour === 'drop-once') {
      state.behaviour = 'good';
      // The pause lets the client write the first half to disk, so a resume has something to resume.
      res.write(payload.subarray(0, payload.length >> 1), () => setTimeout(() => res.socket?.destroy(), 100));
      return;
    }
    res.end(payload);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return state;
}
