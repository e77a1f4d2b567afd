import type { Clock, ClockTimer } from '../context/clock.js';
import type { JsonRpcId } from '../message/jsonrpc.js';
import type { MessageView } from '../message/view.js';

/**
 * How a wait ended when it did not end with the real response:
 * `timeout`: no response in time; `cancelled`: the requester cancelled it; `closed`: the transport
 * closed; `unsent`: the request could not be sent.
 */
export type ReleaseReason = 'timeout' | 'cancelled' | 'closed' | 'unsent';

/** One request handed on and waiting for its response. */
interface Waiter {
  readonly resolve: (response: MessageView) => void;
  readonly end: (reason: ReleaseReason) => void;
  timer: ClockTimer | undefined;
}

/** The key of an exchange: its id within its session (ids of different types never collide). */
export function exchangeKey(sessionId: string | undefined, id: JsonRpcId | null | undefined): string {
  return `${sessionId ?? ''}\u0000${typeof id}\u0000${String(id)}`;
}

/** Keys remembered after a wait ended without its response, so that a late response is recognised. */
const REMEMBERED_KEYS = 10_000;

/**
 * Requests handed on and waiting for their response, correlated by `exchangeKey`. A wait ends with
 * the response, or is released (timeout, cancellation, close) with a synthetic response so that
 * the chain's response phases always run and nothing is left behind; a response that comes after
 * its wait was released (timeout, cancellation, close) is recognised as late.
 */
export class AwaitingResponses {
  private readonly waiters = new Map<string, Waiter>();
  private readonly late = new Set<string>();

  /** `timeoutMs` 0 waits without a timeout. */
  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
  ) {}

  /** Requests waiting. */
  get size(): number {
    return this.waiters.size;
  }

  has(key: string): boolean {
    return this.waiters.has(key);
  }

  /**
   * Waits for the response of `key`. When the wait ends otherwise (`timeout` after the configured
   * time, or {@link release}), `abort` is aborted and `onRelease(reason)` makes the response.
   */
  wait(key: string, abort: { abort(reason: unknown): void }, onRelease: (reason: ReleaseReason) => MessageView): Promise<MessageView> {
    this.late.delete(key);
    return new Promise<MessageView>((resolve) => {
      const waiter: Waiter = {
        resolve,
        end: (reason) => {
          if (this.waiters.get(key) !== waiter) return;
          this.waiters.delete(key);
          waiter.timer?.cancel();
          abort.abort(new Error(`exchange ended: ${reason}`));
          if (reason !== 'unsent') this.remember(key); // its response, if it ever comes, is late
          resolve(onRelease(reason));
        },
        timer: undefined,
      };
      if (this.timeoutMs > 0) waiter.timer = this.clock.setTimer(this.timeoutMs, () => waiter.end('timeout'));
      this.waiters.set(key, waiter);
    });
  }

  /** Hands `response` to the wait of `key`: `settled`, `late` (its wait was released), or `none`. */
  settle(key: string, response: MessageView): 'settled' | 'late' | 'none' {
    const waiter = this.waiters.get(key);
    if (waiter === undefined) return this.late.delete(key) ? 'late' : 'none';
    this.waiters.delete(key);
    waiter.timer?.cancel();
    waiter.resolve(response);
    return 'settled';
  }

  /** Ends the wait of `key` without its response; false when nothing waits on `key`. */
  release(key: string, reason: ReleaseReason): boolean {
    const waiter = this.waiters.get(key);
    if (waiter === undefined) return false;
    waiter.end(reason);
    return true;
  }

  /** Ends every wait (the transport closed). */
  releaseAll(reason: ReleaseReason): void {
    for (const waiter of [...this.waiters.values()]) waiter.end(reason);
  }

  private remember(key: string): void {
    this.late.add(key);
    if (this.late.size > REMEMBERED_KEYS) {
      const oldest = this.late.values().next().value;
      if (oldest !== undefined) this.late.delete(oldest);
    }
  }
}
