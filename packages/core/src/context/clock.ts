/** A timer handle of a {@link Clock}. */
export interface ClockTimer {
  /** Cancels the timer; calling it twice is harmless. */
  cancel(): void;
}

/**
 * Time as the SDK sees it. Everything that reads the time or waits takes a Clock, so tests drive
 * time with {@link ManualClock} instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch (may be fractional). */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds of this clock's time. */
  setTimer(ms: number, callback: () => void): ClockTimer;
}

/** The real clock: `Date.now()` and unref'd Node timers (a pending timer never keeps a process alive). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, callback) {
    const handle = setTimeout(callback, Math.max(0, ms));
    handle.unref?.();
    return { cancel: () => clearTimeout(handle) };
  },
};

interface ManualTimer {
  readonly due: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/** A clock that moves only when told to: for tests and simulations. */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: ManualTimer[] = [];

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, callback: () => void): ClockTimer {
    const timer: ManualTimer = { due: this.current + Math.max(0, ms), seq: this.seq++, callback, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Number of timers waiting to fire. */
  get pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, firing due timers in order (timers set while firing fire too if due). */
  advance(ms: number): void {
    this.set(this.current + ms);
  }

  /** Moves time to `ms` (never backwards for timers), firing the timers due by then. */
  set(ms: number): void {
    const target = ms;
    for (;;) {
      const due = this.timers
        .filter((t) => !t.cancelled && t.due <= target)
        .sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (due === undefined) break;
      due.cancelled = true;
      this.current = Math.max(this.current, due.due);
      due.callback();
    }
    this.timers = this.timers.filter((t) => !t.cancelled);
    this.current = target;
  }
}
