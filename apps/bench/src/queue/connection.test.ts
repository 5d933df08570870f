import * as net from 'node:net';
import { checkRedis, parseQueueUrl } from './connection.js';

describe('parseQueueUrl', () => {
  it('reads host, port, ACL user, password and database, and never prints the password', () => {
    const { options, display } = parseQueueUrl('redis://ddar:p%40ss@10.0.0.5:6380/2');
    expect(options).toEqual({ host: '10.0.0.5', port: 6380, username: 'ddar', password: 'p@ss', db: 2 });
    expect(display).toBe('redis://ddar:***@10.0.0.5:6380/2');
    expect(parseQueueUrl('redis://:secret@queue.internal').options).toEqual({ host: 'queue.internal', port: 6379, password: 'secret' });
  });

  it('turns TLS on for rediss://, with the host name for the certificate check', () => {
    expect(parseQueueUrl('rediss://queue.internal:6380').options.tls).toEqual({ servername: 'queue.internal' });
    expect(parseQueueUrl('rediss://10.0.0.5:6380').options.tls).toEqual({});
    expect(parseQueueUrl('redis://[::1]:6379').options).toEqual({ host: '::1', port: 6379 });
  });

  it.each([
    ['localhost:6379', "must be a URL of the form redis://[user:password@]host:port[/db]"],
    ['http://127.0.0.1:6379', "must start with redis:// or rediss:// (TLS), but got 'http://'"],
    ['redis:///0', 'names no host'],
    ['redis://127.0.0.1:6379/queue', "must be a database number (e.g. /0), but got '/queue'"],
    ['redis://127.0.0.1:99999', 'must be a URL of the form'],
    ['redis://127.0.0.1:6379?tls=true', 'has a query or fragment'],
  ])('refuses %s', (text, message) => {
    expect(() => parseQueueUrl(text)).toThrow(message);
  });

  it('keeps the password out of its errors', () => {
    expect(() => parseQueueUrl('https://user:secret@host')).toThrow(/user:\*\*\*@host/);
    expect(() => parseQueueUrl('https://user:secret@host')).not.toThrow(/secret/);
  });
});

describe('checkRedis', () => {
  it('says nothing listens on a port without a server, at once', async () => {
    // A port that was free a moment ago: bound, then released.
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as net.AddressInfo;
        server.close(() => resolve(free));
      });
    });
    const started = Date.now();
    await expect(checkRedis(parseQueueUrl(`redis://127.0.0.1:${port}`), 5000)).rejects.toThrow(
      `cannot reach Redis at redis://127.0.0.1:${port}: nothing is listening there`,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('gives up after the timeout on a server that never answers', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      await expect(checkRedis(parseQueueUrl(`redis://127.0.0.1:${port}`), 300)).rejects.toThrow(
        `Redis at redis://127.0.0.1:${port} did not answer within 0.3 s`,
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('says when what answers is not Redis', async () => {
    const sockets: net.Socket[] = [];
    const http = net.createServer((socket) => {
      sockets.push(socket);
      // As a web server does: an answer to the first request, whatever it was.
      socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as net.AddressInfo;
    try {
      await expect(checkRedis(parseQueueUrl(`redis://127.0.0.1:${port}`), 2000)).rejects.toThrow(/answered, but not as a Redis server does/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => http.close(resolve));
    }
  });
});
