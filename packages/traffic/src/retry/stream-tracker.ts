import type { ExchangeContext } from '@gopher-mcp/core';

/** A request being watched for a progress notification. */
export interface WatchedRequest {
  started: boolean;
  release(): void;
}

/**
 * Notices that a request's response has started: a `notifications/progress` carrying the
 * request's progress token (in the same session) passed through the filter while the request was
 * in flight. Only requests in the middle of a retry loop are watched.
 */
export class StreamTracker {
  private readonly watching = new Map<string, WatchedRequest>();

  /** Starts watching the request with `token` in `context`'s session. */
  watch(context: ExchangeContext, token: string | number): WatchedRequest {
    const key = trackerKey(context, token);
    const entry: WatchedRequest = {
      started: false,
      release: () => {
        if (this.watching.get(key) === entry) this.watching.delete(key);
      },
    };
    this.watching.set(key, entry);
    return entry;
  }

  /** Records a progress notification for `token` in `context`'s session. */
  progress(context: ExchangeContext, token: unknown): void {
    if (typeof token !== 'string' && typeof token !== 'number') return;
    const entry = this.watching.get(trackerKey(context, token));
    if (entry !== undefined) entry.started = true;
  }

  /** Requests watched now. */
  get size(): number {
    return this.watching.size;
  }
}

function trackerKey(context: ExchangeContext, token: string | number): string {
  return `${context.session.id ?? ''}\u0000${typeof token}:${String(token)}`;
}
