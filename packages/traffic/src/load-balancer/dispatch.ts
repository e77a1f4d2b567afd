import {
  createExchangeContext,
  ErrorCode,
  FilterDeniedError,
  ObjectMessageView,
  type ExchangeContext,
  type MessageView,
  type Upstream,
} from '@gopher-mcp/core';

import { UPSTREAM_TARGET } from '../shared/attributes.js';
import type { PingFunction } from './health-checker.js';
import type { LoadBalancerTarget } from './target-state.js';

/** Options of {@link upstreamDispatcher}. */
export interface UpstreamDispatcherOptions {
  /** The target used when no load balancer chose one (default: refuse with 503). */
  readonly defaultTarget?: string;
}

function lookup(upstreams: Readonly<Record<string, Upstream>>, id: string | undefined): Upstream | undefined {
  return id !== undefined && Object.hasOwn(upstreams, id) ? upstreams[id] : undefined;
}

/**
 * A FilterManager `Upstream` that sends each exchange to the upstream function of the target the
 * `load_balancer` chose (the `UPSTREAM_TARGET` attribute): `manager.handle(message,
 * upstreamDispatcher({ a: sendToA, b: sendToB }))`. An exchange with no (known) target is
 * answered with 503.
 */
export function upstreamDispatcher(upstreams: Readonly<Record<string, Upstream>>, options: UpstreamDispatcherOptions = {}): Upstream {
  return (message: MessageView, context: ExchangeContext) => {
    const id = context.attributes.get(UPSTREAM_TARGET) ?? options.defaultTarget;
    const upstream = lookup(upstreams, id);
    if (upstream === undefined) {
      throw new FilterDeniedError(ErrorCode.UNAVAILABLE, id === undefined ? 'no upstream target was chosen' : 'no upstream for the chosen target', {
        retryAfterMs: 1000,
      });
    }
    return upstream(message, context);
  };
}

let pingSequence = 0;

/**
 * The health-check ping of a load balancer whose targets are `upstreams`: sends an MCP `ping`
 * request through the target's upstream function (with `UPSTREAM_TARGET` set and the check's abort
 * signal) and resolves when it answers with a result; an error response, no response or a
 * throw fails the check.
 */
export function upstreamPinger(upstreams: Readonly<Record<string, Upstream>>): PingFunction {
  return async (target: LoadBalancerTarget, signal: AbortSignal) => {
    const upstream = lookup(upstreams, target.id);
    if (upstream === undefined) throw new Error(`no upstream for target "${target.id}"`);
    const context = createExchangeContext({ signal, transport: 'health-check', direction: 'inbound' });
    context.attributes.set(UPSTREAM_TARGET, target.id);
    pingSequence = (pingSequence + 1) % Number.MAX_SAFE_INTEGER;
    const request = new ObjectMessageView({ jsonrpc: '2.0', id: `gopher-health-${pingSequence}`, method: 'ping' });
    const response = await upstream(request, context);
    if (response === undefined) throw new Error('no answer to ping');
    const answer = 'kind' in response ? response.message : response;
    if (!('result' in answer)) throw new Error('ping answered with an error');
  };
}
