import { createJsEngine, type Direction, type MessageKind } from '@gopher-mcp/core';
import type { Counter, Gauge, Histogram } from 'prom-client';

import type { PromClientModule } from '../peers.js';
import { registerCollected, type CollectedSample } from './custom-metric.js';
import type { AnyRegistry } from './registry-type.js';

/** How the per-exchange metrics are counted (the exposition is the same either way). */
export type MetricsRecorder = 'engine' | 'prom-client';

type Labels = Record<string, string>;

/**
 * The metrics counted on every exchange: requests, durations, in-flight exchanges, messages and
 * bytes. Everything rarer (denials, circuit states) goes straight to prom-client.
 */
export interface HotMetrics {
  readonly recorder: MetricsRecorder;
  /** A message entered (in flight +1, message and bytes counted). */
  started(direction: Direction, kind: MessageKind, bytes: number): void;
  /** The exchange left the filter (in flight -1). */
  ended(direction: Direction): void;
  /** A response message travelled back. */
  message(direction: Direction, kind: MessageKind, bytes: number): void;
  request(direction: Direction, method: string, tool: string, outcome: string): void;
  duration(direction: Direction, method: string, tool: string, errorType: string, seconds: number): void;
}

/** What both recorders need to name and label their series. */
export interface HotMetricsConfig {
  readonly namespace: string;
  readonly buckets: readonly number[];
  readonly constLabels: Readonly<Record<string, string>>;
}

const HELP = {
  requests: 'MCP requests by direction, method, tool and outcome (ok, tool_error, error, denied).',
  server:
    'Duration of inbound MCP requests and notifications as the chain saw them, from receipt until the result or ack (mcp.server.operation.duration).',
  client: 'Duration of outbound MCP requests and notifications, from sending until the response or ack (mcp.client.operation.duration).',
  inFlight: 'MCP exchanges inside the metrics filter now.',
  messages: 'MCP messages by the direction they travel and their kind.',
  bytes: 'Bytes of MCP messages by the direction they travel and their kind.',
} as const;

const DURATION_LABELS = ['mcp_method_name', 'gen_ai_tool_name', 'error_type'];

/** A cache of label objects by key, so the hot path allocates nothing for a series it has seen. */
class LabelCache {
  private readonly cache = new Map<string, Labels>();
  constructor(private readonly constLabels: Readonly<Record<string, string>>) {}
  get(key: string, make: () => Labels): Labels {
    let labels = this.cache.get(key);
    if (labels === undefined) {
      labels = { ...make(), ...this.constLabels };
      this.cache.set(key, labels);
    }
    return labels;
  }
}

/** The hot metrics as prom-client Counters, Gauge and Histograms (label objects cached). */
export class PromClientHotMetrics implements HotMetrics {
  readonly recorder = 'prom-client' as const;
  private readonly requests: Counter;
  private readonly serverDuration: Histogram;
  private readonly clientDuration: Histogram;
  private readonly inFlight: Gauge;
  private readonly messages: Counter;
  private readonly bytes: Counter;
  private readonly labels: LabelCache;

  constructor(prom: PromClientModule, registry: AnyRegistry, config: HotMetricsConfig) {
    const ns = config.namespace;
    const constNames = Object.keys(config.constLabels);
    const registers = [registry];
    this.labels = new LabelCache(config.constLabels);
    this.requests = new prom.Counter({
      name: `${ns}_requests_total`,
      help: HELP.requests,
      labelNames: ['direction', 'mcp_method_name', 'gen_ai_tool_name', 'outcome', ...constNames],
      registers,
    });
    const histogram = (name: string, help: string): Histogram =>
      new prom.Histogram({ name: `${ns}_${name}`, help, labelNames: [...DURATION_LABELS, ...constNames], buckets: [...config.buckets], registers });
    this.serverDuration = histogram('server_operation_duration_seconds', HELP.server);
    this.clientDuration = histogram('client_operation_duration_seconds', HELP.client);
    this.inFlight = new prom.Gauge({ name: `${ns}_in_flight_exchanges`, help: HELP.inFlight, labelNames: ['direction', ...constNames], registers });
    this.messages = new prom.Counter({ name: `${ns}_messages_total`, help: HELP.messages, labelNames: ['direction', 'kind', ...constNames], registers });
    this.bytes = new prom.Counter({ name: `${ns}_message_bytes_total`, help: HELP.bytes, labelNames: ['direction', 'kind', ...constNames], registers });
  }

  started(direction: Direction, kind: MessageKind, bytes: number): void {
    this.inFlight.inc(this.labels.get(direction, () => ({ direction })));
    this.message(direction, kind, bytes);
  }

  ended(direction: Direction): void {
    this.inFlight.dec(this.labels.get(direction, () => ({ direction })));
  }

  message(direction: Direction, kind: MessageKind, bytes: number): void {
    const labels = this.labels.get(`m\u0000${direction}\u0000${kind}`, () => ({ direction, kind }));
    this.messages.inc(labels);
    this.bytes.inc(labels, bytes);
  }

  request(direction: Direction, method: string, tool: string, outcome: string): void {
    this.requests.inc(
      this.labels.get(`r\u0000${direction}\u0000${method}\u0000${tool}\u0000${outcome}`, () => ({
        direction,
        mcp_method_name: method,
        gen_ai_tool_name: tool,
        outcome,
      })),
    );
  }

  duration(direction: Direction, method: string, tool: string, errorType: string, seconds: number): void {
    const labels = this.labels.get(`d\u0000${method}\u0000${tool}\u0000${errorType}`, () => ({ mcp_method_name: method, gen_ai_tool_name: tool, error_type: errorType }));
    (direction === 'inbound' ? this.serverDuration : this.clientDuration).observe(labels, seconds);
  }
}

type EngineHistogram = ReturnType<ReturnType<typeof createJsEngine>['createHistogram']>;
type EngineCounterSet = ReturnType<ReturnType<typeof createJsEngine>['createCounterSet']>;

const COUNTERS_PER_SET = 256;

/** Counters of one family, one engine counter per label set, read at scrape time. */
class EngineCounterFamily {
  private readonly sets: EngineCounterSet[] = [];
  private readonly series = new Map<string, { readonly labels: Labels; readonly set: EngineCounterSet; readonly index: number }>();

  constructor(
    private readonly engine: ReturnType<typeof createJsEngine>,
    private readonly constLabels: Readonly<Record<string, string>>,
  ) {}

  add(key: string, make: () => Labels, amount: number): void {
    let entry = this.series.get(key);
    if (entry === undefined) {
      const ordinal = this.series.size;
      if (ordinal % COUNTERS_PER_SET === 0) this.sets.push(this.engine.createCounterSet(COUNTERS_PER_SET));
      entry = { labels: { ...make(), ...this.constLabels }, set: this.sets[this.sets.length - 1] as EngineCounterSet, index: ordinal % COUNTERS_PER_SET };
      this.series.set(key, entry);
    }
    entry.set.add(entry.index, amount);
  }

  value(key: string): number {
    const entry = this.series.get(key);
    return entry === undefined ? 0 : entry.set.get(entry.index);
  }

  samples(): CollectedSample[] {
    return [...this.series.values()].map((e) => ({ labels: e.labels, value: e.set.get(e.index) }));
  }
}

/** Histograms of one family, one engine histogram per label set, exposed with exact `le` counts. */
class EngineHistogramFamily {
  private readonly series = new Map<string, { readonly labels: Labels; readonly histogram: EngineHistogram }>();

  constructor(
    private readonly name: string,
    private readonly engine: ReturnType<typeof createJsEngine>,
    private readonly buckets: readonly number[],
    private readonly constLabels: Readonly<Record<string, string>>,
  ) {}

  observe(key: string, make: () => Labels, seconds: number): void {
    let entry = this.series.get(key);
    if (entry === undefined) {
      // Only the exact `le` counts are exposed: the coarsest log-linear layout over the bounds keeps each series small.
      const histogram = this.engine.createHistogram({
        bounds: this.buckets,
        significantDigits: 1,
        lowest: this.buckets[0] as number,
        highest: this.buckets[this.buckets.length - 1] as number,
      });
      entry = { labels: { ...make(), ...this.constLabels }, histogram };
      this.series.set(key, entry);
    }
    entry.histogram.record(seconds);
  }

  samples(): CollectedSample[] {
    const out: CollectedSample[] = [];
    for (const { labels, histogram } of this.series.values()) {
      const counts = histogram.boundCounts();
      this.buckets.forEach((le, i) => out.push({ metricName: `${this.name}_bucket`, labels: { le, ...labels }, value: counts[i] as number }));
      const count = histogram.count;
      out.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...labels }, value: count });
      out.push({ metricName: `${this.name}_sum`, labels, value: histogram.sum });
      out.push({ metricName: `${this.name}_count`, labels, value: count });
    }
    return out;
  }
}

/**
 * The hot metrics counted in the engine's metrics primitives (the TypeScript twin's histograms and
 * counter sets: measured several times cheaper per observation than prom-client's label hashing,
 * see bench/results/observability.md) and exposed to the prom-client Registry as collected
 * metrics with the same names, types and labels.
 */
export class EngineHotMetrics implements HotMetrics {
  readonly recorder = 'engine' as const;
  private readonly requests: EngineCounterFamily;
  private readonly messages: EngineCounterFamily;
  private readonly bytes: EngineCounterFamily;
  /** started / ended per direction: in flight = started - ended. */
  private readonly flow: EngineCounterFamily;
  private readonly serverDuration: EngineHistogramFamily;
  private readonly clientDuration: EngineHistogramFamily;
  /** The directions seen, in order (the in-flight gauge's series, as prom-client would list them). */
  private readonly directions: Direction[] = [];

  constructor(registry: AnyRegistry, config: HotMetricsConfig) {
    const engine = createJsEngine();
    const ns = config.namespace;
    const c = config.constLabels;
    this.requests = new EngineCounterFamily(engine, c);
    this.messages = new EngineCounterFamily(engine, c);
    this.bytes = new EngineCounterFamily(engine, c);
    this.flow = new EngineCounterFamily(engine, {});
    this.serverDuration = new EngineHistogramFamily(`${ns}_server_operation_duration_seconds`, engine, config.buckets, c);
    this.clientDuration = new EngineHistogramFamily(`${ns}_client_operation_duration_seconds`, engine, config.buckets, c);
    registerCollected(registry, { name: `${ns}_requests_total`, help: HELP.requests, type: 'counter', collect: () => this.requests.samples() });
    registerCollected(registry, { name: `${ns}_server_operation_duration_seconds`, help: HELP.server, type: 'histogram', collect: () => this.serverDuration.samples() });
    registerCollected(registry, { name: `${ns}_client_operation_duration_seconds`, help: HELP.client, type: 'histogram', collect: () => this.clientDuration.samples() });
    registerCollected(registry, {
      name: `${ns}_in_flight_exchanges`,
      help: HELP.inFlight,
      type: 'gauge',
      collect: () =>
        this.directions.map((direction) => ({ labels: { direction, ...c }, value: this.flow.value(`s\u0000${direction}`) - this.flow.value(`e\u0000${direction}`) })),
    });
    registerCollected(registry, { name: `${ns}_messages_total`, help: HELP.messages, type: 'counter', collect: () => this.messages.samples() });
    registerCollected(registry, { name: `${ns}_message_bytes_total`, help: HELP.bytes, type: 'counter', collect: () => this.bytes.samples() });
  }

  started(direction: Direction, kind: MessageKind, bytes: number): void {
    if (!this.directions.includes(direction)) this.directions.push(direction);
    this.flow.add(`s\u0000${direction}`, () => ({ direction }), 1);
    this.message(direction, kind, bytes);
  }

  ended(direction: Direction): void {
    this.flow.add(`e\u0000${direction}`, () => ({ direction }), 1);
  }

  message(direction: Direction, kind: MessageKind, bytes: number): void {
    const key = `${direction}\u0000${kind}`;
    const make = (): Labels => ({ direction, kind });
    this.messages.add(key, make, 1);
    this.bytes.add(key, make, bytes);
  }

  request(direction: Direction, method: string, tool: string, outcome: string): void {
    this.requests.add(`${direction}\u0000${method}\u0000${tool}\u0000${outcome}`, () => ({ direction, mcp_method_name: method, gen_ai_tool_name: tool, outcome }), 1);
  }

  duration(direction: Direction, method: string, tool: string, errorType: string, seconds: number): void {
    (direction === 'inbound' ? this.serverDuration : this.clientDuration).observe(
      `${method}\u0000${tool}\u0000${errorType}`,
      () => ({ mcp_method_name: method, gen_ai_tool_name: tool, error_type: errorType }),
      seconds,
    );
  }
}
