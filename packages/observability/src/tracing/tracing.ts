import {
  attributeKey,
  headerValue,
  parseWithSchema,
  tracingOptionsSchema,
  type AttributeKey,
  type Exchange,
  type ExchangeContext,
  type Filter,
  type FilterDefinition,
  type FilterSetup,
  type Headers,
  type MessageView,
  type Next,
  type TracingConfig,
  type TracingConfigInput,
} from '@gopher-mcp/core';
import type { Context, Link, Span, SpanContext, TextMapGetter, TextMapPropagator, TextMapSetter, Tracer, TracerProvider } from '@opentelemetry/api';

import { exchangeOutcome, type ExchangeOutcome } from '../outcome.js';
import { loadOtelApi, type OtelApiModule } from '../peers.js';
import { captured, spanName, startAttributes } from './attributes.js';
import { withMetaFields } from './inject.js';
import { samplerFor, type SamplingParent, type SpanSampler } from './samplers.js';
import { formatTraceparent, parseTraceparent, randomSpanId, randomTraceId } from './trace-context.js';

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

/** The tracing filter made by the chain. */
export interface TracingFilter extends Filter {
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

type Carrier = Record<string, unknown>;

const carrierGetter: TextMapGetter<Carrier> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    const value = carrier[key] ?? carrier[key.toLowerCase()];
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
    return undefined;
  },
};

const carrierSetter: TextMapSetter<Record<string, string>> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

function metaOf(message: MessageView): Carrier | undefined {
  const params = message.params;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return undefined;
  const meta = (params as Record<string, unknown>)._meta;
  return typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? (meta as Carrier) : undefined;
}

function sameSpan(a: SpanContext, b: SpanContext): boolean {
  return a.traceId === b.traceId && a.spanId === b.spanId;
}

const THREW: ExchangeOutcome = { outcome: 'error', code: undefined, deniedBy: undefined, errorMessage: undefined };

class TracingFilterImpl implements TracingFilter {
  readonly type = 'tracing' as const;
  readonly sampler: SpanSampler;

  constructor(
    private readonly api: OtelApiModule,
    private readonly tracer: Tracer,
    private readonly options: TracingConfig,
    private readonly propagator: TextMapPropagator | undefined,
    setup: FilterSetup,
    random: () => number,
  ) {
    this.sampler = samplerFor(options.sampler, setup.clock, random);
  }

  async handle(exchange: Exchange, next: Next): Promise<MessageView | undefined> {
    const { message, context } = exchange;
    if (message.kind !== 'request' && message.kind !== 'notification') return next();
    const api = this.api;
    const { parent, links } = this.parentOf(message, context);
    const parentSpan = api.trace.getSpanContext(parent);
    const validParent = parentSpan !== undefined && api.trace.isSpanContextValid(parentSpan) ? parentSpan : undefined;
    const samplingParent: SamplingParent | undefined =
      validParent === undefined ? undefined : { traceId: validParent.traceId, sampled: (validParent.traceFlags & 1) === 1 };
    let span: Span;
    if (this.sampler.shouldSample(samplingParent)) {
      span = this.tracer.startSpan(
        spanName(message, this.options.resourceUriInSpanName),
        {
          kind: context.direction === 'inbound' ? api.SpanKind.SERVER : api.SpanKind.CLIENT,
          attributes: startAttributes(message, context),
          ...(links.length === 0 ? {} : { links }),
        },
        parent,
      );
      if (span.isRecording()) {
        context.attributes.set(TRACE_SPAN, span);
        if (this.options.captureArguments && message.method === 'tools/call') {
          const args = captured((message.params as { arguments?: unknown } | undefined)?.arguments, this.options.maxCaptureBytes);
          if (args !== undefined) span.setAttribute('gen_ai.tool.call.arguments', args);
        }
      }
    } else {
      // Not traced: no span, but a context marked not sampled, so what is inside (and downstream) does not trace either.
      span = api.trace.wrapSpanContext({
        traceId: validParent?.traceId ?? randomTraceId(),
        spanId: randomSpanId(),
        traceFlags: api.TraceFlags.NONE,
        ...(validParent?.traceState === undefined ? {} : { traceState: validParent.traceState }),
      });
    }
    const active = api.trace.setSpan(parent, span);
    const forwarded = this.inject(message, context, active, span) ?? message;
    let response: MessageView | undefined;
    try {
      response = await api.context.with(active, () => next(forwarded));
    } catch (error) {
      if (span.isRecording()) {
        span.recordException(error instanceof Error ? error : String(error));
        this.finish(span, message, undefined, { ...THREW, errorMessage: error instanceof Error ? error.message : undefined });
      }
      throw error;
    }
    if (span.isRecording()) this.finish(span, message, response, exchangeOutcome(message, response, context));
    return response;
  }

  /** The parent of the span: `_meta` trace context, else the HTTP headers', else the active context. */
  private parentOf(message: MessageView, context: ExchangeContext): { parent: Context; links: Link[] } {
    const api = this.api;
    const active = api.context.active();
    const fromMeta = this.extract(active, message);
    const headers = context.peer.headers;
    const fromHeaders = headers === undefined ? undefined : this.extractHeaders(active, headers);
    if (fromMeta !== undefined) {
      // MCP conventions: the `_meta` context is the parent; the transport's (or ambient) one is linked.
      const links: Link[] = [];
      const metaSpan = api.trace.getSpanContext(fromMeta) as SpanContext;
      const other = fromHeaders === undefined ? api.trace.getSpanContext(active) : api.trace.getSpanContext(fromHeaders);
      if (other !== undefined && api.trace.isSpanContextValid(other) && !sameSpan(other, metaSpan)) links.push({ context: other });
      return { parent: fromMeta, links };
    }
    return { parent: fromHeaders ?? active, links: [] };
  }

  private extract(base: Context, message: MessageView): Context | undefined {
    if (this.propagator !== undefined) {
      const meta = metaOf(message);
      return meta === undefined ? undefined : this.extractWith(base, meta);
    }
    return this.fromTraceparent(base, message.traceparent, message.tracestate);
  }

  private extractHeaders(base: Context, headers: Headers): Context | undefined {
    if (this.propagator !== undefined) return this.extractWith(base, headers as Carrier);
    return this.fromTraceparent(base, headerValue(headers, 'traceparent'), headerValue(headers, 'tracestate'));
  }

  private extractWith(base: Context, carrier: Carrier): Context | undefined {
    const api = this.api;
    const extracted = (this.propagator as TextMapPropagator).extract(base, carrier, carrierGetter);
    const spanContext = api.trace.getSpanContext(extracted);
    const before = api.trace.getSpanContext(base);
    if (spanContext === undefined || !api.trace.isSpanContextValid(spanContext)) return undefined;
    if (before !== undefined && sameSpan(before, spanContext)) return undefined; // nothing extracted
    return extracted;
  }

  private fromTraceparent(base: Context, traceparent: string | undefined, tracestate: string | undefined): Context | undefined {
    const parsed = parseTraceparent(traceparent);
    if (parsed === undefined) return undefined;
    const api = this.api;
    return api.trace.setSpanContext(base, {
      traceId: parsed.traceId,
      spanId: parsed.spanId,
      traceFlags: parsed.traceFlags,
      isRemote: true,
      ...(tracestate === undefined || tracestate.length === 0 ? {} : { traceState: api.createTraceState(tracestate) }),
    });
  }

  /** The message to forward with the span's context in `_meta`, when this direction propagates. */
  private inject(message: MessageView, context: ExchangeContext, active: Context, span: Span): MessageView | undefined {
    const enabled = context.direction === 'outbound' ? this.options.propagate : this.options.propagateInbound;
    if (!enabled) return undefined;
    const fields: Record<string, string> = {};
    if (this.propagator !== undefined) {
      this.propagator.inject(active, fields, carrierSetter);
    } else {
      const spanContext = span.spanContext();
      fields.traceparent = formatTraceparent(spanContext);
      const state = spanContext.traceState?.serialize();
      if (state !== undefined && state.length > 0) fields.tracestate = state;
    }
    return Object.keys(fields).length === 0 ? undefined : withMetaFields(message, fields);
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
      span.setStatus({ code: api.SpanStatusCode.ERROR, ...(outcome.errorMessage === undefined ? {} : { message: outcome.errorMessage }) });
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
