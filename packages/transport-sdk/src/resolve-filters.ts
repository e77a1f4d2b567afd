import { FilterManager, parseFilterManagerConfig, type FilterChain, type FromConfigOptions } from '@gopher-mcp/core';

import type { FiltersInput } from './options.js';

/** The chain a transport runs, how to get it, and whether the transport owns it. */
export interface ResolvedFilters {
  /** The chain, when known at construction. */
  readonly chain: FilterChain | undefined;
  /** The manager the transport made or was given, when there is one. */
  readonly manager: FilterManager | undefined;
  /** Builds the manager of a configuration (at `start()`). */
  readonly build: (() => Promise<FilterManager>) | undefined;
  /** True when the transport made what it runs. */
  readonly made: boolean;
}

function isManager(value: object): value is FilterManager {
  const candidate = value as Partial<FilterManager>;
  return typeof candidate.getStats === 'function' && typeof candidate.process === 'function' && typeof candidate.chain === 'object';
}

function isChain(value: object): value is FilterChain {
  const candidate = value as Partial<FilterChain>;
  return typeof candidate.run === 'function' && typeof candidate.add === 'function';
}

/**
 * Sorts out what the caller passed: a manager or chain is used as is; a list of filters becomes a
 * manager now; a configuration is validated now (a bad one throws `ConfigError` naming the path)
 * and built later, since loading the family packages it enables is asynchronous.
 */
export function resolveFilters(input: FiltersInput, fromConfig: FromConfigOptions | undefined): ResolvedFilters {
  if (typeof input !== 'object' || input === null) {
    throw new TypeError('filters must be a FilterManager, a FilterChain, a list of filters or a FilterManager config object');
  }
  if (Array.isArray(input)) {
    const manager = new FilterManager({
      filters: input,
      ...(fromConfig?.engine === undefined ? {} : { engine: fromConfig.engine }),
      ...(fromConfig?.clock === undefined ? {} : { clock: fromConfig.clock }),
      ...(fromConfig?.logger === undefined ? {} : { logger: fromConfig.logger }),
      ...(fromConfig?.events === undefined ? {} : { events: fromConfig.events }),
      ...(fromConfig?.latency === undefined ? {} : { latency: fromConfig.latency }),
    });
    return { chain: manager.chain, manager, build: undefined, made: true };
  }
  if (isManager(input)) return { chain: input.chain, manager: input, build: undefined, made: false };
  if (isChain(input)) return { chain: input, manager: undefined, build: undefined, made: false };
  parseFilterManagerConfig(input); // validated now: throws ConfigError naming the path
  return { chain: undefined, manager: undefined, build: () => FilterManager.fromConfig(input, fromConfig), made: true };
}
