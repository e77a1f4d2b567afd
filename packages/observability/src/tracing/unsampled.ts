import type { SpanContext, TraceState } from '@opentelemetry/api';

import { randomSpanId, randomTraceId } from './ids.js';

/**
 * The span context of an exchange that is not traced: not sampled (trace flags 0), in the parent's
 * trace (or a new one), with a span id of its own, so what is inside and downstream continues the
 * trace unsampled as W3C trace context asks. Its ids are made on first read: most unsampled
 * contexts are never read (nothing inside traces, nothing is injected), and making ids is the
 * largest cost of an unsampled exchange. Once read they never change; `toJSON` gives the fields.
 * OpenTelemetry's API, SDK and propagators read the fields; a copy made by spreading the object
 * before any read would miss the ids (they are accessors on the prototype).
 */
export class UnsampledSpanContext implements SpanContext {
  readonly traceFlags = 0;
  private trace: string | undefined;
  private span: string | undefined = undefined;

  constructor(
    traceId: string | undefined,
    readonly traceState: TraceState | undefined,
  ) {
    this.trace = traceId;
  }

  /** The parent's trace id, or a new random one. */
  get traceId(): string {
    return (this.trace ??= randomTraceId());
  }

  /** A new random span id. */
  get spanId(): string {
    return (this.span ??= randomSpanId());
  }

  toJSON(): SpanContext {
    const fields: SpanContext = { traceId: this.traceId, spanId: this.spanId, traceFlags: this.traceFlags };
    if (this.traceState !== undefined) fields.traceState = this.traceState;
    return fields;
  }
}
