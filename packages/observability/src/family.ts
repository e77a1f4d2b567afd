import {
  accessLogOptionsSchema,
  metricsOptionsSchema,
  tracingOptionsSchema,
  type AccessLogConfig,
  type FilterFactory,
  type FilterFamily,
  type MetricsConfig,
  type TracingConfig,
} from '@gopher-mcp/core';

import { defineAccessLog } from './access-log/access-log.js';
import { defineMetrics } from './metrics/metrics.js';
import { defineTracing } from './tracing/tracing.js';

/** The access_log factory of the family (config options only: the runtime ones take their defaults). */
export const accessLogFactory: FilterFactory<AccessLogConfig> = {
  type: 'access_log',
  schema: accessLogOptionsSchema,
  define: (options) => defineAccessLog(options),
};

/** The metrics factory of the family (a new Registry: use `serve` to expose it). */
export const metricsFactory: FilterFactory<MetricsConfig> = {
  type: 'metrics',
  schema: metricsOptionsSchema,
  define: (options) => defineMetrics(options),
};

/** The tracing factory of the family (the global tracer provider). */
export const tracingFactory: FilterFactory<TracingConfig> = {
  type: 'tracing',
  schema: tracingOptionsSchema,
  define: (options) => defineTracing(options),
};

/** The observability family: what `FilterManager.fromConfig` registers for `observability.*`. */
export const family: FilterFamily = {
  name: 'observability',
  packageName: '@gopher-mcp/observability',
  factories: [accessLogFactory, metricsFactory, tracingFactory],
};
