import type { CallOutcome } from '../shared/outcome.js';
import { RollingWindow } from './rolling-window.js';

/** The states of a circuit. */
export type CircuitState = 'closed' | 'open' | 'half_open';

/** Why a circuit changed state. */
export type CircuitTransitionReason =
  | 'consecutive_failures'
  | 'error_rate'
  | 'slow_call_rate'
  | 'open_elapsed'
  | 'probe_failed'
  | 'probes_succeeded';

/** The thresholds of a circuit (the circuit_breaker options). */
export interface CircuitSettings {
  readonly consecutiveFailures: number;
  readonly errorRateThreshold: number;
  readonly minimumRequests: number;
  readonly windowMs: number;
  readonly windowBuckets: number;
  readonly slowCallMs?: number | undefined;
  readonly slowCallRateThreshold: number;
  readonly openMs: number;
  readonly halfOpenProbes: number;
}

/** Leave to make one call through a circuit; give it back with `record` or `release`. */
export interface CircuitPermit {
  readonly epoch: number;
  readonly probe: boolean;
  done: boolean;
}

/** A circuit's state as read at a moment. */
export interface CircuitSnapshot {
  readonly target: string;
  readonly state: CircuitState;
  readonly consecutiveFailures: number;
  /** Calls, failures and slow calls in the rolling window. */
  readonly window: { readonly total: number; readonly failures: number; readonly slow: number };
  /** When an open circuit lets probes through (clock ms); undefined unless open. */
  readonly opensHalfAt?: number;
}

/**
 * One circuit: closed (calls flow, outcomes counted), open (calls refused until `openMs` has
 * passed), half-open (`halfOpenProbes` probe calls let through: one failure, or a slow probe, opens
 * it again; all succeeding closes it). Outcomes of calls admitted before the last state change are
 * ignored. Time comes from the caller (clock ms), so a ManualClock drives it exactly.
 */
export class Circuit {
  private current: CircuitState = 'closed';
  private epoch = 0;
  private openedAt = 0;
  private consecutive = 0;
  private probesInFlight = 0;
  private probeSuccesses = 0;
  private readonly window: RollingWindow;

  constructor(
    readonly target: string,
    private readonly settings: CircuitSettings,
    private readonly onTransition: (target: string, from: CircuitState, to: CircuitState, reason: CircuitTransitionReason) => void,
  ) {
    this.window = new RollingWindow(settings.windowMs, settings.windowBuckets);
  }

  /** The state at `now` (an open circuit whose time is up turns half-open). */
  state(now: number): CircuitState {
    if (this.current === 'open' && now >= this.openedAt + this.settings.openMs) this.transition('half_open', now, 'open_elapsed');
    return this.current;
  }

  /** A permit for one call at `now`, or the ms to wait when the circuit refuses it. */
  acquire(now: number): CircuitPermit | number {
    const state = this.state(now);
    if (state === 'closed') return { epoch: this.epoch, probe: false, done: false };
    if (state === 'open') return Math.max(1, Math.ceil(this.openedAt + this.settings.openMs - now));
    if (this.probesInFlight + this.probeSuccesses < this.settings.halfOpenProbes) {
      this.probesInFlight++;
      return { epoch: this.epoch, probe: true, done: false };
    }
    return Math.max(1, Math.min(this.settings.openMs, 1000));
  }

  /** Counts the outcome of a call made with `permit`, ending at `now` after `durationMs`. */
  record(permit: CircuitPermit, outcome: CallOutcome, durationMs: number, now: number): void {
    if (permit.done) return;
    permit.done = true;
    const current = permit.epoch === this.epoch;
    if (permit.probe && current) this.probesInFlight--;
    if (!current || outcome === 'ignored') return;
    const failure = outcome === 'failure';
    const slow = this.settings.slowCallMs !== undefined && durationMs >= this.settings.slowCallMs;
    if (permit.probe) {
      if (failure || slow) {
        this.transition('open', now, 'probe_failed');
      } else if (++this.probeSuccesses >= this.settings.halfOpenProbes) {
        this.transition('closed', now, 'probes_succeeded');
      }
      return;
    }
    this.window.record(now, failure, slow);
    this.consecutive = failure ? this.consecutive + 1 : 0;
    if (failure && this.consecutive >= this.settings.consecutiveFailures) {
      this.transition('open', now, 'consecutive_failures');
      return;
    }
    // The window was brought to `now` by record(): read its sums without another pass.
    const window = this.window;
    const total = window.total;
    if (total < this.settings.minimumRequests) return;
    const failures = window.failureCount;
    const slowCalls = window.slowCount;
    if (failures > 0 && failures / total >= this.settings.errorRateThreshold) {
      this.transition('open', now, 'error_rate');
    } else if (this.settings.slowCallMs !== undefined && slowCalls > 0 && slowCalls / total >= this.settings.slowCallRateThreshold) {
      this.transition('open', now, 'slow_call_rate');
    }
  }

  /** Gives a permit back unused (the call was not made). */
  release(permit: CircuitPermit): void {
    if (permit.done) return;
    permit.done = true;
    if (permit.probe && permit.epoch === this.epoch) this.probesInFlight--;
  }

  /** The circuit as read at `now`. */
  snapshot(now: number): CircuitSnapshot {
    const state = this.state(now);
    return {
      target: this.target,
      state,
      consecutiveFailures: this.consecutive,
      window: this.window.counts(now),
      ...(state === 'open' ? { opensHalfAt: this.openedAt + this.settings.openMs } : {}),
    };
  }

  private transition(to: CircuitState, now: number, reason: CircuitTransitionReason): void {
    const from = this.current;
    this.current = to;
    this.epoch++;
    this.probesInFlight = 0;
    this.probeSuccesses = 0;
    if (to === 'open') this.openedAt = now;
    if (to === 'closed') {
      this.window.reset();
      this.consecutive = 0;
    }
    this.onTransition(this.target, from, to, reason);
  }
}
