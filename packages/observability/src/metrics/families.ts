import { ConfigError } from '@gopher-mcp/core';
import type { Counter, Gauge } from 'prom-client';

import type { PromClientModule } from '../peers.js';
import { EngineHotMetrics } from './engine-hot-metrics.js';
import type { HotMetrics, MetricsRecorder } from './hot-metrics.js';
import { LabelLimiter } from './label-limiter.js';
import { PromClientHotMetrics } from './prom-hot-metrics.js';
import { RouteTable } from './route-table.js';
import type { AnyRegistry } from './registry-type.js';

/** What shapes the metric families of one registry and namespace. */
export interface FamiliesConfig {
  readonly namespace: string;
  /** Duration histogram bounds in seconds. */
  readonly buckets: readonly number[];
  /** Constant labels on every series. */
  readonly labels: Readonly<Record<string, string>>;
  readonly maxToolLabels: number;
  readonly maxMethodLabels: number;
  /** How the per-exchange metrics are counted. */
  readonly recorder: MetricsRecorder;
}

type Labels = Record<string, string>;

/** Bound of the label values of filter names, codes, limits and circuit targets (they come from config, not peers). */
const MAX_CONFIGURED_LABELS = 200;

/**
 * The Prometheus metric families of the observability metrics (names under the namespace, default
 * `gopher_mcp`), made once per registry and namespace and shared by the metrics filters and the
 * event sink that use them:
 *
 * | name | type | labels |
 * |---|---|---|
 * | `{ns}_requests_total` | counter | direction, mcp_method_name, gen_ai_tool_name, outcome |
 * | `{ns}_server_operation_duration_seconds` | histogram | mcp_method_name, gen_ai_tool_name, error_type |
 * | `{ns}_client_operation_duration_seconds` | histogram | mcp_method_name, gen_ai_tool_name, error_type |
 * | `{ns}_in_flight_exchanges` | gauge | direction |
 * | `{ns}_messages_total` | counter | direction, kind |
 * | `{ns}_message_bytes_total` | counter | direction, kind |
 * | `{ns}_denials_total` | counter | filter, code |
 * | `{ns}_rate_limit_rejections_total` | counter | filter, limit |
 * | `{ns}_circuit_state` | gauge | filter, target, state |
 * | `{ns}_circuit_transitions_total` | counter | filter, target, state |
 * | `{ns}_filter_errors_total` | counter | filter |
 *
 * The first six are counted on every exchange, by the engine's metrics primitives (default) or
 * prom-client's own (`recorder`); the rest are prom-client metrics. Durations follow the
 * OpenTelemetry MCP semantic conventions (`mcp.server.operation.duration`
 * for inbound exchanges, `mcp.client.operation.duration` for outbound ones, seconds, their
 * attribute names as labels).
 */
export class McpMetricFamilies {
  /** Requests, durations, in-flight exchanges, messages and bytes: counted on every exchange. */
  readonly hot: HotMetrics;
  /** The hot series of each method and tool, by the values peers send (bounded through the limiters). */
  readonly routes: RouteTable;
  readonly denials: Counter;
  readonly rateLimited: Counter;
  readonly circuitState: Gauge;
  readonly circuitTransitions: Counter;
  readonly filterErrors: Counter;
  /** Method names, bounded (peers choose them). */
  readonly methods: LabelLimiter;
  /** Tool names, bounded (peers choose them). */
  readonly tools: LabelLimiter;
  /** Error types (codes as text), bounded (upstreams choose them). */
  readonly errorTypes = new LabelLimiter(MAX_CONFIGURED_LABELS);
  /** Filter names, limit names, circuit targets. */
  readonly configured = new LabelLimiter(MAX_CONFIGURED_LABELS);
  private readonly constLabels: Labels;

  constructor(
    prom: PromClientModule,
    readonly registry: AnyRegistry,
    readonly config: FamiliesConfig,
  ) {
    const ns = config.namespace;
    const constNames = Object.keys(config.labels);
    this.constLabels = { ...config.labels };
    this.methods = new LabelLimiter(config.maxMethodLabels);
    this.tools = new LabelLimiter(config.maxToolLabels);
    const hotConfig = { namespace: ns, buckets: config.buckets, constLabels: config.labels };
    this.hot = config.recorder === 'engine' ? new EngineHotMetrics(registry, hotConfig) : new PromClientHotMetrics(prom, registry, hotConfig);
    this.routes = new RouteTable(this.hot, this.methods, this.tools);
    const registers = [registry];
    const counter = (name: string, help: string, labelNames: string[]): Counter =>
      new prom.Counter({ name: `${ns}_${name}`, help, labelNames: [...labelNames, ...constNames], registers });
    this.denials = counter('denials_total', 'Exchanges refused by a filter, by filter name and error code.', ['filter', 'code']);
    this.rateLimited = counter('rate_limit_rejections_total', 'Exchanges refused with 429 by a rate limit, by filter and limit name.', ['filter', 'limit']);
    this.circuitState = new prom.Gauge({
      name: `${ns}_circuit_state`,
      help: 'Circuit breaker state per target: 1 for the current state, 0 for the others.',
      labelNames: ['filter', 'target', 'state', ...constNames],
      registers,
    });
    this.circuitTransitions = counter('circuit_transitions_total', 'Circuit breaker state changes by the state entered.', ['filter', 'target', 'state']);
    this.filterErrors = counter('filter_errors_total', 'Times a filter threw (handled by the fallback), from chain events.', ['filter']);
  }

  /** `labels` with the constant labels added (for the rare metrics). */
  withConst(labels: Labels): Labels {
    return { ...labels, ...this.constLabels };
  }
}

const byRegistry = new WeakMap<AnyRegistry, Map<string, McpMetricFamilies>>();

function sameConfig(a: FamiliesConfig, b: FamiliesConfig): boolean {
  return (
    JSON.stringify([a.buckets, Object.entries(a.labels).sort(), a.maxToolLabels, a.maxMethodLabels, a.recorder]) ===
    JSON.stringify([b.buckets, Object.entries(b.labels).sort(), b.maxToolLabels, b.maxMethodLabels, b.recorder])
  );
}

/**
 * The metric families of `registry` under `config.namespace`: made on first use, then shared (a
 * chain rebuilt from config, or the event sink, reuses the same series). Two configurations that
 * disagree on buckets, labels, limits or recorder cannot share a namespace in one registry.
 */
export function familiesFor(prom: PromClientModule, registry: AnyRegistry, config: FamiliesConfig): McpMetricFamilies {
  let forRegistry = byRegistry.get(registry);
  if (forRegistry === undefined) {
    forRegistry = new Map();
    byRegistry.set(registry, forRegistry);
  }
  const existing = forRegistry.get(config.namespace);
  if (existing !== undefined) {
    if (!sameConfig(existing.config, config)) {
      throw new ConfigError(
        `metrics options: namespace "${config.namespace}" is already used in this registry with other buckets, labels, label limits or recorder`,
        [{ path: 'namespace', message: 'already used with another configuration' }],
      );
    }
    return existing;
  }
  const families = new McpMetricFamilies(prom, registry, config);
  forRegistry.set(config.namespace, families);
  return families;
}
