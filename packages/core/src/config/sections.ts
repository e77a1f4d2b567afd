import type { BuiltinFilterType } from '../registry/known-filters.js';
import type { FilterManagerConfig } from './filter-manager-config.js';

/** A filter section of the config with its type id. */
export interface ConfigSection {
  readonly type: BuiltinFilterType;
  /** Dotted path in the config, e.g. `trafficManagement.rateLimit`. */
  readonly path: string;
  readonly options: { readonly enabled: boolean } & Record<string, unknown>;
}

/**
 * The standard order of a chain built from config, outermost first: observability sees everything
 * (denials and latency included), tracing first of all (its span covers the whole chain, the log
 * and metrics run in its context, and the chain unwinds in one continuation), then security, then
 * traffic management, then the HTTP and network filters nearest the upstream.
 */
const ORDER: ReadonlyArray<readonly [BuiltinFilterType, keyof FilterManagerConfig, string]> = [
  ['tracing', 'observability', 'tracing'],
  ['access_log', 'observability', 'accessLog'],
  ['metrics', 'observability', 'metrics'],
  ['tls_termination', 'security', 'tlsTermination'],
  ['authentication', 'security', 'authentication'],
  ['authorization', 'security', 'authorization'],
  ['rate_limit', 'trafficManagement', 'rateLimit'],
  ['circuit_breaker', 'trafficManagement', 'circuitBreaker'],
  ['retry', 'trafficManagement', 'retry'],
  ['load_balancer', 'trafficManagement', 'loadBalancer'],
  ['http_codec', 'http', 'codec'],
  ['http_router', 'http', 'router'],
  ['http_compression', 'http', 'compression'],
  ['tcp_proxy', 'network', 'tcpProxy'],
  ['udp_proxy', 'network', 'udpProxy'],
];

/** The enabled filter sections of `config`, in chain order. */
export function enabledSections(config: FilterManagerConfig): ConfigSection[] {
  const sections: ConfigSection[] = [];
  for (const [type, group, key] of ORDER) {
    const groupValue = config[group] as Record<string, unknown> | undefined;
    const options = groupValue?.[key] as ConfigSection['options'] | undefined;
    if (options?.enabled === true) sections.push({ type, path: `${group}.${key}`, options });
  }
  return sections;
}
