// A FilterManager built from a config object, driven message at a time with the seed's API:
// process() runs the request phase and returns what to forward (or the error to answer with),
// processResponse() runs the response phase of the exchange with the same id.
// Run: node dist/basic-usage.js
import { FilterManager, type FilterManagerConfigInput, type JsonRpcMessage } from '@gopher-mcp/core';

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const config: FilterManagerConfigInput = {
  name: 'basic-usage',
  trafficManagement: {
    rateLimit: {
      enabled: true,
      // Two calls per session per minute, fixed window: the third is refused with 429.
      limits: [{ name: 'per-session', algorithm: 'fixed_window', limit: 2, windowMs: 60_000, key: 'session' }],
      exemptMethods: ['ping'],
    },
  },
  errorHandling: { fallbackBehavior: 'REJECT' },
};

const show = (message: JsonRpcMessage | undefined): string => {
  if (message === undefined) return 'nothing (dropped)';
  if ('error' in message) return `error ${message.error.code} ${message.error.message} ${JSON.stringify(message.error.data)}`;
  if ('result' in message) return `result ${JSON.stringify(message.result)}`;
  return `forward ${message.method}`;
};

async function main(): Promise<void> {
  // fromConfig validates the config (errors name the path) and imports @gopher-mcp/traffic.
  const manager = await FilterManager.fromConfig(config);
  out(`chain: ${manager.chain.names().join(' -> ')} (${manager.engine.kind} engine)`);
  const session = { session: { id: 'session-1' } };

  for (const id of [1, 2, 3]) {
    const request: JsonRpcMessage = { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { n: id } } };
    const forwarded = await manager.process(request, session);
    out(`request ${id}: ${show(forwarded)}`);
    if (forwarded !== undefined && 'method' in forwarded) {
      // ... the message goes to the server; its response comes back through the chain:
      const response = await manager.processResponse({ jsonrpc: '2.0', id, result: { echoed: id } }, session);
      out(`response ${id}: ${show(response)}`);
    }
  }
  out(`ping: ${show(await manager.processRequestResponse({ jsonrpc: '2.0', id: 4, method: 'ping' }, { jsonrpc: '2.0', id: 4, result: {} }, session))}`);
  out(`invalid: ${show(await manager.process({ jsonrpc: '1.0', id: 5 } as unknown as JsonRpcMessage, session))}`);

  const stats = manager.getStats();
  out(`stats: requests=${stats.requests} succeeded=${stats.succeeded} denied=${stats.denied} pending=${stats.pendingResponses}`);
  await manager.close();
}

await main();
