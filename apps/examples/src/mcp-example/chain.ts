// The standard chain the demo puts in front of its MCP server.
import { ErrorCode, errorView, FilterManager, type ChainEvent, type Clock, type Engine, type Filter } from '@gopher-mcp/core';
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
 * A custom filter, innermost: a `tools/call` of one of `tools` that the server answered with a tool
 * error (`isError: true`, e.g. its backend is down) becomes a -32603 error response, so the circuit
 * breaker outside it counts it as an upstream failure (the breaker counts error responses only; a
 * tool error is an answer). The response is made with `errorView`, not `exchange.deny`: it is not
 * a denial by this filter, it is the upstream failing.
 */
export function toolFailuresAsErrors(tools: readonly string[]): Filter {
  const names = new Set(tools);
  return {
    type: 'tool_failures',
    async handle(exchange, next) {
      const response = await next();
      const tool = exchange.message.toolName;
      if (response?.kind !== 'result' || tool === undefined || !names.has(tool)) return response;
      const result = response.result as { isError?: unknown; content?: Array<{ text?: unknown }> } | undefined;
      if (result?.isError !== true) return response;
      const reason = typeof result.content?.[0]?.text === 'string' ? result.content[0].text : 'failed';
      return errorView(exchange.message, ErrorCode.INTERNAL_ERROR, `tool ${tool} failed: ${reason}`, { tool });
    },
  };
}

/**
 * access_log > tracing > metrics > authentication > authorization > rate_limit > circuit_breaker >
 * tool_failures: the observability filters outermost (they see every denial and its latency),
 * then who is calling, what they may call, how often, and whether the tool's backend is healthy.
 */
export function standardChain(parts: ChainParts): StandardChain {
  const registry = new Registry();
  const observed = metrics({ registry });
  const manager = new FilterManager({
    engine: parts.engine,
    clock: parts.clock,
    events: combineEventSinks(observed.eventSink, parts.onEvent),
    filters: [
      accessLog({ format: 'combined', stream: { write: (chunk: string) => parts.accessLogLine(chunk.trimEnd()) } }),
      tracing({ tracerProvider: parts.tracerProvider }),
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
      circuitBreaker({ key: 'tool', ...LIMITS.breaker }),
      toolFailuresAsErrors(['flaky']),
    ],
  });
  return { manager, metrics: observed, registry, order: manager.getStats().filters.map((f) => f.name) };
}
