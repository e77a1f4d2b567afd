import type { CallOutcome } from '../shared/outcome.js';
import type { TargetState } from './target-state.js';

/** Settings of passive outlier ejection. */
export interface OutlierSettings {
  readonly consecutiveFailures: number;
  readonly ejectionMs: number;
  readonly maxEjectionMs: number;
  readonly maxEjectionPercent: number;
}

/**
 * Passive outlier ejection: a target whose calls fail `consecutiveFailures` times in a row is
 * ejected for a cool-off, then returns by itself. A target ejected again within `maxEjectionMs`
 * of its return stays out one `ejectionMs` longer each time (at most `maxEjectionMs`). At most
 * `maxEjectionPercent` of the targets (at least one, unless 0) are out at once.
 */
export class OutlierDetector {
  private ejectedCount = 0;
  private readonly maxEjected: number;

  constructor(
    private readonly targets: readonly TargetState[],
    private readonly settings: OutlierSettings,
    private readonly onEject: (target: TargetState, durationMs: number) => void,
    private readonly onReturn: (target: TargetState) => void,
  ) {
    const share = Math.floor((targets.length * settings.maxEjectionPercent) / 100);
    this.maxEjected = settings.maxEjectionPercent > 0 ? Math.max(1, share) : 0;
  }

  /** Counts a call's outcome on `target` at `now`. */
  record(target: TargetState, outcome: CallOutcome, now: number): void {
    if (outcome === 'ignored') return;
    if (outcome === 'success') {
      target.consecutiveFailures = 0;
      return;
    }
    target.consecutiveFailures++;
    if (target.consecutiveFailures < this.settings.consecutiveFailures || target.ejectedUntil !== 0) return;
    if (this.ejectedCount >= this.maxEjected) return;
    if (now - target.returnedAt > this.settings.maxEjectionMs) target.ejections = 0;
    target.ejections++;
    const duration = Math.min(this.settings.ejectionMs * target.ejections, this.settings.maxEjectionMs);
    target.ejectedUntil = now + duration;
    target.consecutiveFailures = 0;
    this.ejectedCount++;
    this.onEject(target, duration);
  }

  /** Returns the targets whose cool-off is over at `now`. */
  refresh(now: number): void {
    if (this.ejectedCount === 0) return;
    for (const target of this.targets) {
      if (target.ejectedUntil !== 0 && now >= target.ejectedUntil) {
        target.ejectedUntil = 0;
        target.returnedAt = now;
        this.ejectedCount--;
        this.onReturn(target);
      }
    }
  }
}
