import type { Registry, RegistryContentType } from 'prom-client';

/** A prom-client Registry of either exposition format (Prometheus text or OpenMetrics). */
export type AnyRegistry = Registry<RegistryContentType>;
