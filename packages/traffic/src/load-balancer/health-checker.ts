import type { Clock, ClockTimer } from '@gopher-mcp/core';

import type { LoadBalancerTarget, TargetState } from './target-state.js';

/** Pings one target (an MCP `ping` through that target's upstream); resolves when it answered well, rejects otherwise. */
export type PingFunction = (target: LoadBalancerTarget, signal: AbortSignal) => Promise<unknown>;

/** Settings of the active health checks. */
export interface HealthCheckSettings {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly unhealthyThreshold: number;
  readonly healthyThreshold: number;
}

/**
 * Active health checks: each target is pinged at once and then `intervalMs` after each check
 * ends (answered, failed or timed out after `timeoutMs`, when its ping is aborted). A target turns
 * unhealthy after `unhealthyThreshold` failures in a row and healthy again after
 * `healthyThreshold` successes in a row. Runs on the chain's clock.
 */
export class HealthChecker {
  private readonly timers = new Map<TargetState, ClockTimer>();
  private readonly inFlight = new Set<AbortController>();
  private closed = false;

  constructor(
    private readonly targets: readonly TargetState[],
    private readonly settings: HealthCheckSettings,
    private readonly ping: PingFunction,
    private readonly clock: Clock,
    private readonly onChange: (target: TargetState, healthy: boolean) => void,
  ) {}

  /** Starts checking every target. */
  start(): void {
    for (const target of this.targets) this.schedule(target, 0);
  }

  /** Stops every timer and aborts the pings in flight. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
  }

  private schedule(target: TargetState, delayMs: number): void {
    if (this.closed) return;
    this.timers.set(
      target,
      this.clock.setTimer(delayMs, () => this.check(target)),
    );
  }

  private check(target: TargetState): void {
    if (this.closed) return;
    const controller = new AbortController();
    this.inFlight.add(controller);
    let settled = false;
    const finish = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      this.inFlight.delete(controller);
      if (this.closed) return;
      this.result(target, ok);
      this.schedule(target, this.settings.intervalMs);
    };
    const timeout = this.clock.setTimer(this.settings.timeoutMs, () => {
      controller.abort();
      finish(false);
    });
    let pending: Promise<unknown>;
    try {
      pending = Promise.resolve(this.ping(target, controller.signal));
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      () => {
        timeout.cancel();
        finish(true);
      },
      () => {
        timeout.cancel();
        finish(false);
      },
    );
  }

  private result(target: TargetState, ok: boolean): void {
    if (ok) {
      target.badChecks = 0;
      target.goodChecks++;
      if (!target.healthy && target.goodChecks >= this.settings.healthyThreshold) {
        target.healthy = true;
        this.onChange(target, true);
      }
    } else {
      target.goodChecks = 0;
      target.badChecks++;
      if (target.healthy && target.badChecks >= this.settings.unhealthyThreshold) {
        target.healthy = false;
        this.onChange(target, false);
      }
    }
  }
}
