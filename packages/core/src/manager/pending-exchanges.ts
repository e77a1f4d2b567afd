import type { Clock, ClockTimer } from '../context/clock.js';
import type { JsonRpcId } from '../message/jsonrpc.js';
import type { MessageView } from '../message/view.js';

/** A request forwarded by `process()` and waiting for its response. */
export interface PendingExchange {
  readonly resolve: (response: MessageView) => void;
  readonly timer: ClockTimer;
  readonly abort: AbortController;
}

/** The key of an exchange: its id within its session (ids of different types never collide). */
export function exchangeKey(sessionId: string | undefined, id: JsonRpcId | null | undefined): string {
  return `${sessionId ?? ''}\u0000${typeof id}\u0000${String(id)}`;
}

/**
 * Requests waiting for their response, correlated by session and id. Each has a timer: when the
 * response never comes, the exchange is answered by the timeout and its state released.
 */
export class PendingExchanges {
  private readonly pending = new Map<string, PendingExchange>();
  /** Keys that timed out recently, so their late response can be recognised and dropped. */
  private readonly timedOut = new Set<string>();

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.pending.size;
  }

  has(key: string): boolean {
    return this.pending.has(key);
  }

  /** Waits for the response of `key`; `onTimeout` answers it after `timeoutMs`. */
  wait(key: string, timeoutMs: number, abort: AbortController, onTimeout: () => MessageView): Promise<MessageView> {
    return new Promise<MessageView>((resolve) => {
      const timer = this.clock.setTimer(timeoutMs, () => {
        if (this.pending.get(key)?.timer !== timer) return;
        this.pending.delete(key);
        this.rememberTimedOut(key);
        abort.abort(new Error('exchange timed out'));
        resolve(onTimeout());
      });
      this.pending.set(key, { resolve, timer, abort });
    });
  }

  /** Hands `response` to the exchange waiting on `key`; false when none waits. */
  settle(key: string, response: MessageView): boolean {
    const entry = this.pending.get(key);
    if (entry === undefined) return false;
    this.pending.delete(key);
    entry.timer.cancel();
    entry.resolve(response);
    return true;
  }

  /** True (once) when `key` timed out before its response came. */
  consumeTimedOut(key: string): boolean {
    return this.timedOut.delete(key);
  }

  /** Answers every waiting exchange with `respond(key)` and releases them all. */
  failAll(respond: () => MessageView): void {
    for (const [key, entry] of this.pending) {
      this.pending.delete(key);
      entry.timer.cancel();
      entry.abort.abort(new Error('closed'));
      entry.resolve(respond());
    }
  }

  private rememberTimedOut(key: string): void {
    this.timedOut.add(key);
    if (this.timedOut.size > 10_000) {
      const oldest = this.timedOut.values().next().value;
      if (oldest !== undefined) this.timedOut.delete(oldest);
    }
  }
}
