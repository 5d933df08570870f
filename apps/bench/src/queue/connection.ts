import { isIP } from 'node:net';
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';

/** Where the queue's URL may come from instead of `--queue`: a password on a command line is visible to every user of the machine. */
export const QUEUE_URL_ENV = 'DDAR_BENCH_QUEUE';

/** Where the queue's Redis is, from a `--queue` URL: options for ioredis and BullMQ, and the URL to print. */
export interface QueueConnection {
  /** The URL without its password, safe to print and to record. */
  display: string;
  options: RedisOptions;
}

const URL_FORM = 'redis://[user:password@]host:port[/db] or rediss://… for TLS';

/**
 * Reads `--queue`: `redis://` (plain TCP) or `rediss://` (TLS), with an optional ACL user and password and a database
 * number. Anything else is an error naming the form expected, before any connection is tried.
 */
export function parseQueueUrl(text: string, option = '--queue'): QueueConnection {
  let url: URL;
  try {
    // Without a scheme, "localhost:6379" would parse as the scheme "localhost:".
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw new Error('no scheme');
    url = new URL(text);
  } catch {
    throw new Error(`${option} must be a URL of the form ${URL_FORM}, but got '${text}'`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new Error(`${option} must start with redis:// or rediss:// (TLS), but got '${url.protocol}//' in '${redact(url)}'`);
  }
  // A URL parser accepts "redis://:6379" with an empty host; ioredis would then quietly connect to localhost.
  if (url.hostname === '') throw new Error(`${option} names no host: '${redact(url)}'; the form is ${URL_FORM}`);
  const port = url.port === '' ? 6379 : Number(url.port);
  const dbText = url.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^(0|[1-9][0-9]{0,3})$/.test(dbText)) {
    throw new Error(`${option}: the path of '${redact(url)}' must be a database number (e.g. /0), but got '/${dbText}'`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new Error(`${option}: '${redact(url)}' has a query or fragment, which ddar-bench does not read; the form is ${URL_FORM}`);
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: RedisOptions = {
    host: hostname,
    port,
    ...(url.username !== '' ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password !== '' ? { password: decodeURIComponent(url.password) } : {}),
    ...(dbText !== '' ? { db: Number(dbText) } : {}),
    // TLS checks the certificate against the host name; SNI takes no IP address.
    ...(url.protocol === 'rediss:' ? { tls: isIP(hostname) === 0 ? { servername: hostname } : {} } : {}),
  };
  return { display: redact(url), options };
}

function redact(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password !== '') copy.password = '***';
  return copy.href.replace(/\/$/, '');
}

/**
 * Connects once to check that the queue's Redis answers, within `timeoutMs`, and returns its version. Errors say what
 * failed in words a user can act on: nothing listening, a wrong host, a timeout (firewall, wrong port, TLS to a plain
 * server), refused credentials, or a Redis too old for BullMQ.
 */
export async function checkRedis(connection: QueueConnection, timeoutMs = 10_000): Promise<{ version: string; warnings: string[] }> {
  const errors: Error[] = [];
  const client = new Redis({
    ...connection.options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', (error: Error) => errors.push(error));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
  });
  try {
    const info = await Promise.race([
      (async () => {
        await client.connect();
        return `${await client.info('server')}\n${await client.info('persistence')}`;
      })(),
      timeout,
    ]);
    const version = /redis_version:([0-9.]+)/.exec(info)?.[1] ?? 'unknown';
    const [major] = version.split('.').map(Number);
    if (Number.isFinite(major) && major < 5) {
      throw new Error(`Redis at ${connection.display} is version ${version}; the queue (BullMQ) needs 5.0 or newer, 6.2 or newer recommended`);
    }
    const warnings: string[] = [];
    if (/aof_enabled:0/.test(info)) {
      warnings.push(
        `warning: Redis at ${connection.display} keeps the queue in memory only (appendonly no): a restart loses the runs' jobs ` +
          '(finished cells stay on disk, and reproduce enqueues the rest again). Run it with appendonly yes (docs/distributed.md)',
      );
    }
    return { version, warnings };
  } catch (error) {
    if ((error as Error).message === 'timeout') throw new Error(describeConnectionError(connection, undefined, timeoutMs));
    // The reason (a reply that is not Redis's, refused credentials) can arrive as an event just after the command fails.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const telling = errors.find((e) => !/Stream isn't writeable|Connection is closed/i.test(e.message));
    throw new Error(describeConnectionError(connection, telling ?? errors[0] ?? (error as Error), timeoutMs));
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

function describeConnectionError(connection: QueueConnection, error: Error | undefined, timeoutMs: number): string {
  const where = `Redis at ${connection.display}`;
  if (error === undefined) {
    return (
      `${where} did not answer within ${timeoutMs / 1000} s: check the host and port, that a firewall lets this machine in, ` +
      'and that the scheme matches the server (rediss:// for TLS, redis:// for plain TCP)'
    );
  }
  const message = error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (message.startsWith(where)) return message;
  if (code === 'ECONNREFUSED') return `cannot reach ${where}: nothing is listening there (is redis-server running, on that port?)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot reach ${where}: the host name does not resolve (${code})`;
  if (/WRONGPASS|NOAUTH|invalid password|invalid username/i.test(message)) {
    return `${where} refused the credentials (${message.trim()}): put the ACL user and password in the URL, redis://user:password@host:port`;
  }
  if (/Protocol error/i.test(message)) return `${where} answered, but not as a Redis server does (${message.trim()}): is it another service's port?`;
  if (/Stream isn't writeable|Connection is closed/i.test(message)) {
    return `${where} closed the connection at once: is it another service's port, or a TLS server reached with redis:// (use rediss://)?`;
  }
  if (/NOPERM/i.test(message)) return `${where}: the URL's user may not run the commands the queue needs (${message.trim()}); see docs/distributed.md for its ACL`;
  return `cannot use ${where}: ${message}`;
}
