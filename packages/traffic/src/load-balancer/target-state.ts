/** An upstream target as the load balancer's options and functions see it. */
export interface LoadBalancerTarget {
  readonly id: string;
  readonly url?: string | undefined;
  readonly weight: number;
}

/** A target as read at a moment (load balancer statistics). */
export interface TargetSnapshot {
  readonly id: string;
  readonly weight: number;
  /** False after `unhealthyThreshold` failed health checks in a row (until `healthyThreshold` good ones). */
  readonly healthy: boolean;
  /** True while ejected by outlier detection. */
  readonly ejected: boolean;
  /** Calls sent and not answered yet. */
  readonly outstanding: number;
  /** The latency estimate of `p2c_ewma` in ms (0 before the first answer). */
  readonly latencyMs: number;
  readonly consecutiveFailures: number;
}

/** The load balancer's mutable record of one target. */
export class TargetState implements LoadBalancerTarget {
  readonly id: string;
  readonly url: string | undefined;
  readonly weight: number;
  outstanding = 0;
  /** Peak EWMA of the latency in ms; `latencyAt` < 0 before the first sample. */
  latencyMs = 0;
  latencyAt = -1;
  /** Active health: the state and the run of results in the current direction. */
  healthy = true;
  goodChecks = 0;
  badChecks = 0;
  /** Passive outlier detection. */
  consecutiveFailures = 0;
  ejectedUntil = 0;
  ejections = 0;
  returnedAt = Number.NEGATIVE_INFINITY;
  /** Smooth weighted round robin's running weight. */
  currentWeight = 0;

  constructor(
    target: LoadBalancerTarget,
    readonly index: number,
  ) {
    this.id = target.id;
    this.url = target.url;
    this.weight = target.weight;
  }

  /** True when the target takes calls: healthy and not ejected. */
  get available(): boolean {
    return this.healthy && this.ejectedUntil === 0;
  }

  /** Adds one latency sample at `now`: a slower sample takes over at once (peak), a faster one decays in with time constant `decayMs`. */
  observeLatency(latencyMs: number, now: number, decayMs: number): void {
    if (this.latencyAt < 0 || latencyMs > this.latencyMs) {
      this.latencyMs = latencyMs;
    } else {
      const weight = Math.exp(-Math.max(0, now - this.latencyAt) / decayMs);
      this.latencyMs = this.latencyMs * weight + latencyMs * (1 - weight);
    }
    this.latencyAt = now;
  }

  snapshot(): TargetSnapshot {
    return {
      id: this.id,
      weight: this.weight,
      healthy: this.healthy,
      ejected: this.ejectedUntil !== 0,
      outstanding: this.outstanding,
      latencyMs: this.latencyMs,
      consecutiveFailures: this.consecutiveFailures,
    };
  }
}
