import { createJsEngine, type Direction, type MessageKind } from '@gopher-mcp/core';

import type { OutcomeKind } from '../outcome.js';
import { registerCollected, type CollectedSample } from './custom-metric.js';
import { directionIndex, DurationSlots, HOT_HELP, kindSlot, outcomeSlot, type HotMetrics, type HotMetricsConfig, type HotRoute, type Labels } from './hot-metrics.js';
import type { AnyRegistry } from './registry-type.js';

type JsEngine = ReturnType<typeof createJsEngine>;
type EngineHistogram = ReturnType<JsEngine['createHistogram']>;
type EngineCounterSet = ReturnType<JsEngine['createCounterSet']>;

const COUNTERS_PER_SET = 256;

/** One series of a counter family: its labels and its counter in an engine counter set. */
interface CounterSeries {
  readonly labels: Labels;
  readonly set: EngineCounterSet;
  readonly index: number;
}

/** Adds `amount` to a series. */
const add = (series: CounterSeries, amount: number): void => series.set.add(series.index, amount);

/** Counters of one family, one engine counter per label set, read at scrape time. */
class EngineCounterFamily {
  private readonly sets: EngineCounterSet[] = [];
  private readonly series = new Map<string, CounterSeries>();

  constructor(
    private readonly engine: JsEngine,
    private readonly constLabels: Readonly<Record<string, string>>,
  ) {}

  /** The series of `key`, made with the labels `make` gives on first use (callers keep it). */
  seriesOf(key: string, make: () => Labels): CounterSeries {
    let entry = this.series.get(key);
    if (entry === undefined) {
      const ordinal = this.series.size;
      if (ordinal % COUNTERS_PER_SET === 0) this.sets.push(this.engine.createCounterSet(COUNTERS_PER_SET));
      entry = { labels: { ...make(), ...this.constLabels }, set: this.sets[this.sets.length - 1] as EngineCounterSet, index: ordinal % COUNTERS_PER_SET };
      this.series.set(key, entry);
    }
    return entry;
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
    private readonly engine: JsEngine,
    private readonly buckets: readonly number[],
    private readonly constLabels: Readonly<Record<string, string>>,
  ) {}

  /** The histogram of `key`, made with the labels `make` gives on first use (callers keep it). */
  histogramOf(key: string, make: () => Labels): EngineHistogram {
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
    return entry.histogram;
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

/** The series of one (method, tool) pair in the engine recorder, resolved on first use and kept. */
class EngineRoute implements HotRoute {
  private readonly requests: Array<CounterSeries | undefined> = new Array<CounterSeries | undefined>(8);
  private readonly durations = new DurationSlots<EngineHistogram>();

  constructor(
    private readonly owner: EngineHotMetrics,
    private readonly method: string,
    private readonly tool: string,
  ) {}

  request(direction: Direction, outcome: OutcomeKind): void {
    const slot = outcomeSlot(direction, outcome);
    let series = this.requests[slot];
    if (series === undefined) {
      const { method, tool } = this;
      series = this.owner.requests.seriesOf(`${direction}\u0000${method}\u0000${tool}\u0000${outcome}`, () => ({
        direction,
        mcp_method_name: method,
        gen_ai_tool_name: tool,
        outcome,
      }));
      this.requests[slot] = series;
    }
    add(series, 1);
  }

  duration(direction: Direction, errorType: string, seconds: number): void {
    const histogram = this.durations.get(direction, errorType, () => {
      const { method, tool } = this;
      return (direction === 'inbound' ? this.owner.serverDuration : this.owner.clientDuration).histogramOf(`${method}\u0000${tool}\u0000${errorType}`, () => ({
        mcp_method_name: method,
        gen_ai_tool_name: tool,
        error_type: errorType,
      }));
    });
    histogram.record(seconds);
  }
}

/**
 * The hot metrics counted in the engine's metrics primitives (the TypeScript twin's histograms and
 * counter sets: measured several times cheaper per observation than prom-client's label hashing,
 * see bench/results/observability.md) and exposed to the prom-client Registry as collected
 * metrics with the same names, types and labels. Every series is resolved once and kept in a
 * slot (per direction and kind, or per route), so counting an exchange builds no key.
 */
export class EngineHotMetrics implements HotMetrics {
  readonly recorder = 'engine' as const;
  /** @internal */
  readonly requests: EngineCounterFamily;
  /** @internal */
  readonly serverDuration: EngineHistogramFamily;
  /** @internal */
  readonly clientDuration: EngineHistogramFamily;
  private readonly messages: EngineCounterFamily;
  private readonly bytes: EngineCounterFamily;
  /** started / ended per direction: in flight = started - ended. */
  private readonly flow: EngineCounterFamily;
  /** The directions seen, in order (the in-flight gauge's series, as prom-client would list them). */
  private readonly directions: Direction[] = [];
  private readonly startedSeries: Array<CounterSeries | undefined> = [undefined, undefined];
  private readonly endedSeries: Array<CounterSeries | undefined> = [undefined, undefined];
  private readonly messageSeries: Array<CounterSeries | undefined> = new Array<CounterSeries | undefined>(8);
  private readonly byteSeries: Array<CounterSeries | undefined> = new Array<CounterSeries | undefined>(8);
  private readonly routes = new Map<string, EngineRoute>();

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
    registerCollected(registry, { name: `${ns}_requests_total`, help: HOT_HELP.requests, type: 'counter', collect: () => this.requests.samples() });
    registerCollected(registry, { name: `${ns}_server_operation_duration_seconds`, help: HOT_HELP.server, type: 'histogram', collect: () => this.serverDuration.samples() });
    registerCollected(registry, { name: `${ns}_client_operation_duration_seconds`, help: HOT_HELP.client, type: 'histogram', collect: () => this.clientDuration.samples() });
    registerCollected(registry, {
      name: `${ns}_in_flight_exchanges`,
      help: HOT_HELP.inFlight,
      type: 'gauge',
      collect: () =>
        this.directions.map((direction) => ({ labels: { direction, ...c }, value: this.flow.value(`s\u0000${direction}`) - this.flow.value(`e\u0000${direction}`) })),
    });
    registerCollected(registry, { name: `${ns}_messages_total`, help: HOT_HELP.messages, type: 'counter', collect: () => this.messages.samples() });
    registerCollected(registry, { name: `${ns}_message_bytes_total`, help: HOT_HELP.bytes, type: 'counter', collect: () => this.bytes.samples() });
  }

  started(direction: Direction, kind: MessageKind, bytes: number): void {
    const d = directionIndex(direction);
    let series = this.startedSeries[d];
    if (series === undefined) {
      this.directions.push(direction);
      series = this.flow.seriesOf(`s\u0000${direction}`, () => ({ direction }));
      this.startedSeries[d] = series;
    }
    add(series, 1);
    this.message(direction, kind, bytes);
  }

  ended(direction: Direction): void {
    const d = directionIndex(direction);
    const series = (this.endedSeries[d] ??= this.flow.seriesOf(`e\u0000${direction}`, () => ({ direction })));
    add(series, 1);
  }

  message(direction: Direction, kind: MessageKind, bytes: number): void {
    const slot = kindSlot(direction, kind);
    let messages = this.messageSeries[slot];
    let bytesSeries = this.byteSeries[slot];
    if (messages === undefined || bytesSeries === undefined) {
      const key = `${direction}\u0000${kind}`;
      const make = (): Labels => ({ direction, kind });
      messages = this.messages.seriesOf(key, make);
      bytesSeries = this.bytes.seriesOf(key, make);
      this.messageSeries[slot] = messages;
      this.byteSeries[slot] = bytesSeries;
    }
    add(messages, 1);
    add(bytesSeries, bytes);
  }

  route(method: string, tool: string): HotRoute {
    const key = `${method}\u0000${tool}`;
    let route = this.routes.get(key);
    if (route === undefined) {
      route = new EngineRoute(this, method, tool);
      this.routes.set(key, route);
    }
    return route;
  }
}
