import type { MessageView } from '../message/view.js';
import { isPhased, type ChainFilter, type ExchangeContext, type Filter, type FilterCondition, type PhasedFilter } from './filter.js';
import { matchGlob } from './glob.js';
import { FilterCounters, type LatencyRecorder } from './stats.js';

/** What to do when a filter throws: reject the message, skip the filter, or answer a default. */
export type FallbackBehavior = 'REJECT' | 'PASSTHROUGH' | 'DEFAULT';

/** Per-filter placement options in a chain. */
export interface EntryOptions {
  /** Unique name in the chain (default: the filter type, suffixed when taken). */
  readonly name?: string;
  /** Only run when the condition matches. */
  readonly when?: FilterCondition;
  /** Start disabled (default: enabled). */
  readonly enabled?: boolean;
  /** Override the chain's fallback for this filter. */
  readonly fallback?: FallbackBehavior;
  /** Never skip this filter on failure, whatever the fallback. */
  readonly failClosed?: boolean;
}

function methodMatches(globs: readonly string[], method: string | undefined): boolean {
  let included = false;
  let hasInclude = false;
  for (const glob of globs) {
    if (glob.startsWith('!')) {
      if (method !== undefined && matchGlob(glob.slice(1), method)) return false;
    } else {
      hasInclude = true;
      if (method !== undefined && matchGlob(glob, method)) included = true;
    }
  }
  return hasInclude ? included : true;
}

/** One filter in a chain, with its switches and counters. */
export class ChainEntry {
  enabled: boolean;
  /** The filter when it is written as phases (run by the chain without a promise per step). */
  readonly phased: PhasedFilter | undefined;

  constructor(
    readonly name: string,
    readonly filter: ChainFilter,
    readonly options: EntryOptions,
    readonly latency: LatencyRecorder | undefined,
    /** Counters of the slot: a replacement filter carries on its predecessor's. */
    readonly counters: FilterCounters = new FilterCounters(),
  ) {
    this.enabled = options.enabled ?? true;
    this.phased = isPhased(filter) ? filter : undefined;
  }

  get failClosed(): boolean {
    return this.options.failClosed === true || (this.filter as Filter).failClosed === true;
  }

  /** True when the filter applies to `message` in `context`. */
  matches(message: MessageView, context: ExchangeContext): boolean {
    const when = this.options.when;
    if (when === undefined) return true;
    if (when.direction !== undefined && when.direction !== context.direction) return false;
    if (when.transports !== undefined && !when.transports.includes(context.transport)) return false;
    if (when.kinds !== undefined && !when.kinds.includes(message.kind)) return false;
    if (when.methods !== undefined && !methodMatches(when.methods, message.method)) return false;
    return true;
  }
}
