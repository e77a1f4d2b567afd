import type { LoadBalancerConfig } from '@gopher-mcp/core';

import type { RandomSource } from '../shared/random.js';
import { HashRing } from './hash-ring.js';
import type { TargetState } from './target-state.js';

/** How targets are chosen. `usable` says which targets may be chosen now; `key` is the hash key, when there is one. */
export interface Strategy {
  pick(usable: (target: TargetState) => boolean, key: string | undefined): TargetState | undefined;
}

/** Round robin: the next usable target after the last one chosen, in configured order. */
class RoundRobin implements Strategy {
  private cursor = 0;

  constructor(private readonly targets: readonly TargetState[]) {}

  pick(usable: (target: TargetState) => boolean): TargetState | undefined {
    const n = this.targets.length;
    for (let i = 0; i < n; i++) {
      const index = (this.cursor + i) % n;
      const target = this.targets[index] as TargetState;
      if (usable(target)) {
        this.cursor = index + 1;
        return target;
      }
    }
    return undefined;
  }
}

/**
 * Smooth weighted round robin (nginx): each pick adds every usable target's weight to its running
 * weight, takes the largest (the first on a tie) and takes the sum of the weights off it, so
 * weights 5, 1, 1 give a a b a c a a rather than a a a a a b c.
 */
class SmoothWeightedRoundRobin implements Strategy {
  constructor(private readonly targets: readonly TargetState[]) {}

  pick(usable: (target: TargetState) => boolean): TargetState | undefined {
    let best: TargetState | undefined;
    let total = 0;
    for (const target of this.targets) {
      if (!usable(target)) continue;
      target.currentWeight += target.weight;
      total += target.weight;
      if (best === undefined || target.currentWeight > best.currentWeight) best = target;
    }
    if (best !== undefined) best.currentWeight -= total;
    return best;
  }
}

/** Least outstanding requests; ties go round robin, so equal targets share the load. */
class LeastOutstanding implements Strategy {
  private cursor = 0;

  constructor(private readonly targets: readonly TargetState[]) {}

  pick(usable: (target: TargetState) => boolean): TargetState | undefined {
    const n = this.targets.length;
    let best: TargetState | undefined;
    let bestIndex = 0;
    for (let i = 0; i < n; i++) {
      const index = (this.cursor + i) % n;
      const target = this.targets[index] as TargetState;
      if (!usable(target)) continue;
      if (best === undefined || target.outstanding < best.outstanding) {
        best = target;
        bestIndex = index;
      }
    }
    if (best !== undefined) this.cursor = bestIndex + 1;
    return best;
  }
}

/**
 * Power of two choices: two different usable targets drawn at random, the one with the lower
 * cost taken, cost = latency EWMA x (outstanding + 1) (a target never measured costs 0, so it is
 * tried). The first drawn wins a tie.
 */
class PowerOfTwoEwma implements Strategy {
  private readonly candidates: TargetState[] = [];

  constructor(
    private readonly targets: readonly TargetState[],
    private readonly random: RandomSource,
  ) {}

  pick(usable: (target: TargetState) => boolean): TargetState | undefined {
    const candidates = this.candidates;
    candidates.length = 0;
    for (const target of this.targets) if (usable(target)) candidates.push(target);
    const n = candidates.length;
    if (n <= 1) return candidates[0];
    const a = Math.min(n - 1, Math.floor(this.random() * n));
    let b = Math.min(n - 2, Math.floor(this.random() * (n - 1)));
    if (b >= a) b++;
    const first = candidates[a] as TargetState;
    const second = candidates[b] as TargetState;
    const cost = (t: TargetState): number => t.latencyMs * (t.outstanding + 1);
    return cost(second) < cost(first) ? second : first;
  }
}

/** Consistent hashing on the ring; a request without a key falls back to round robin. */
class ConsistentHash implements Strategy {
  private readonly ring: HashRing;
  private readonly fallback: RoundRobin;

  constructor(targets: readonly TargetState[], virtualNodes: number) {
    this.ring = new HashRing(targets, virtualNodes);
    this.fallback = new RoundRobin(targets);
  }

  pick(usable: (target: TargetState) => boolean, key: string | undefined): TargetState | undefined {
    return key === undefined ? this.fallback.pick(usable) : this.ring.lookup(key, usable);
  }
}

/** Makes the strategy the options name. */
export function createStrategy(config: LoadBalancerConfig, targets: readonly TargetState[], random: RandomSource): Strategy {
  switch (config.strategy) {
    case 'round_robin':
      return new RoundRobin(targets);
    case 'weighted_round_robin':
      return new SmoothWeightedRoundRobin(targets);
    case 'least_outstanding':
      return new LeastOutstanding(targets);
    case 'p2c_ewma':
      return new PowerOfTwoEwma(targets, random);
    case 'consistent_hash':
      return new ConsistentHash(targets, config.virtualNodes);
  }
}
