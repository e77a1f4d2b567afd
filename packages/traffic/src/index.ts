/**
 * @gopher-mcp/traffic: traffic management filters for Gopher MCP: rate limit (in-process on the
 * engine's tables, or shared through Redis), circuit breaker, retry and load balancer.
 * @packageDocumentation
 */
export { family } from './family.js';

export {
  rateLimit,
  defineRateLimit,
  RateLimitFilter,
  type RateLimitOptions,
  type RateLimitRuntimeOptions,
  type RateLimitFilterStats,
} from './rate-limit/filter.js';
export type { KeyFunction } from './rate-limit/keys.js';
export type { CostFunction } from './rate-limit/cost.js';
export { RATE_LIMIT_SCRIPT, RATE_LIMIT_SCRIPT_SHA } from './rate-limit/redis-script.js';
export type { RedisClientLike } from './rate-limit/redis-store.js';
export { MemoryRateLimitStore, type MemoryStoreOptions } from './rate-limit/memory-store.js';

export {
  circuitBreaker,
  defineCircuitBreaker,
  CircuitBreakerFilter,
  DEFAULT_UPSTREAM_TARGET,
  type CircuitBreakerOptions,
  type CircuitBreakerRuntimeOptions,
  type CircuitKeyFunction,
  type CircuitStateEvent,
} from './circuit-breaker/filter.js';
export type { CircuitState, CircuitSnapshot, CircuitTransitionReason } from './circuit-breaker/circuit.js';

export {
  retry,
  defineRetry,
  RetryFilter,
  type RetryOptions,
  type RetryRuntimeOptions,
  type RetryEvent,
  type RetryFilterStats,
} from './retry/filter.js';
export { backoffDelay, type BackoffSettings } from './retry/backoff.js';

export {
  loadBalancer,
  defineLoadBalancer,
  LoadBalancerFilter,
  type LoadBalancerOptions,
  type LoadBalancerRuntimeOptions,
  type HashKeyFunction,
} from './load-balancer/filter.js';
export type { LoadBalancerTarget, TargetSnapshot } from './load-balancer/target-state.js';
export type { PingFunction } from './load-balancer/health-checker.js';
export { upstreamDispatcher, upstreamPinger, type UpstreamDispatcherOptions } from './load-balancer/dispatch.js';
export { hash32 } from './load-balancer/hash-ring.js';

export {
  UPSTREAM_TARGET,
  RESPONSE_STARTED,
  RATE_LIMIT_RESULT,
  UPSTREAM_GATE,
  markResponseStarted,
  type RateLimitResult,
  type UpstreamGate,
  type GatePass,
  type GateRefusal,
} from './shared/attributes.js';
export { seededRandom, type RandomSource } from './shared/random.js';
export type { CallOutcome } from './shared/outcome.js';
