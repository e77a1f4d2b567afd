// The demo's clock: real time that the story can fast-forward.
import type { Clock, ClockTimer } from '@gopher-mcp/core';

interface PendingTimer {
  readonly due: number;
  readonly callback: () => void;
  handle: NodeJS.Timeout | undefined;
}

/**
 * A {@link Clock} that runs in real time (sub-millisecond, from `performance`) and can skip ahead:
 * `skip(ms)` moves it forward at once and fires the timers that fall due. The filters see a
 * rate-limit window refill or a circuit's open period end without the demo sleeping for it.
 * Timers are unref'd, as the system clock's are: a pending one never keeps the process alive.
 */
export class StoryClock implements Clock {
  private skipped = 0;
  private readonly timers = new Set<PendingTimer>();

  now(): number {
    return performance.timeOrigin + performance.now() + this.skipped;
  }

  setTimer(ms: number, callback: () => void): ClockTimer {
    const timer: PendingTimer = { due: this.now() + Math.max(0, ms), callback, handle: undefined };
    const fire = (): void => {
      if (!this.timers.delete(timer)) return;
      timer.callback();
    };
    timer.handle = setTimeout(fire, Math.max(0, ms));
    timer.handle.unref();
    this.timers.add(timer);
    return {
      cancel: () => {
        clearTimeout(timer.handle);
        this.timers.delete(timer);
      },
    };
  }

  /** Milliseconds skipped so far. */
  get skippedMs(): number {
    return this.skipped;
  }

  /** Moves the clock `ms` forward at once, firing (in order) the timers now due. */
  skip(ms: number): void {
    this.skipped += ms;
    const now = this.now();
    const due = [...this.timers].filter((t) => t.due <= now).sort((a, b) => a.due - b.due);
    for (const timer of due) {
      clearTimeout(timer.handle);
      this.timers.delete(timer);
      timer.callback();
    }
  }
}
