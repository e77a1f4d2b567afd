import type { Direction, MessageKind } from '@gopher-mcp/core';
import type { Counter, Gauge, Histogram } from 'prom-client';

import type { OutcomeKind } from '../outcome.js';
import type { PromClientModule } from '../peers.js';
import { directionIndex, DurationSlots, HOT_HELP, kindSlot, outcomeSlot, type HotMetrics, type HotMetricsConfig, type HotRoute, type Labels } from './hot-metrics.js';
import type { AnyRegistry } from './registry-type.js';

const DURATION_LABELS = ['mcp_method_name', 'gen_ai_tool_name', 'error_type'];

/** The label objects of one (method, tool) pair, made on first use. */
class PromRoute implements HotRoute {
  private readonly requestLabels: Array<Labels | undefined> = new Array<Labels | undefined>(8);
  private readonly durationLabels = new DurationSlots<Labels>();

  constructor(
    private readonly owner: PromClientHotMetrics,
    private readonly method: string,
    private readonly tool: string,
  ) {}

  request(direction: Direction, outcome: OutcomeKind): void {
    const slot = outcomeSlot(direction, outcome);
    const labels = (this.requestLabels[slot] ??= this.owner.withConst({ direction, mcp_method_name: this.method, gen_ai_tool_name: this.tool, outcome }));
    this.owner.requests.inc(labels);
  }

  duration(direction: Direction, errorType: string, seconds: number): void {
    const labels = this.durationLabels.get(direction, errorType, () =>
      this.owner.withConst({ mcp_method_name: this.method, gen_ai_tool_name: this.tool, error_type: errorType }),
    );
    (direction === 'inbound' ? this.owner.serverDuration : this.owner.clientDuration).observe(labels, seconds);
  }
}

/** The hot metrics as prom-client Counters, Gauge and Histograms (label objects made once per series). */
export class PromClientHotMetrics implements HotMetrics {
  readonly recorder = 'prom-client' as const;
  /** @internal */
  readonly requests: Counter;
  /** @internal */
  readonly serverDuration: Histogram;
  /** @internal */
  readonly clientDuration: Histogram;
  private readonly inFlight: Gauge;
  private readonly messages: Counter;
  private readonly bytes: Counter;
  private readonly constLabels: Readonly<Record<string, string>>;
  private readonly flowLabels: Array<Labels | undefined> = [undefined, undefined];
  private readonly messageLabels: Array<Labels | undefined> = new Array<Labels | undefined>(8);
  private readonly routes = new Map<string, PromRoute>();

  constructor(prom: PromClientModule, registry: AnyRegistry, config: HotMetricsConfig) {
    const ns = config.namespace;
    const constNames = Object.keys(config.constLabels);
    const registers = [registry];
    this.constLabels = config.constLabels;
    this.requests = new prom.Counter({
      name: `${ns}_requests_total`,
      help: HOT_HELP.requests,
      labelNames: ['direction', 'mcp_method_name', 'gen_ai_tool_name', 'outcome', ...constNames],
      registers,
    });
    const histogram = (name: string, help: string): Histogram =>
      new prom.Histogram({ name: `${ns}_${name}`, help, labelNames: [...DURATION_LABELS, ...constNames], buckets: [...config.buckets], registers });
    this.serverDuration = histogram('server_operation_duration_seconds', HOT_HELP.server);
    this.clientDuration = histogram('client_operation_duration_seconds', HOT_HELP.client);
    this.inFlight = new prom.Gauge({ name: `${ns}_in_flight_exchanges`, help: HOT_HELP.inFlight, labelNames: ['direction', ...constNames], registers });
    this.messages = new prom.Counter({ name: `${ns}_messages_total`, help: HOT_HELP.messages, labelNames: ['direction', 'kind', ...constNames], registers });
    this.bytes = new prom.Counter({ name: `${ns}_message_bytes_total`, help: HOT_HELP.bytes, labelNames: ['direction', 'kind', ...constNames], registers });
  }

  /** `labels` with the constant labels added. @internal */
  withConst(labels: Labels): Labels {
    return { ...labels, ...this.constLabels };
  }

  started(direction: Direction, kind: MessageKind, bytes: number): void {
    this.inFlight.inc(this.flow(direction));
    this.message(direction, kind, bytes);
  }

  ended(direction: Direction): void {
    this.inFlight.dec(this.flow(direction));
  }

  message(direction: Direction, kind: MessageKind, bytes: number): void {
    const slot = kindSlot(direction, kind);
    const labels = (this.messageLabels[slot] ??= this.withConst({ direction, kind }));
    this.messages.inc(labels);
    this.bytes.inc(labels, bytes);
  }

  route(method: string, tool: string): HotRoute {
    const key = `${method}\u0000${tool}`;
    let route = this.routes.get(key);
    if (route === undefined) {
      route = new PromRoute(this, method, tool);
      this.routes.set(key, route);
    }
    return route;
  }

  private flow(direction: Direction): Labels {
    const d = directionIndex(direction);
    return (this.flowLabels[d] ??= this.withConst({ direction }));
  }
}
