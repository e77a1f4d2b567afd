import type { EntryOptions, FallbackBehavior } from '../chain/entry.js';
import type { ChainEventSink } from '../chain/events.js';
import type { FilterCondition } from '../chain/filter.js';
import { engineLatency } from '../chain/engine-latency.js';
import { FilterChain } from '../chain/filter-chain.js';
import type { LatencyRecorder } from '../chain/stats.js';
import type { Clock } from '../context/clock.js';
import type { Logger } from '../context/logger.js';
import { parseFilterManagerConfig, parseWithSchema, type FilterManagerConfigInput } from '../config/filter-manager-config.js';
import { enabledSections } from '../config/sections.js';
import { loadEngine } from '../engine/loader.js';
import type { Engine } from '../engine/types.js';
import { ConfigError } from '../errors/filter-errors.js';
import { defaultRegistry, type FilterRegistry, type PackageImporter } from '../registry/registry.js';
import { FilterManager, type FilterManagerOptions } from './filter-manager.js';

/** Runtime parts of a manager built from config: what a config file cannot hold. */
export interface FromConfigOptions {
  /** Where filter families are looked up and registered (default: the process-wide registry). */
  readonly registry?: FilterRegistry;
  /** How family packages are imported (default: dynamic `import()`). */
  readonly importer?: PackageImporter;
  /** Overrides the engine the config selects. */
  readonly engine?: Engine;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly events?: ChainEventSink;
  /** Latency recorders: `true` (default) the engine's histograms, `false` none, or a factory. */
  readonly latency?: boolean | ((name: string) => LatencyRecorder);
  readonly onTimeout?: FilterManagerOptions['onTimeout'];
}

/**
 * Validates `input`, loads the family package of every enabled filter (failing with the package
 * to install when one is missing), and builds the chain in the standard order followed by the
 * custom filters at their positions.
 */
export async function filterManagerFromConfig(input: FilterManagerConfigInput | unknown, options: FromConfigOptions = {}): Promise<FilterManager> {
  const config = parseFilterManagerConfig(input);
  const registry = options.registry ?? defaultRegistry;
  const sections = config.enabled ? enabledSections(config) : [];
  await registry.ensure(
    sections.map((s) => s.type),
    options.importer,
  );
  const stopOnError = config.errorHandling.stopOnError;
  const engine = options.engine ?? loadEngine({ engine: config.engine }).engine;
  const latency = options.latency === false ? undefined : options.latency === true || options.latency === undefined ? engineLatency(engine) : options.latency;
  const chain = new FilterChain({
    engine,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.events === undefined ? {} : { events: options.events }),
    ...(latency === undefined ? {} : { latency }),
    fallback: stopOnError ? 'REJECT' : config.errorHandling.fallbackBehavior,
    ...(config.errorHandling.defaultResponse === undefined ? {} : { defaultResponse: config.errorHandling.defaultResponse }),
  });
  try {
    for (const section of sections) {
      const factory = registry.get(section.type);
      if (factory === undefined) throw new ConfigError(`no factory registered for ${section.type}`);
      const filterOptions = parseWithSchema(factory.schema, section.options, `${section.path} options`);
      chain.add(factory.define(filterOptions), entryOptions(section.options, stopOnError));
    }
    if (config.enabled) {
      for (const [index, custom] of config.customFilters.entries()) {
        if (!custom.enabled) continue;
        const factory = registry.get(custom.type);
        if (factory === undefined) {
          throw new ConfigError(`customFilters.${index}.type: no filter type "${custom.type}" is registered (register it with registry.registerFactory)`, [
            { path: `customFilters.${index}.type`, message: `unknown filter type "${custom.type}"` },
          ]);
        }
        const filterOptions = parseWithSchema(factory.schema, custom.options ?? {}, `customFilters.${index}.options`);
        chain.add(factory.define(filterOptions), entryOptions(custom, stopOnError), custom.position);
      }
    }
  } catch (error) {
    await chain.close();
    throw error;
  }
  return new FilterManager({
    chain,
    exchangeTimeoutMs: config.exchangeTimeoutMs,
    upstreamRetries: config.errorHandling.retryAttempts,
    ...(options.onTimeout === undefined ? {} : { onTimeout: options.onTimeout }),
  });
}

function entryOptions(section: { readonly enabled: boolean; readonly name?: unknown; readonly when?: unknown; readonly fallback?: unknown }, stopOnError: boolean): EntryOptions {
  return {
    ...(typeof section.name === 'string' ? { name: section.name } : {}),
    ...(section.when === undefined ? {} : { when: section.when as FilterCondition }),
    ...(section.fallback === undefined || stopOnError ? {} : { fallback: section.fallback as FallbackBehavior }),
  };
}
