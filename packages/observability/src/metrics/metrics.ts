import {
  metricsOptionsSchema,
  parseWithSchema,
  type ChainEventSink,
  type Direction,
  type FilterDefinition,
  type FilterSetup,
  type MessageView,
  type MetricsConfig,
  type MetricsConfigInput,
  type PhasedExchange,
  type PhasedFilter,
} from '@gopher-mcp/core';

import { exchangeOutcome, type ExchangeOutcome } from '../outcome.js';
import { loadPromClient } from '../peers.js';
import { exchangeTimer, type ExchangeTimer } from '../timing.js';
import { registerEngineCollectors, type BufferPoolsOption, type EngineHolder } from './collectors.js';
import { eventSinkFor } from './event-sink.js';
import { familiesFor, type McpMetricFamilies } from './families.js';
import type { AnyRegistry } from './registry-type.js';
import { serveMetrics, type MetricsServer } from './serve.js';

/** Options of {@link metrics} that a config file cannot hold. */
export interface MetricsRuntimeOptions {
  /** The prom-client Registry to register in (default: a new one, see `definition.registry`). */
  readonly registry?: AnyRegistry;
  /** Buffer pools whose statistics to export, by name (or a function giving them at scrape time). */
  readonly bufferPools?: BufferPoolsOption;
}

/** Everything {@link metrics} accepts: the schema's options plus the runtime ones. */
export type MetricsOptions = MetricsConfigInput & MetricsRuntimeOptions;

/**
 * What the metrics filter keeps per exchange between its phases: the start time (ms of its
 * duration source), or, when counting the start failed, that time wrapped (so the end is not
 * counted either).
 */
export type MetricsState = number | { readonly uncounted: number };

/** The metrics filter made by the chain: a phased filter (request phase counts the start, response phase the rest). */
export interface MetricsFilter extends PhasedFilter<MetricsState> {
  readonly type: 'metrics';
  onRequest(exchange: PhasedExchange<MetricsState>): undefined;
  onResponse(exchange: PhasedExchange<MetricsState>, response: MessageView | undefined): MessageView | undefined;
  /** The registry its metrics live in. */
  readonly registry: AnyRegistry;
  /** The registry in the Prometheus text format. */
  scrape(): Promise<string>;
  /** The endpoint of the `serve` option once it listens; undefined without `serve`. */
  server(): Promise<MetricsServer | undefined>;
}

/** What {@link metrics} returns: the filter definition, its registry and its event sink. */
export interface MetricsDefinition extends FilterDefinition {
  readonly type: 'metrics';
  /** The validated options. */
  readonly options: MetricsConfig;
  /** The registry the metrics live in (the one given, or the one made). */
  readonly registry: AnyRegistry;
  /**
   * The chain event sink that turns filter events into metrics (circuit breaker states, filter
   * errors): pass it as the chain's `events` (see `combineEventSinks` to add your own).
   */
  readonly eventSink: ChainEventSink;
  create(setup: FilterSetup): MetricsFilter;
  /** The registry in the Prometheus text format. */
  scrape(): Promise<string>;
  /**
   * The endpoint of the `serve` option once it listens (it starts with the first filter made from
   * this definition and stops with the last one's close); undefined without `serve`.
   */
  server(): Promise<MetricsServer | undefined>;
}

const OPPOSITE: Readonly<Record<Direction, Direction>> = { inbound: 'outbound', outbound: 'inbound' };

/** `error.type` of the OpenTelemetry conventions: '' when ok, `tool_error`, the code as text, or `_OTHER`. */
function errorType(families: McpMetricFamilies, outcome: ExchangeOutcome): string {
  if (outcome.outcome === 'ok') return '';
  if (outcome.outcome === 'tool_error') return 'tool_error';
  return outcome.code === undefined ? '_OTHER' : families.errorTypes.value(String(outcome.code));
}

function limitName(response: MessageView | undefined): string {
  const data = response?.error?.data;
  const limit = typeof data === 'object' && data !== null ? (data as { limit?: unknown }).limit : undefined;
  return typeof limit === 'string' ? limit : '';
}

class MetricsFilterImpl implements MetricsFilter {
  readonly type = 'metrics' as const;
  private readonly timer: ExchangeTimer;
  private readonly logger: FilterSetup['logger'];
  private failures = 0;

  constructor(
    private readonly families: McpMetricFamilies,
    setup: FilterSetup,
    private readonly onClose: () => Promise<void>,
    readonly server: () => Promise<MetricsServer | undefined>,
  ) {
    this.timer = exchangeTimer(setup.clock);
    this.logger = setup.logger;
  }

  get registry(): AnyRegistry {
    return this.families.registry;
  }

  scrape(): Promise<string> {
    return this.families.registry.metrics();
  }

  onRequest(exchange: PhasedExchange<MetricsState>): undefined {
    const { message, context } = exchange;
    try {
      this.families.hot.started(context.direction, message.kind, message.size);
      exchange.state = this.timer.start(exchange);
    } catch (error) {
      exchange.state = { uncounted: this.timer.start(exchange) };
      this.failed(error);
    }
    return undefined;
  }

  onResponse(exchange: PhasedExchange<MetricsState>, response: MessageView | undefined): MessageView | undefined {
    // Counting must never fail an exchange: a failure is reported once, not rethrown.
    try {
      const state = exchange.state as MetricsState;
      let started: number;
      if (typeof state === 'number') {
        started = state;
        this.families.hot.ended(exchange.context.direction);
      } else {
        started = state.uncounted;
      }
      this.count(exchange, response, started);
    } catch (error) {
      this.failed(error);
    }
    return response;
  }

  private failed(error: unknown): void {
    if (this.failures++ === 0) {
      this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'gopher-mcp: metrics recording failed; exchanges are unaffected');
    }
  }

  private count(exchange: PhasedExchange<MetricsState>, response: MessageView | undefined, started: number): void {
    const families = this.families;
    const { message, context } = exchange;
    const seconds = Math.max(0, (this.timer.end(exchange) - started) / 1000); // an injected clock may step back
    const outcome = exchangeOutcome(message, response, context);
    const direction = context.direction;
    const route = families.routes.route(message.method, message.toolName);
    route.duration(direction, errorType(families, outcome), seconds);
    if (message.kind === 'request') {
      route.request(direction, outcome.outcome);
      if (response !== undefined) families.hot.message(OPPOSITE[direction], response.kind, response.size);
    }
    if (outcome.outcome === 'denied') {
      const filter = families.configured.value(outcome.deniedBy);
      families.denials.inc(families.withConst({ filter, code: String(outcome.code) }));
      if (outcome.code === 429) families.rateLimited.inc(families.withConst({ filter, limit: families.configured.value(limitName(response)) }));
    }
  }

  close(): Promise<void> {
    return this.onClose();
  }
}

/** Makes the metrics definition from validated options (what the family's factory calls). */
export function defineMetrics(options: MetricsConfig, runtime: MetricsRuntimeOptions = {}): MetricsDefinition {
  const prom = loadPromClient();
  const registry = runtime.registry ?? new prom.Registry();
  const families = familiesFor(prom, registry, {
    namespace: options.namespace,
    buckets: options.buckets,
    labels: options.labels,
    maxToolLabels: options.maxToolLabels,
    maxMethodLabels: options.maxMethodLabels,
    recorder: options.recorder,
  });
  const holder: EngineHolder = { engine: undefined };
  registerEngineCollectors(registry, options.namespace, options.labels, holder, runtime.bufferPools);
  let live = 0;
  let serving: Promise<MetricsServer> | undefined;
  const stopServing = async (): Promise<void> => {
    const current = serving;
    serving = undefined;
    if (current !== undefined) await current.then((s) => s.close(), () => undefined);
  };
  const server = (): Promise<MetricsServer | undefined> => serving ?? Promise.resolve(undefined);
  return {
    type: 'metrics',
    ...(options.name === undefined ? {} : { name: options.name }),
    options,
    registry,
    eventSink: eventSinkFor(families),
    create(setup: FilterSetup): MetricsFilter {
      holder.engine = setup.engine;
      live++;
      if (options.serve !== undefined && serving === undefined) {
        serving = serveMetrics(registry, options.serve);
        serving.catch((error: unknown) => {
          setup.logger.error({ err: error instanceof Error ? error.message : String(error), ...options.serve }, 'gopher-mcp: metrics endpoint failed to start');
        });
      }
      let closed = false;
      const onClose = async (): Promise<void> => {
        if (closed) return;
        closed = true;
        if (--live === 0) await stopServing();
      };
      return new MetricsFilterImpl(families, setup, onClose, server);
    },
    scrape: () => registry.metrics(),
    server,
  };
}

/**
 * The metrics filter: Prometheus metrics (prom-client) of every exchange it sees: requests by
 * method, tool and outcome, operation durations in seconds (OpenTelemetry MCP conventions),
 * in-flight exchanges, messages and bytes by direction, denials by filter and code, rate-limit
 * rejections; plus circuit states from chain events (`definition.eventSink`) and engine / buffer
 * pool statistics at scrape time. Peer-chosen label values are bounded (beyond the limits they
 * fold into `other`). Throws ConfigError naming the path of an invalid option.
 */
export function metrics(options: MetricsOptions = {}): MetricsDefinition {
  const { registry, bufferPools, ...config } = options;
  const parsed = parseWithSchema(metricsOptionsSchema, config, 'metrics options');
  return defineMetrics(parsed, {
    ...(registry === undefined ? {} : { registry }),
    ...(bufferPools === undefined ? {} : { bufferPools }),
  });
}

/**
 * The chain event sink of a metrics definition, or of the metrics made in `options.registry`
 * under the same options (sharing their series): pass it as the chain's `events`.
 */
export function metricsEventSink(source: MetricsDefinition | (MetricsOptions & { readonly registry: AnyRegistry })): ChainEventSink {
  if ('eventSink' in source) return source.eventSink;
  const { registry, bufferPools: _pools, ...config } = source;
  const parsed = parseWithSchema(metricsOptionsSchema, config, 'metrics options');
  return eventSinkFor(
    familiesFor(loadPromClient(), registry, {
      namespace: parsed.namespace,
      buckets: parsed.buckets,
      labels: parsed.labels,
      maxToolLabels: parsed.maxToolLabels,
      maxMethodLabels: parsed.maxMethodLabels,
      recorder: parsed.recorder,
    }),
  );
}
