// A tour of the filter chain: a custom filter, a conditional filter, run-time disable, statistics
// and the fallback behaviour when a filter breaks. Run: node dist/filter-manager-demo.js
import {
  ErrorCode,
  FilterManager,
  getDefaultEngineReport,
  type Filter,
  type JsonRpcMessage,
  type JsonRpcRequest,
} from '@gopher-mcp/core';

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** A custom filter: stamps every result with the time the exchange took. */
const timing: Filter = {
  type: 'timing',
  async handle(exchange, next) {
    const response = await next();
    if (response?.kind !== 'result') return response;
    const elapsedMs = exchange.context.clock.now() - exchange.context.startedAt;
    return exchange.respond({ ...(response.result as Record<string, unknown>), _elapsedMs: Math.round(elapsedMs) });
  },
};

/** A conditional filter: only `tools/call` of the `delete_*` tools is refused. */
const guard: Filter = {
  type: 'guard',
  handle(exchange, next) {
    if (exchange.message.toolName?.startsWith('delete_')) {
      return exchange.deny(ErrorCode.FORBIDDEN, 'destructive tools are disabled', { rule: 'no-delete' });
    }
    return next();
  },
};

/** A filter with a bug, to show the fallback behaviour. */
const flaky: Filter = {
  type: 'flaky',
  handle() {
    throw new Error('flaky filter exploded');
  },
};

const upstream = (message: { message: JsonRpcMessage }): JsonRpcMessage => {
  const request = message.message as JsonRpcRequest;
  return { jsonrpc: '2.0', id: request.id, result: { echoed: request.method } };
};

const call = (id: number, name: string): JsonRpcRequest => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: {} },
});

const describeResponse = (response: JsonRpcMessage | undefined): string => {
  if (response === undefined) return 'nothing';
  if ('error' in response) return `error ${response.error.code} (${response.error.message})`;
  if ('result' in response) return `result ${JSON.stringify({ ...response.result, _elapsedMs: undefined })}`;
  return 'request';
};

async function main(): Promise<void> {
  out(getDefaultEngineReport().summary);
  const events: string[] = [];
  const manager = new FilterManager({
    fallback: 'PASSTHROUGH',
    events: (event) => events.push(`${event.filter}: ${event.type}`),
    filters: [
      [timing, { name: 'timing' }],
      [guard, { name: 'guard', when: { methods: ['tools/call'] } }],
      [flaky, { name: 'flaky' }],
    ],
  });

  out('1. a tools/call of echo passes (flaky fails, PASSTHROUGH skips it)');
  out(`   -> ${describeResponse(await manager.handle(call(1, 'echo'), upstream))}`);
  out('2. a tools/call of delete_all is refused by the conditional guard');
  out(`   -> ${describeResponse(await manager.handle(call(2, 'delete_all'), upstream))}`);
  out('3. the guard does not apply to tools/list');
  out(`   -> ${describeResponse(await manager.handle({ jsonrpc: '2.0', id: 3, method: 'tools/list' }, upstream))}`);
  manager.chain.disable('guard');
  out('4. guard disabled at run time: delete_all passes');
  out(`   -> ${describeResponse(await manager.handle(call(4, 'delete_all'), upstream))}`);
  manager.chain.replace('flaky', { type: 'flaky', failClosed: true, handle: flaky.handle });
  out('5. flaky replaced by a fail-closed copy: a failure now rejects');
  out(`   -> ${describeResponse(await manager.handle(call(5, 'echo'), upstream))}`);

  out('events:');
  for (const event of events) out(`   ${event}`);
  const stats = manager.getStats();
  out(`stats: exchanges=${stats.exchanges} succeeded=${stats.succeeded} failed=${stats.failed} denied=${stats.denied} filterErrors=${stats.filterErrors}`);
  for (const filter of stats.filters) {
    out(`   ${filter.name.padEnd(7)} processed=${filter.processed} passed=${filter.passed} denied=${filter.denied} errors=${filter.errors} skipped=${filter.skipped}`);
  }
  await manager.close();
}

await main();
