import {
  circuitBreakerOptionsSchema,
  loadBalancerOptionsSchema,
  rateLimitOptionsSchema,
  retryOptionsSchema,
  type CircuitBreakerConfig,
  type FilterFactory,
  type FilterFamily,
  type LoadBalancerConfig,
  type RateLimitConfig,
  type RetryConfig,
} from '@gopher-mcp/core';

import { defineCircuitBreaker } from './circuit-breaker/filter.js';
import { defineLoadBalancer } from './load-balancer/filter.js';
import { defineRateLimit } from './rate-limit/filter.js';
import { defineRetry } from './retry/filter.js';

const rateLimitFactory: FilterFactory<RateLimitConfig> = {
  type: 'rate_limit',
  schema: rateLimitOptionsSchema,
  define: (options) => defineRateLimit(options),
};

const circuitBreakerFactory: FilterFactory<CircuitBreakerConfig> = {
  type: 'circuit_breaker',
  schema: circuitBreakerOptionsSchema,
  define: (options) => defineCircuitBreaker(options),
};

const retryFactory: FilterFactory<RetryConfig> = {
  type: 'retry',
  schema: retryOptionsSchema,
  define: (options) => defineRetry(options),
};

const loadBalancerFactory: FilterFactory<LoadBalancerConfig> = {
  type: 'load_balancer',
  schema: loadBalancerOptionsSchema,
  define: (options) => defineLoadBalancer(options),
};

/**
 * The traffic family: rate_limit, circuit_breaker, retry and load_balancer, for
 * `FilterManager.fromConfig` (which imports this package when a config enables one of them) or
 * `registry.register(family)`. From config, options that are functions or clients (key functions,
 * the ioredis client, the health-check ping) cannot be given: use `store.url` for Redis, or build
 * those filters in code with the factories.
 */
export const family: FilterFamily = {
  name: 'traffic',
  packageName: '@gopher-mcp/traffic',
  factories: [rateLimitFactory, circuitBreakerFactory, retryFactory, loadBalancerFactory],
};
