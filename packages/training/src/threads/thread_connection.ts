import type { Worker } from 'node:worker_threads';

/** The answer every worker of this package gives when a request fails; its message (with the stack) is reported. */
export interface ErrorReply {
  type: 'error';
  message: string;
}

/**
 * The main thread's end of one worker thread: requests go out in order and the worker answers them in order, so each
 * answer resolves the oldest waiting request. An `error` answer, a crash or an exit rejects every waiting request, and
 * every later one, with an error naming the worker (`label`, e.g. `data-parallel worker 1`). Messages that answer no
 * request (progress, say) go to `notice`, which returns true for those it takes.
 */
export class ThreadConnection<Request, Reply extends { type: string }> {
  private readonly waiting: Array<{ resolve: (reply: Reply) => void; reject: (error: Error) => void }> = [];
  private failure: Error | undefined;

  constructor(
    readonly label: string,
    private readonly worker: Worker,
    notice?: (reply: Reply) => boolean,
  ) {
    worker.on('message', (reply: Reply | ErrorReply) => {
      if (reply.type === 'error') this.fail(new Error(`${label}: ${(reply as ErrorReply).message}`));
      else if (notice === undefined || !notice(reply as Reply)) this.waiting.shift()?.resolve(reply as Reply);
    });
    worker.on('error', (error) => this.fail(new Error(`${label} crashed: ${error.message}`)));
    worker.on('exit', (code) => this.fail(new Error(`${label} exited (code ${code})`)));
  }

  /** The error that ended this connection, if one did. */
  get failed(): Error | undefined {
    return this.failure;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.failure);
  }

  /** Sends a request that gets no answer. */
  send(request: Request): void {
    if (this.failure !== undefined) throw this.failure;
    this.worker.postMessage(request);
  }

  /** Sends a request (or none, to await the first message) and resolves with the worker's answer. */
  ask(request?: Request): Promise<Reply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (request !== undefined) this.worker.postMessage(request);
    });
  }

  /** Stops the worker; waiting and later requests reject with `<label> was stopped`. */
  async terminate(): Promise<void> {
    this.worker.removeAllListeners('exit');
    this.fail(new Error(`${this.label} was stopped`));
    await this.worker.terminate();
  }
}
