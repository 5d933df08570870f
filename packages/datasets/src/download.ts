import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertChecksum, fileDigest, type Checksum } from './checksum.js';

/** A progress report from {@link downloadFile}. */
export interface DownloadProgress {
  /** The URL requested (before redirects), to tell concurrent downloads apart. */
  url: string;
  /** Bytes on disk so far, including any resumed from an earlier attempt. */
  receivedBytes: number;
  /** From Content-Length; absent when the server does not say. */
  totalBytes?: number;
}

/** Options of {@link downloadFile}; `url`, `destination` and `checksum` are required. */
export interface DownloadFileOptions {
  /** HTTP or HTTPS URL of the file; redirects are followed. */
  url: string;
  /** Final path. It only ever appears complete and verified: the bytes go to a temp file first. */
  destination: string;
  /** The file is accepted only if its digest matches; a mismatch discards the download and fails. */
  checksum: Checksum;
  /** How many times to retry after a network failure or a truncated body. Default 3. */
  retries?: number;
  /** Wait before the first retry, doubled for each further one. Default 500 ms. */
  retryDelayMs?: number;
  /** Abort an attempt when the connection is silent this long. Default 30 s. */
  idleTimeoutMs?: number;
  /** Called as bytes arrive, at most every 200 ms, and once at the end of each attempt. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Cancels the download; the temp file is removed. */
  signal?: AbortSignal;
  /** Appended to the final error, e.g. how to obtain the file by hand. */
  helpOnFailure?: string;
}

const MAX_REDIRECTS = 5;
const PROGRESS_INTERVAL_MS = 200;

/** A failure that another attempt may fix (connection reset, timeout, 5xx, short body). */
class RetryableDownloadError extends Error {}

/**
 * Downloads `url` to `destination`, verifying `checksum`. The bytes land in a temp file beside the
 * destination that is renamed over it only after the checksum matched, so an interrupted or
 * corrupted download never poisons the cache. Interrupted transfers are retried, resuming with an
 * HTTP Range request when the server supports it.
 */
export async function downloadFile(options: DownloadFileOptions): Promise<void> {
  const { url, destination } = options;
  validateOptions(options);
  const retries = options.retries ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const help = options.helpOnFailure ? ` ${options.helpOnFailure}` : '';

  await mkdir(dirname(destination), { recursive: true });
  const temp = join(dirname(destination), `.${basename(destination)}.${randomBytes(6).toString('hex')}.part`);
  try {
    let lastError: Error | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(retryDelayMs * 2 ** (attempt - 1), options.signal);
      try {
        await fetchToFile(url, temp, options);
        lastError = undefined;
        break;
      } catch (error) {
        if (!(error instanceof RetryableDownloadError)) throw error;
        lastError = error;
      }
    }
    if (lastError) {
      throw new Error(
        `Could not download ${url} after ${retries + 1} attempts: ${lastError.message}. Check the network connection (offline machines must get the file another way).${help}`,
      );
    }
    const actual = await fileDigest(temp, options.checksum.algorithm);
    if (actual.toLowerCase() !== options.checksum.digest.toLowerCase()) {
      throw new Error(
        `Checksum mismatch for ${url}: expected ${options.checksum.algorithm} ${options.checksum.digest.toLowerCase()}, got ${actual}. The download was discarded; nothing was written to ${destination}.${help}`,
      );
    }
    await rename(temp, destination);
  } finally {
    await rm(temp, { force: true });
  }
}

function validateOptions(options: DownloadFileOptions): void {
  let parsed: URL;
  try {
    parsed = new URL(options.url);
  } catch {
    throw new Error(`downloadFile: url must be an absolute http(s) URL, but got ${String(options.url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`downloadFile: url must use http or https, but got ${options.url}`);
  }
  if (typeof options.destination !== 'string' || options.destination.length === 0) {
    throw new Error(`downloadFile: destination must be a file path, but got ${String(options.destination)}`);
  }
  assertChecksum(options.checksum, `downloadFile(${options.url})`);
  for (const key of ['retries', 'retryDelayMs', 'idleTimeoutMs'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new Error(`downloadFile: ${key} must be a non-negative integer, but got ${String(value)}`);
    }
  }
}

/** One attempt: appends to what an earlier attempt left in `temp` when the server can resume. */
async function fetchToFile(url: string, temp: string, options: DownloadFileOptions): Promise<void> {
  const onDisk = await stat(temp).then((s) => s.size, () => 0);
  const response = await request(url, onDisk, options, 0);
  const status = response.statusCode ?? 0;
  let offset = 0;
  if (status === 206) {
    const range = /^bytes (\d+)-/.exec(response.headers['content-range'] ?? '');
    if (range === null || Number(range[1]) !== onDisk) {
      response.destroy();
      throw new RetryableDownloadError(`server answered a resume request with an unexpected range '${response.headers['content-range']}'`);
    }
    offset = onDisk;
  } else if (status !== 200) {
    response.resume();
    const message = `server answered HTTP ${status} ${response.statusMessage ?? ''}`.trim();
    if (status >= 500 || status === 408 || status === 429) throw new RetryableDownloadError(message);
    throw new Error(`Could not download ${url}: ${message}.${options.helpOnFailure ? ` ${options.helpOnFailure}` : ''}`);
  }

  const contentLength = response.headers['content-length'];
  const bodyBytes = contentLength === undefined ? undefined : Number(contentLength);
  const totalBytes = bodyBytes === undefined ? undefined : offset + bodyBytes;
  let receivedBytes = offset;
  let lastReport = 0;
  const report = () => options.onProgress?.({ url, receivedBytes, totalBytes });
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      receivedBytes += chunk.length;
      const now = Date.now();
      if (now - lastReport >= PROGRESS_INTERVAL_MS) {
        lastReport = now;
        report();
      }
      callback(null, chunk);
    },
  });
  try {
    await pipeline(response, counter, createWriteStream(temp, { flags: offset > 0 ? 'a' : 'w' }), {
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw abortError(url);
    throw new RetryableDownloadError(`transfer interrupted after ${receivedBytes} bytes (${(error as Error).message})`);
  }
  report();
  if (totalBytes !== undefined && receivedBytes !== totalBytes) {
    throw new RetryableDownloadError(`transfer ended after ${receivedBytes} of ${totalBytes} bytes`);
  }
}

function request(
  url: string,
  resumeFrom: number,
  options: DownloadFileOptions,
  redirects: number,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(abortError(url));
      return;
    }
    const client = url.startsWith('https:') ? https : http;
    const headers: Record<string, string> = { 'user-agent': '@ddar/datasets' };
    if (resumeFrom > 0) headers.range = `bytes=${resumeFrom}-`;
    const req = client.get(url, { headers, signal: options.signal }, (response) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location) {
        response.resume();
        if (redirects >= MAX_REDIRECTS) {
          reject(new Error(`Could not download ${url}: more than ${MAX_REDIRECTS} redirects`));
          return;
        }
        request(new URL(location, url).toString(), resumeFrom, options, redirects + 1).then(resolve, reject);
        return;
      }
      resolve(response);
    });
    req.setTimeout(options.idleTimeoutMs ?? 30000, () => {
      req.destroy(new RetryableDownloadError(`no data for ${options.idleTimeoutMs ?? 30000} ms`));
    });
    req.on('error', (error) => {
      if (options.signal?.aborted) reject(abortError(url));
      else if (error instanceof RetryableDownloadError) reject(error);
      else reject(new RetryableDownloadError(`${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}`.trim()));
    });
  });
}

function abortError(url: string): Error {
  const error = new Error(`Download of ${url} was cancelled`);
  error.name = 'AbortError';
  return error;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('Download was cancelled'));
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new Error('Download was cancelled'));
      },
      { once: true },
    );
  });
}
