import type { CampaignUpdateEventJson } from '../api-contract.ts';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'polling';

export interface LiveHandlers {
  /** new data to read: `at` is when the dashboard relayed the write (null from polling) */
  refresh(at: string | null): void;
  state(state: LiveState): void;
}

/** While polling, the event stream is tried again this often. */
const retryStreamMs = 30_000;

/**
 * Follows the campaign's event stream. EventSource reconnects by itself after a network cut or a
 * server restart; every (re)connection triggers a refresh, since updates may have been missed.
 * When the stream is refused (no Redis behind the dashboard: 503) the page polls every `pollMs`
 * and tries the stream again every 30 s.
 */
export function followCampaign(url: string, pollMs: number, handlers: LiveHandlers): void {
  let pollTimer: ReturnType<typeof setInterval> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const poll = () => {
    handlers.state('polling');
    pollTimer ??= setInterval(() => handlers.refresh(null), pollMs);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(open, retryStreamMs);
  };

  const open = () => {
    if (typeof EventSource === 'undefined') return poll();
    const source = new EventSource(url);
    source.addEventListener('open', () => {
      clearInterval(pollTimer);
      pollTimer = undefined;
      handlers.state('live');
      handlers.refresh(null);
    });
    source.addEventListener('update', (event) => {
      handlers.refresh(parseAt((event as MessageEvent<string>).data));
    });
    source.addEventListener('error', () => {
      // CLOSED: the server refused the stream (it will not retry); CONNECTING: it retries by itself.
      if (source.readyState === EventSource.CLOSED) poll();
      else handlers.state('reconnecting');
    });
  };

  open();
}

function parseAt(data: string): string | null {
  try {
    return (JSON.parse(data) as CampaignUpdateEventJson).at ?? null;
  } catch {
    return null;
  }
}

/**
 * Runs `task` one at a time: calls made while it runs collapse into one more run after it, so a
 * burst of updates costs at most two reads.
 */
export function serialized(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  const run = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await task();
        } while (again);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  return run;
}
