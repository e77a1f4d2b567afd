import {
  attributeKey,
  parseWithSchema,
  tracingOptionsSchema,
  type AttributeKey,
  forward,
  type ExchangeContext,
  type FilterDefinition,
  type FilterSetup,
  type MaybePromise,
  type MessageView,
  type PhasedExchange,
  type PhasedFilter,
  type RequestVerdict,
  type TracingConfig,
  type TracingConfigInput,
} from '@gopher-mcp/core';
import type { Context, Link, Span, SpanOptions, TextMapPropagator, TextMapSetter, Tracer, TracerProvider } from '@opentelemetry/api';

import { exchangeOutcome, type ExchangeOutcome } from '../outcome.js';
import { loadOtelApi, type OtelApiModule } from '../peers.js';
import { captured, SpanNames, startAttributes } from './attributes.js';
import { withMetaFields } from './inject.js';
import { spanSetter, type SpanSetter } from './overlay-context.js';
import { ParentExtractor } from './parent.js';
import { samplerFor, type SpanSampler } from './samplers.js';
import { formatTraceparent } from './trace-context.js';
import { UnsampledSpanContext } from './unsampled.js';

/** The instrumentation scope name of the tracer this package asks for. */
export const INSTRUMENTATION_NAME = '@gopher-mcp/observability';
/** The instrumentation scope version. */
export const INSTRUMENTATION_VERSION = '0.1.0';

/** The span of the exchange, for filters inside the tracing filter (absent when not sampled). */
export const TRACE_SPAN: AttributeKey<Span> = attributeKey<Span>('observability.tracing.span');

/** Options of {@link tracing} that a config file cannot hold. */
export interface TracingRuntimeOptions {
  /** The tracer to start spans with (the application owns the SDK). */
  readonly tracer?: Tracer;
  /** Or a provider to get it from (default: the global one, `trace.getTracer`). */
  readonly tracerProvider?: TracerProvider;
  /**
   * Extract from and inject into `_meta` / headers with this propagator (e.g. the application's
   * composite W3C + baggage one) instead of the built-in W3C trace context.
   */
  readonly propagator?: TextMapPropagator;
  /** Random numbers in [0, 1) for ratio sampling of root exchanges (default `Math.random`). */
  readonly random?: () => number;
}

/** Everything {@link tracing} accepts: the schema's options plus the runtime ones. */
export type TracingOptions = TracingConfigInput & TracingRuntimeOptions;

/** The tracing filter made by the chain (phased: its `runInside` runs the inner call in the span's context). */
export interface TracingFilter extends PhasedFilter {
  readonly type: 'tracing';
  /** The sampler deciding which exchanges get a span. */
  readonly sampler: SpanSampler;
}

/** What {@link tracing} returns. */
export interface TracingDefinition extends FilterDefinition {
  readonly type: 'tracing';
  /** The validated options. */
  readonly options: TracingConfig;
  create(setup: FilterSetup): TracingFilter;
}

const carrierSetter: TextMapSetter<Record<string, string>> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

const THREW: ExchangeOutcome = { outcome: 'error', code: undefined, deniedBy: undefined, errorMessage: undefined };

/** What the tracing filter keeps from an exchange's request phase for its response phase. */
interface TraceState {
  /** The recording span, when the exchange is traced. */
  readonly span: Span | undefined;
  /** The context the inside of the chain runs in. */
  readonly context: Context;
}

class TracingFilterImpl implements TracingFilter {
  readonly type = 'tracing' as const;
  readonly sampler: SpanSampler;
  private readonly parents: ParentExtractor;
  private readonly names: SpanNames;
  /** `trace.setSpan`, without copying the parent context. */
  private readonly setSpan: SpanSetter;

  constructor(
    private readonly api: OtelApiModule,
    private readonly tracer: Tracer,
    private readonly options: TracingConfig,
    private readonly propagator: TextMapPropagator | undefined,
    setup: FilterSetup,
    random: () => number,
  ) {
    this.sampler = samplerFor(options.sampler, setup.clock, random);
    this.setSpan = spanSetter(api);
    this.parents = new ParentExtractor(api, propagator, this.setSpan);
    this.names = new SpanNames(options.resourceUriInSpanName);
  }

  /**
   * The request phase: the parent (from `_meta`, the headers or the active context), the sampling
   * decision, the span (or, not sampled, a context marked not sampled), and the message to forward
   * with the context injected. Nothing here makes a promise.
   */
  onRequest(exchange: PhasedExchange<TraceState>): RequestVerdict {
    const { message, context } = exchange;
    if (message.kind !== 'request' && message.kind !== 'notification') return undefined;
    const api = this.api;
    const active = api.context.active();
    const fromMeta = this.parents.fromMeta(active, message);
    const parent = fromMeta ?? this.parents.fromHeaders(active, context.peer.headers) ?? active;
    const parentSpan = api.trace.getSpanContext(parent);
    const validParent = parentSpan !== undefined && api.trace.isSpanContextValid(parentSpan) ? parentSpan : undefined;
    const sampled = this.sampler.shouldSample(validParent === undefined ? undefined : { traceId: validParent.traceId, sampled: (validParent.traceFlags & 1) === 1 });
    let span: Span;
    if (sampled) {
      span = this.start(message, context, parent, fromMeta === undefined ? undefined : this.parents.linksOf(active, fromMeta, context));
    } else {
      // Not traced: no span, but a context marked not sampled (a fresh span id in the same trace),
      // so what is inside (and downstream) does not trace either.
      span = api.trace.wrapSpanContext(new UnsampledSpanContext(validParent?.traceId, validParent?.traceState));
    }
    const inContext = this.setSpan(parent, span);
    exchange.state = { span: span.isRecording() ? span : undefined, context: inContext };
    const forwarded = this.inject(message, context, inContext, span);
    return forwarded === undefined ? undefined : forward(forwarded);
  }

  /** The inside of the chain (and the upstream) runs in the span's context. */
  runInside(exchange: PhasedExchange<TraceState>, inside: () => MaybePromise<MessageView | undefined>): MaybePromise<MessageView | undefined> {
    const state = exchange.state;
    if (state === undefined) return inside();
    try {
      return this.api.context.with(state.context, inside);
    } catch (error) {
      if (state.span !== undefined) this.failed(state.span, exchange.message, error);
      throw error;
    }
  }

  /** The response phase: a recording span gets the outcome and ends. */
  onResponse(exchange: PhasedExchange<TraceState>, response: MessageView | undefined): MessageView | undefined {
    const span = exchange.state?.span;
    if (span !== undefined && span.isRecording()) this.finish(span, exchange.message, response, exchangeOutcome(exchange.message, response, exchange.context));
    return response;
  }

  /** Starts the span of a sampled exchange (its attributes given at start, so the SDK's sampler sees them). */
  private start(message: MessageView, context: ExchangeContext, parent: Context, links: Link[] | undefined): Span {
    const api = this.api;
    const options: SpanOptions = {
      kind: context.direction === 'inbound' ? api.SpanKind.SERVER : api.SpanKind.CLIENT,
      attributes: startAttributes(message, context),
    };
    if (links !== undefined && links.length > 0) options.links = links;
    const span = this.tracer.startSpan(this.names.of(message), options, parent);
    if (span.isRecording()) {
      context.attributes.set(TRACE_SPAN, span);
      if (this.options.captureArguments && message.method === 'tools/call') {
        const args = captured((message.params as { arguments?: unknown } | undefined)?.arguments, this.options.maxCaptureBytes);
        if (args !== undefined) span.setAttribute('gen_ai.tool.call.arguments', args);
      }
    }
    return span;
  }

  /** Something inside threw (the chain normally turns failures into responses): the span records it. */
  private failed(span: Span, message: MessageView, error: unknown): void {
    if (!span.isRecording()) return;
    span.recordException(error instanceof Error ? error : String(error));
    this.finish(span, message, undefined, { ...THREW, errorMessage: error instanceof Error ? error.message : undefined });
  }

  /** The message to forward with the span's context in `_meta`, when this direction propagates. */
  private inject(message: MessageView, context: ExchangeContext, active: Context, span: Span): MessageView | undefined {
    const enabled = context.direction === 'outbound' ? this.options.propagate : this.options.propagateInbound;
    if (!enabled) return undefined;
    const fields: Record<string, string> = {};
    if (this.propagator !== undefined) {
      this.propagator.inject(active, fields, carrierSetter);
      if (Object.keys(fields).length === 0) return undefined;
    } else {
      const spanContext = span.spanContext();
      fields.traceparent = formatTraceparent(spanContext);
      const state = spanContext.traceState?.serialize();
      if (state !== undefined && state.length > 0) fields.tracestate = state;
    }
    return withMetaFields(message, fields);
  }

  private finish(span: Span, message: MessageView, response: MessageView | undefined, outcome: ExchangeOutcome): void {
    const api = this.api;
    if (outcome.outcome === 'tool_error') {
      span.setAttribute('error.type', 'tool_error');
      span.setStatus({ code: api.SpanStatusCode.ERROR });
    } else if (outcome.outcome === 'error' || outcome.outcome === 'denied') {
      const code = outcome.code;
      span.setAttribute('error.type', code === undefined ? '_OTHER' : String(code));
      if (code !== undefined) {
        span.setAttribute('rpc.response.status_code', String(code));
        span.setAttribute('rpc.jsonrpc.error_code', code);
      }
      if (outcome.deniedBy !== undefined) span.setAttribute('gopher_mcp.denied_by', outcome.deniedBy);
      span.setStatus(outcome.errorMessage === undefined ? { code: api.SpanStatusCode.ERROR } : { code: api.SpanStatusCode.ERROR, message: outcome.errorMessage });
    }
    if (this.options.captureResults && message.method === 'tools/call' && response?.kind === 'result') {
      const result = captured(response.result, this.options.maxCaptureBytes);
      if (result !== undefined) span.setAttribute('gen_ai.tool.call.result', result);
    }
    span.end();
  }
}

/** Makes the tracing definition from validated options (what the family's factory calls). */
export function defineTracing(options: TracingConfig, runtime: TracingRuntimeOptions = {}): TracingDefinition {
  const api = loadOtelApi();
  return {
    type: 'tracing',
    ...(options.name === undefined ? {} : { name: options.name }),
    options,
    create(setup: FilterSetup): TracingFilter {
      const tracer =
        runtime.tracer ??
        runtime.tracerProvider?.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION) ??
        api.trace.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION);
      return new TracingFilterImpl(api, tracer, options, runtime.propagator, setup, runtime.random ?? Math.random);
    },
  };
}

/**
 * The tracing filter: an OpenTelemetry span per exchange (through `@opentelemetry/api` only; the
 * application owns the SDK) named and attributed per the MCP semantic conventions, a child of the
 * trace context in `params._meta` (else the HTTP `traceparent` header, else the active context),
 * with the context injected into outbound requests' `_meta`. Sampling is decided before the span
 * starts. Arguments and results are not captured unless asked. Throws ConfigError naming the path
 * of an invalid option.
 */
export function tracing(options: TracingOptions = {}): TracingDefinition {
  const { tracer, tracerProvider, propagator, random, ...config } = options;
  const parsed = parseWithSchema(tracingOptionsSchema, config, 'tracing options');
  return defineTracing(parsed, {
    ...(tracer === undefined ? {} : { tracer }),
    ...(tracerProvider === undefined ? {} : { tracerProvider }),
    ...(propagator === undefined ? {} : { propagator }),
    ...(random === undefined ? {} : { random }),
  });
}
