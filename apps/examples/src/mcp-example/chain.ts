// The standard chain the demo puts in front of its MCP server.
import { FilterManager, type ChainEvent, type Clock, type Engine } from '@gopher-mcp/core';
import { accessLog, combineEventSinks, metrics, tracing, type MetricsDefinition } from '@gopher-mcp/observability';
import { authentication, authorization } from '@gopher-mcp/security';
import { circuitBreaker, rateLimit } from '@gopher-mcp/traffic';
import type { TracerProvider } from '@opentelemetry/api';
import { Registry } from 'prom-client';

/** The limits of the demo, named so the story and the tests can quote them. */
export const LIMITS = {
  perUser: { name: 'per-user', limit: 30, windowMs: 60_000 },
  perUserTool: { name: 'per-user-tool', limit: 5, windowMs: 60_000 },
  breaker: { consecutiveFailures: 3, openMs: 10_000 },
} as const;

/** Where the chain's parts come from. */
export interface ChainParts {
  readonly engine: Engine;
  readonly clock: Clock;
  /** The JWT issuer and where its keys are. */
  readonly issuer: string;
  readonly jwksUri: string;
  /** The MCP resource (the server's URL): the tokens' audience. */
  readonly resource: string;
  readonly tracerProvider: TracerProvider;
  /** Receives every access log line (the demo shows them as part of the story). */
  readonly accessLogLine: (line: string) => void;
  /** Receives the chain's events (circuit states, filter errors). */
  readonly onEvent: (event: ChainEvent) => void;
}

/** The manager and what the story reads from it. */
export interface StandardChain {
  readonly manager: FilterManager;
  readonly metrics: MetricsDefinition;
  readonly registry: Registry;
  /** The filter names, outermost first. */
  readonly order: readonly string[];
}

/**
 * tracing > access_log > metrics > authentication > authorization > rate_limit > circuit_breaker:
 * tracing outermost (its span covers everything the chain does, and the log and metrics run in
 * its context), then the observability filters (they see every denial and its latency), then who
 * is calling, what they may call, how often, and whether the tool's backend is healthy. The
 * breaker counts tool errors (`isError: true` results: the server's tool failed) as failures.
 */
export function standardChain(parts: ChainParts): StandardChain {
  const registry = new Registry();
  const observed = metrics({ registry });
  const manager = new FilterManager({
    engine: parts.engine,
    clock: parts.clock,
    events: combineEventSinks(observed.eventSink, parts.onEvent),
    filters: [
      tracing({ tracerProvider: parts.tracerProvider }),
      accessLog({ format: 'combined', stream: { write: (chunk: string) => parts.accessLogLine(chunk.trimEnd()) } }),
      observed,
      authentication({
        jwt: { issuer: parts.issuer, audience: parts.resource, jwksUri: parts.jwksUri, algorithms: ['ES256'], typ: 'at+jwt' },
        resourceMetadata: { resource: parts.resource, authorizationServers: [parts.issuer] },
      }),
      authorization({
        roles: ['user', 'admin'],
        rules: [
          { name: 'protocol', effect: 'allow', methods: ['initialize', 'ping', 'notifications/*', 'tools/list'] },
          { name: 'admins', effect: 'allow', roles: ['admin'] },
          { name: 'users', effect: 'allow', roles: ['user'], scopes: ['tools:call'], tools: ['echo', 'slow', 'flaky'] },
        ],
      }),
      rateLimit({
        limits: [
          { ...LIMITS.perUser, key: 'subject' },
          { ...LIMITS.perUserTool, key: ['subject', 'tool'] },
        ],
      }),
      circuitBreaker({ key: 'tool', countToolErrors: true, ...LIMITS.breaker }),
    ],
  });
  return { manager, metrics: observed, registry, order: manager.getStats().filters.map((f) => f.name) };
}
