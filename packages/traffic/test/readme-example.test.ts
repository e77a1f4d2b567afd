/** The README's examples, run as they are written there. */
import { describe, expect, it } from 'vitest';

import { createJsEngine, FilterManager, FilterRegistry, type JsonRpcId } from '@gopher-mcp/core';

import * as traffic from '../src/index.js';
import { circuitBreaker, loadBalancer, rateLimit, retry, upstreamDispatcher } from '../src/index.js';

describe('README examples', () => {
  it('composes the four filters in code', async () => {
    // --- README example (code) ---
    const manager = new FilterManager({
      filters: [
        rateLimit({
          limits: [
            { name: 'per-user', limit: 100, windowMs: 60_000, key: 'subject' },
            { name: 'per-user-tool', algorithm: 'sliding_window', limit: 10, windowMs: 60_000, key: ['subject', 'tool'] },
          ],
          toolCosts: { 'generate_*': 5 },
        }),
        circuitBreaker({ consecutiveFailures: 5, openMs: 30_000 }),
        retry({ maxAttempts: 3, idempotentTools: ['search'] }),
        loadBalancer({ strategy: 'least_outstanding', targets: [{ id: 'east' }, { id: 'west' }] }),
      ],
    });

    // One upstream function per target: here plain functions, in a gateway the transports to each server.
    const upstream = upstreamDispatcher({
      east: (request) => ({ jsonrpc: '2.0', id: request.id as JsonRpcId, result: { served: 'east' } }),
      west: (request) => ({ jsonrpc: '2.0', id: request.id as JsonRpcId, result: { served: 'west' } }),
    });

    const alice = { principal: { subject: 'alice', scopes: [], roles: [], claims: {}, method: 'api_key' as const } };
    const call = { jsonrpc: '2.0' as const, id: 1, method: 'tools/call', params: { name: 'search', arguments: { q: 'mcp' } } };
    const response = await manager.handle(call, upstream, alice);
    // response: { jsonrpc: '2.0', id: 1, result: { served: 'east' } }
    await manager.close();
    // --- end ---
    expect(response).toEqual({ jsonrpc: '2.0', id: 1, result: { served: 'east' } });
  });

  it('builds the filters from a config', async () => {
    const config = {
      trafficManagement: {
        rateLimit: {
          enabled: true,
          limits: [{ name: 'per-client', algorithm: 'fixed_window', limit: 600, windowMs: 60_000, key: 'client_address' }],
          exemptMethods: ['initialize', 'ping', 'notifications/*'],
        },
        circuitBreaker: { enabled: true, key: 'tool', consecutiveFailures: 3, openMs: 10_000 },
        retry: { enabled: true, maxAttempts: 2 },
      },
    } as const;
    const manager = await FilterManager.fromConfig(config, { registry: new FilterRegistry(), importer: async () => traffic, engine: createJsEngine() });
    expect(manager.chain.names()).toEqual(['rate_limit', 'circuit_breaker', 'retry']);
    await manager.close();
  });
});
