/**
 * @gopher-mcp/observability: the access log, Prometheus metrics and OpenTelemetry tracing filters
 * of Gopher MCP. prom-client and @opentelemetry/api are optional peers, loaded by the filter that
 * needs them.
 * @packageDocumentation
 */
export {
  accessLog,
  defineAccessLog,
  type AccessLogDefinition,
  type AccessLogFilter,
  type AccessLogOptions,
  type AccessLogRuntimeOptions,
  type AccessLogStats,
} from './access-log/access-log.js';
export type { AccessLogRecord } from './access-log/record.js';
export type { AccessLogFormat } from './access-log/formats.js';
export { REDACTED } from './access-log/redact.js';
export type { AccessLogSink, LineStream } from './access-log/sinks.js';
export {
  metrics,
  defineMetrics,
  metricsEventSink,
  type MetricsDefinition,
  type MetricsFilter,
  type MetricsOptions,
  type MetricsRuntimeOptions,
  type MetricsState,
} from './metrics/metrics.js';
export { combineEventSinks, CIRCUIT_STATES } from './metrics/event-sink.js';
export { OTHER_LABEL } from './metrics/label-limiter.js';
export { serveMetrics, type MetricsServer, type ServeMetricsOptions } from './metrics/serve.js';
export type { BufferPoolStatsSource, BufferPoolsOption } from './metrics/collectors.js';
export type { AnyRegistry } from './metrics/registry-type.js';
export {
  tracing,
  defineTracing,
  TRACE_SPAN,
  INSTRUMENTATION_NAME,
  INSTRUMENTATION_VERSION,
  type TracingDefinition,
  type TracingFilter,
  type TracingOptions,
  type TracingRuntimeOptions,
} from './tracing/tracing.js';
export {
  alwaysSampler,
  neverSampler,
  ratioSampler,
  parentBasedSampler,
  rateLimitedSampler,
  type SpanSampler,
  type SamplingParent,
} from './tracing/samplers.js';
export { parseTraceparent, formatTraceparent, type TraceParent } from './tracing/trace-context.js';
export { exchangeOutcome, type ExchangeOutcome, type OutcomeKind } from './outcome.js';
export { accessLogFactory, metricsFactory, tracingFactory, family } from './family.js';
