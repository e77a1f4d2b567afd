import { createRequire } from 'node:module';

import type * as OtelApi from '@opentelemetry/api';
import type * as PromClient from 'prom-client';

/** The prom-client module, as this package loads it. */
export type PromClientModule = typeof PromClient;
/** The @opentelemetry/api module, as this package loads it. */
export type OtelApiModule = typeof OtelApi;

const requireHere = createRequire(import.meta.url);
let promClient: PromClientModule | undefined;
let otelApi: OtelApiModule | undefined;

/**
 * Loads prom-client, an optional peer dependency: only the metrics filter needs it, so a user of
 * the access log alone does not have to install it. Fails with the package to install.
 */
export function loadPromClient(): PromClientModule {
  if (promClient !== undefined) return promClient;
  try {
    promClient = requireHere('prom-client') as PromClientModule;
  } catch (error) {
    throw new Error('the metrics filter needs prom-client, which is not installed: npm install prom-client', { cause: error });
  }
  return promClient;
}

/**
 * Loads @opentelemetry/api, an optional peer dependency needed by the tracing filter only. The API
 * keeps its state (tracer provider, context manager, context keys) in process-wide symbols, so this
 * copy and the application's see the same tracing setup.
 */
export function loadOtelApi(): OtelApiModule {
  if (otelApi !== undefined) return otelApi;
  try {
    otelApi = requireHere('@opentelemetry/api') as OtelApiModule;
  } catch (error) {
    throw new Error('the tracing filter needs @opentelemetry/api, which is not installed: npm install @opentelemetry/api', { cause: error });
  }
  return otelApi;
}
