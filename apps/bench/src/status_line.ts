/** The stream a status line is written to: just what is needed of `process.stderr`. */
export interface StatusStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface StatusLineOptions {
  /** Least time between two redraws on a terminal. Default 100 ms. */
  redrawMs?: number;
  /** Elsewhere, the most time between two plain lines while the status changes. Default 30 s. */
  plainEveryMs?: number;
  now?: () => number;
}

/**
 * One status that keeps changing (e.g. `420/1000 images`). On a terminal it is redrawn in place with `\r`; anywhere
 * else (CI logs, files) carriage returns would pile up into one unreadable line, so it becomes a plain line now and
 * then: the first status, every tenth of the way when a fraction is given, at least every `plainEveryMs`, and the last.
 * Every `\r` the CLI writes goes through here.
 */
export class StatusLine {
  private readonly tty: boolean;
  private readonly redrawMs: number;
  private readonly plainEveryMs: number;
  private readonly now: () => number;
  private lastWrite = -Infinity;
  private lastTenth = -1;
  /** What the stream shows last, and the newest status (which a throttled update may not have written yet). */
  private shown: string | undefined;
  private latest: string | undefined;
  private drawnWidth = 0;

  constructor(private readonly stream: StatusStream = process.stderr, options: StatusLineOptions = {}) {
    this.tty = stream.isTTY === true;
    this.redrawMs = options.redrawMs ?? 100;
    this.plainEveryMs = options.plainEveryMs ?? 30_000;
    this.now = options.now ?? (() => performance.now());
  }

  /** The newest status; `fraction` (0 to 1) of the work done, when known, decides when a plain line is due. */
  update(text: string, fraction?: number): void {
    this.latest = text;
    const now = this.now();
    if (this.tty) {
      if (now - this.lastWrite < this.redrawMs && !(fraction !== undefined && fraction >= 1)) return;
      this.draw(text, now);
      return;
    }
    const tenth = fraction === undefined ? -1 : Math.floor(Math.min(1, Math.max(0, fraction)) * 10);
    const due = this.shown === undefined || tenth > this.lastTenth || now - this.lastWrite >= this.plainEveryMs;
    if (tenth > this.lastTenth) this.lastTenth = tenth;
    if (due && text !== this.shown) this.plain(text, now);
  }

  /** Ends the status: the newest one stays on screen (or in the log), and what follows starts on a line of its own. */
  end(): void {
    if (this.latest !== undefined && this.latest !== this.shown) {
      if (this.tty) this.draw(this.latest, this.now());
      else this.plain(this.latest, this.now());
    }
    if (this.tty && this.drawnWidth > 0) this.stream.write('\n');
    this.drawnWidth = 0;
    this.shown = undefined;
    this.latest = undefined;
    this.lastTenth = -1;
    this.lastWrite = -Infinity;
  }

  private draw(text: string, now: number): void {
    const columns = this.stream.columns ?? 120;
    // The terminal wraps a line as long as itself, and \r then returns to the wrapped part only.
    const fitted = text.length >= columns ? text.slice(0, Math.max(0, columns - 1)) : text;
    // Blanks over what a longer previous status left.
    this.stream.write(`\r${fitted.padEnd(this.drawnWidth)}`);
    this.drawnWidth = fitted.length;
    this.shown = text;
    this.lastWrite = now;
  }

  private plain(text: string, now: number): void {
    this.stream.write(`${text}\n`);
    this.shown = text;
    this.lastWrite = now;
  }
}
