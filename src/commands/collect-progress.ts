import { SingleBar } from 'cli-progress';

/** Ctrl-C asked `tracker collect` to stop: what is stored stays, a rerun continues. */
export class StopRequestedError extends Error {
  override name = 'StopRequestedError';
  constructor() {
    super('stopped by Ctrl-C');
  }
}

/** `14:32:05 (2 min 10 s)`: the reset in local time, and how long until then. */
export function describeReset(resetAt: Date, nowMs: number = Date.now()): string {
  const time = resetAt.toLocaleTimeString('en-GB', { hour12: false });
  const seconds = Math.max(0, Math.ceil((resetAt.getTime() - nowMs) / 1000));
  const minutes = Math.floor(seconds / 60);
  const left = minutes > 0 ? `${minutes} min ${seconds % 60} s` : `${seconds} s`;
  return `${time} (${left})`;
}

/**
 * The progress of one `tracker collect` step on stderr, kept across the step's retries: a walk's
 * bar (pages, new posts, how far back) and, while X's rate limit is spent, when it resets. Without a
 * terminal, a wait is one line on the command's output instead.
 */
export class StepProgress {
  readonly #tty: boolean;
  readonly #out: (line: string) => void;
  readonly #signal: AbortSignal;
  #bar: SingleBar | null = null;
  #values = { fraction: 0, pages: 0, posts: 0 };

  constructor(options: { tty: boolean; out: (line: string) => void; signal: AbortSignal }) {
    this.#tty = options.tty;
    this.#out = options.out;
    this.#signal = options.signal;
  }

  /** A bar for a walk (`backfill #OGP16`), shown from now on. */
  walk(label: string): void {
    if (!this.#tty || this.#bar) return;
    this.#bar = new SingleBar({
      format: `${label} [{bar}] {percentage}% | {pages} pages | {posts} new posts{status}`,
      hideCursor: true,
      // Progress goes to stderr, where a terminal shows it; stdout keeps the summary lines.
      stream: process.stderr,
      noTTYOutput: false,
    });
    this.#bar.start(100, 0, { pages: 0, posts: 0, status: '' });
  }

  /** Called after each stored page: it is also where Ctrl-C stops a walk between two pages. */
  update(values: { fraction: number; pages: number; posts: number }): void {
    this.#values = values;
    this.#bar?.update(Math.round(values.fraction * 100), { ...this.#payload(), status: '' });
    if (this.#signal.aborted) throw new StopRequestedError();
  }

  /**
   * Waits, in real time, until X's announced reset (a second past it: X counts whole seconds), and
   * shows it; Ctrl-C ends the wait with StopRequestedError. No request leaves before the reset.
   */
  async waitForReset(resetAt: Date): Promise<void> {
    const untilMs = resetAt.getTime() + 1000;
    const status = () => ` | waiting for X's rate limit until ${describeReset(resetAt)}`;
    let waitBar: SingleBar | null = null;
    if (this.#tty && this.#bar) {
      this.#bar.update({ ...this.#payload(), status: status() });
    } else if (this.#tty) {
      waitBar = new SingleBar({ format: '{status}', stream: process.stderr, noTTYOutput: false });
      waitBar.start(1, 0, { status: status().slice(3) });
    } else {
      this.#out(`  ${status().slice(3)}`);
    }
    try {
      while (Date.now() < untilMs) {
        if (this.#signal.aborted) throw new StopRequestedError();
        await sleep(Math.min(1000, untilMs - Date.now()), this.#signal);
        if (this.#bar) this.#bar.update({ ...this.#payload(), status: status() });
        waitBar?.update({ status: status().slice(3) });
      }
      if (this.#signal.aborted) throw new StopRequestedError();
    } finally {
      waitBar?.stop();
      this.#bar?.update({ ...this.#payload(), status: '' });
    }
  }

  done(): void {
    if (!this.#bar) return;
    this.#bar.update(100);
    this.#bar.stop();
    this.#bar = null;
  }

  #payload() {
    return { pages: this.#values.pages, posts: this.#values.posts };
  }
}

/** Resolves after `ms`, or at once when the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
