import { createJsEngine, FilterManager, ManualClock, type Filter, type FilterLike, type JsonRpcMessage, type JsonRpcRequest, type MessageView } from '@gopher-mcp/core';
import { rateLimit } from '@gopher-mcp/traffic';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';

import { INSTRUMENTATION_NAME, tracing, TRACE_SPAN, type TracingOptions } from '../src/index.js';
import { errorResponse, notification, request, result, toolCall } from './helpers.js';
import { useInMemoryTracing } from './tracing-setup.js';

const engine = createJsEngine();
const { exporter, provider } = useInMemoryTracing();
afterEach(() => exporter.reset());

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_SPAN}-01`;
const HEADER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const HEADER_SPAN = 'b7ad6b7169203331';

const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
const only = (): ReadableSpan => {
  const finished = spans();
  expect(finished).toHaveLength(1);
  return finished[0] as ReadableSpan;
};
const pong = (m: MessageView) => result(m.id as number, { content: [] });

function chain(options: TracingOptions = {}, inner: FilterLike[] = [], clock?: ManualClock) {
  const definition = tracing({ tracerProvider: provider, ...options });
  return new FilterManager({ engine, ...(clock === undefined ? {} : { clock }), filters: [definition, ...inner] });
}

describe('tracing spans', () => {
  it('makes a SERVER span per inbound exchange with the MCP semantic conventions', async () => {
    const manager = chain();
    await manager.handle(toolCall(1, 'get-weather', { city: 'Paris' }), pong, {
      transport: 'http',
      session: { id: 'sess-1', protocolVersion: '2025-06-18' },
      peer: { address: '203.0.113.7', port: 50123 },
    });
    const span = only();
    expect(span.name).toBe('tools/call get-weather');
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.instrumentationScope.name).toBe(INSTRUMENTATION_NAME);
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.status).toEqual({ code: SpanStatusCode.UNSET });
    expect(span.attributes).toEqual({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'get-weather',
      'gen_ai.operation.name': 'execute_tool',
      'jsonrpc.request.id': '1',
      'mcp.session.id': 'sess-1',
      'mcp.protocol.version': '2025-06-18',
      'network.transport': 'tcp',
      'network.protocol.name': 'http',
      'client.address': '203.0.113.7',
      'client.port': 50123,
    });
    await manager.close();
  });

  it('names spans by prompt, by method alone, and by resource only when asked; notifications get spans too', async () => {
    const manager = chain();
    await manager.handle(request('p', 'prompts/get', { name: 'summarize' }), pong, { transport: 'stdio' });
    await manager.handle(request(2, 'resources/read', { uri: 'file:///a.txt' }), pong);
    await manager.handle(notification('notifications/initialized'), () => undefined);
    await manager.close();
    const withResource = chain({ resourceUriInSpanName: true });
    await withResource.handle(request(3, 'resources/read', { uri: 'file:///a.txt' }), pong);
    await withResource.close();
    expect(spans().map((s) => [s.name, s.attributes])).toEqual([
      ['prompts/get summarize', { 'mcp.method.name': 'prompts/get', 'gen_ai.prompt.name': 'summarize', 'jsonrpc.request.id': 'p', 'network.transport': 'pipe' }],
      ['resources/read', { 'mcp.method.name': 'resources/read', 'mcp.resource.uri': 'file:///a.txt', 'jsonrpc.request.id': '2' }],
      ['notifications/initialized', { 'mcp.method.name': 'notifications/initialized' }],
      ['resources/read file:///a.txt', { 'mcp.method.name': 'resources/read', 'mcp.resource.uri': 'file:///a.txt', 'jsonrpc.request.id': '3' }],
    ]);
  });

  it('records denials from a filter inside (the real rate limit), upstream errors and tool errors', async () => {
    const manager = chain({}, [rateLimit({ limits: [{ name: 'one-per-second', algorithm: 'fixed_window', limit: 1, windowMs: 1000, key: 'global' }] })], new ManualClock(0));
    await manager.handle(toolCall(1, 'echo'), pong);
    await manager.handle(toolCall(2, 'echo'), pong);
    await manager.close();
    const errors = chain();
    await errors.handle(toolCall(3, 'echo'), (m) => errorResponse(m.id as number, -32603, 'upstream broke'));
    await errors.handle(toolCall(4, 'echo'), (m) => result(m.id as number, { content: [], isError: true }));
    await errors.close();
    const [ok, denied, failed, toolError] = spans() as [ReadableSpan, ReadableSpan, ReadableSpan, ReadableSpan];
    expect(ok.status).toEqual({ code: SpanStatusCode.UNSET });
    expect(ok.attributes['error.type']).toBeUndefined();
    expect(denied.status).toEqual({ code: SpanStatusCode.ERROR, message: 'rate limit "one-per-second" exceeded' });
    expect(denied.attributes).toMatchObject({ 'error.type': '429', 'rpc.response.status_code': '429', 'rpc.jsonrpc.error_code': 429, 'gopher_mcp.denied_by': 'rate_limit' });
    expect(failed.status).toEqual({ code: SpanStatusCode.ERROR, message: 'upstream broke' });
    expect(failed.attributes).toMatchObject({ 'error.type': '-32603', 'rpc.response.status_code': '-32603', 'rpc.jsonrpc.error_code': -32603 });
    expect(failed.attributes['gopher_mcp.denied_by']).toBeUndefined();
    expect(toolError.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(toolError.attributes['error.type']).toBe('tool_error');
  });

  it('captures arguments and results only when asked, cut to maxCaptureBytes', async () => {
    const off = chain();
    await off.handle(toolCall(1, 'echo', { text: 'secret' }), (m) => result(m.id as number, { content: [{ type: 'text', text: 'secret' }] }));
    await off.close();
    const on = chain({ captureArguments: true, captureResults: true, maxCaptureBytes: 24 });
    await on.handle(toolCall(2, 'echo', { text: 'hi' }), (m) => result(m.id as number, { content: [{ type: 'text', text: 'a long answer' }] }));
    await on.close();
    const [plain, captured] = spans() as [ReadableSpan, ReadableSpan];
    expect(Object.keys(plain.attributes).filter((k) => k.startsWith('gen_ai.tool.call'))).toEqual([]);
    expect(captured.attributes['gen_ai.tool.call.arguments']).toBe('{"text":"hi"}');
    expect(captured.attributes['gen_ai.tool.call.result']).toBe('{"content":[{"type":"tex…');
  });

  it('makes the span active for the filters inside it and hands it over as TRACE_SPAN', async () => {
    let active: Span | undefined;
    let handed: Span | undefined;
    const inner: Filter = {
      type: 'custom',
      async handle(exchange, next) {
        active = trace.getActiveSpan();
        handed = exchange.context.attributes.get(TRACE_SPAN);
        return next();
      },
    };
    const manager = chain({}, [inner]);
    await manager.handle(toolCall(1, 'echo'), async (m) => {
      await new Promise((resolve) => setImmediate(resolve)); // across an async hop
      trace.getActiveSpan()?.setAttribute('upstream.saw', true);
      return pong(m);
    });
    await manager.close();
    const span = only();
    expect(active?.spanContext().spanId).toBe(span.spanContext().spanId);
    expect(handed).toBe(active);
    expect(span.attributes['upstream.saw']).toBe(true);
  });
});

describe('tracing parentage and propagation', () => {
  it('continues the trace context carried in params._meta', async () => {
    const manager = chain();
    await manager.handle(toolCall(1, 'echo', {}, { traceparent: TRACEPARENT, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' }), pong);
    await manager.close();
    const span = only();
    expect(span.spanContext().traceId).toBe(TRACE_ID);
    expect(span.parentSpanContext).toMatchObject({ traceId: TRACE_ID, spanId: PARENT_SPAN, isRemote: true });
    expect(span.spanContext().traceState?.serialize()).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    expect(span.links).toEqual([]);
  });

  it('continues the HTTP traceparent header when _meta has none', async () => {
    const manager = chain();
    await manager.handle(toolCall(1, 'echo'), pong, { transport: 'http', peer: { headers: { traceparent: `00-${HEADER_TRACE}-${HEADER_SPAN}-01` } } });
    await manager.close();
    const span = only();
    expect(span.parentSpanContext).toMatchObject({ traceId: HEADER_TRACE, spanId: HEADER_SPAN, isRemote: true });
    expect(span.links).toEqual([]);
  });

  it('prefers _meta over the header, linking the transport context', async () => {
    const manager = chain();
    await manager.handle(toolCall(1, 'echo', {}, { traceparent: TRACEPARENT }), pong, {
      transport: 'http',
      peer: { headers: { traceparent: `00-${HEADER_TRACE}-${HEADER_SPAN}-01` } },
    });
    await manager.close();
    const span = only();
    expect(span.parentSpanContext).toMatchObject({ traceId: TRACE_ID, spanId: PARENT_SPAN });
    expect(span.links.map((l) => [l.context.traceId, l.context.spanId])).toEqual([[HEADER_TRACE, HEADER_SPAN]]);
  });

  it('ignores a malformed traceparent', async () => {
    const manager = chain();
    await manager.handle(toolCall(1, 'echo', {}, { traceparent: `00-${'0'.repeat(32)}-${PARENT_SPAN}-01` }), pong);
    await manager.handle(toolCall(2, 'echo', {}, { traceparent: 'garbage' }), pong);
    await manager.close();
    expect(spans().map((s) => s.parentSpanContext)).toEqual([undefined, undefined]);
  });

  it('injects its span into outbound requests (a CLIENT span, child of the active one), keeping the rest of _meta', async () => {
    const manager = chain();
    const forwarded: JsonRpcMessage[] = [];
    const app = provider.getTracer('app');
    await app.startActiveSpan('app work', async (appSpan) => {
      await manager.handle(
        request(7, 'sampling/createMessage', { messages: [], maxTokens: 5, _meta: { progressToken: 'p-7' } }),
        (m) => {
          forwarded.push(m.message);
          return result(7, { role: 'assistant' });
        },
        { direction: 'outbound', transport: 'stdio' },
      );
      appSpan.end();
    });
    await manager.close();
    const [span, appSpan] = spans() as [ReadableSpan, ReadableSpan];
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.parentSpanContext?.spanId).toBe(appSpan.spanContext().spanId);
    const sent = forwarded[0] as JsonRpcRequest;
    expect(sent.params).toEqual({
      messages: [],
      maxTokens: 5,
      _meta: { progressToken: 'p-7', traceparent: `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01` },
    });
  });

  it('leaves inbound requests unchanged unless propagateInbound, then forwards its own context', async () => {
    const sent: JsonRpcMessage[] = [];
    const upstream = (m: MessageView) => {
      sent.push(m.message);
      return pong(m);
    };
    const plain = chain();
    const original = toolCall(1, 'echo', {}, { traceparent: TRACEPARENT });
    await plain.handle(original, upstream);
    await plain.close();
    expect(sent[0]).toEqual(original);
    const gateway = chain({ propagateInbound: true });
    await gateway.handle(toolCall(2, 'echo', {}, { traceparent: TRACEPARENT }), upstream);
    await gateway.close();
    const span = spans()[1] as ReadableSpan;
    expect((sent[1] as JsonRpcRequest).params).toEqual({ name: 'echo', arguments: {}, _meta: { traceparent: `00-${TRACE_ID}-${span.spanContext().spanId}-01` } });
  });

  it('injects into notifications without params, and never when propagate is off', async () => {
    const sent: JsonRpcMessage[] = [];
    const on = chain();
    await on.handle(notification('notifications/progress'), (m) => void sent.push(m.message), { direction: 'outbound' });
    await on.close();
    const off = chain({ propagate: false });
    await off.handle(notification('notifications/progress'), (m) => void sent.push(m.message), { direction: 'outbound' });
    await off.close();
    const span = spans()[0] as ReadableSpan;
    expect(sent).toEqual([
      { jsonrpc: '2.0', method: 'notifications/progress', params: { _meta: { traceparent: `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01` } } },
      { jsonrpc: '2.0', method: 'notifications/progress' },
    ]);
  });

  it('uses the application’s propagator when given (W3C trace context + baggage)', async () => {
    const propagator = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
    let baggage: string | undefined;
    const inner: Filter = {
      type: 'custom',
      handle(_exchange, next) {
        baggage = propagation.getBaggage(context.active())?.getEntry('tenant')?.value;
        return next();
      },
    };
    const manager = chain({ propagator, propagateInbound: true }, [inner]);
    const sent: JsonRpcMessage[] = [];
    await manager.handle(toolCall(1, 'echo', {}, { traceparent: TRACEPARENT, baggage: 'tenant=acme' }), (m) => {
      sent.push(m.message);
      return pong(m);
    });
    await manager.close();
    const span = only();
    expect(span.parentSpanContext?.spanId).toBe(PARENT_SPAN);
    expect(baggage).toBe('acme');
    expect((sent[0] as JsonRpcRequest).params).toEqual({
      name: 'echo',
      arguments: {},
      _meta: { traceparent: `00-${TRACE_ID}-${span.spanContext().spanId}-01`, baggage: 'tenant=acme' },
    });
  });
});

describe('tracing samplers', () => {
  const unsampledParent = `00-${TRACE_ID}-${PARENT_SPAN}-00`;

  it('parent-based (default): follows the parent flag, samples roots', async () => {
    const manager = chain();
    await manager.handle(toolCall(1, 'echo', {}, { traceparent: unsampledParent }), pong);
    await manager.handle(toolCall(2, 'echo', {}, { traceparent: TRACEPARENT }), pong);
    await manager.handle(toolCall(3, 'echo'), pong);
    await manager.close();
    expect(spans().map((s) => s.attributes['jsonrpc.request.id'])).toEqual(['2', '3']);
  });

  it('never: no spans, yet the context propagates marked not sampled, in the same trace', async () => {
    const manager = chain({ sampler: { type: 'never' } });
    const sent: JsonRpcMessage[] = [];
    const upstream = (m: MessageView) => {
      sent.push(m.message);
      return pong(m);
    };
    let activeSampled: boolean | undefined;
    const inner: Filter = {
      type: 'custom',
      handle(_e, next) {
        activeSampled = ((trace.getActiveSpan()?.spanContext().traceFlags ?? 1) & 1) === 1;
        return next();
      },
    };
    const withInner = chain({ sampler: { type: 'never' } }, [inner]);
    await manager.handle(request(1, 'sampling/createMessage', { _meta: { traceparent: TRACEPARENT } }), upstream, { direction: 'outbound' });
    await withInner.handle(toolCall(2, 'echo'), pong);
    await manager.close();
    await withInner.close();
    expect(spans()).toEqual([]);
    expect(activeSampled).toBe(false);
    const traceparent = ((sent[0] as JsonRpcRequest).params as { _meta: { traceparent: string } })._meta.traceparent;
    expect(traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-00$`));
    expect(traceparent).not.toContain(PARENT_SPAN);
  });

  it('ratio: by the parent trace id (consistent across services), at random for roots', async () => {
    const draws = [0.2, 0.7];
    const manager = chain({ sampler: { type: 'ratio', ratio: 0.5 }, random: () => draws.shift() as number });
    const low = `00-${'a'.repeat(19)}0000000000001-${PARENT_SPAN}-01`; // low bits tiny: kept
    const high = `00-${'a'.repeat(19)}fffffffffffff-${PARENT_SPAN}-01`; // low bits all ones: dropped
    await manager.handle(toolCall(1, 'echo', {}, { traceparent: low }), pong);
    await manager.handle(toolCall(2, 'echo', {}, { traceparent: high }), pong);
    await manager.handle(toolCall(3, 'echo'), pong); // draws 0.2 < 0.5: kept
    await manager.handle(toolCall(4, 'echo'), pong); // draws 0.7: dropped
    await manager.close();
    expect(spans().map((s) => s.attributes['jsonrpc.request.id'])).toEqual(['1', '3']);
  });

  it('rate_limited: at most perSecond spans per second of the chain clock', async () => {
    const clock = new ManualClock(0);
    const manager = chain({ sampler: { type: 'rate_limited', perSecond: 2 } }, [], clock);
    let id = 0;
    const burst = async (n: number) => {
      for (let i = 0; i < n; i++) await manager.handle(toolCall(++id, 'echo'), pong);
    };
    await burst(5); // 2 of 5
    clock.advance(500); // one token back
    await burst(3); // 1 of 3
    clock.advance(10_000); // full again (capacity: one second's worth)
    await burst(3); // 2 of 3
    await manager.close();
    expect(spans().map((s) => Number(s.attributes['jsonrpc.request.id']))).toEqual([1, 2, 6, 9, 10]);
  });

  it('always: asks the tracer for every exchange; the SDK’s own sampler still has the last word', async () => {
    const manager = chain({ sampler: { type: 'always' } });
    const forwarded: JsonRpcMessage[] = [];
    // The SDK here samples parent-based: under an unsampled parent its span does not record.
    await manager.handle(request(1, 'sampling/createMessage', { _meta: { traceparent: unsampledParent } }), (m) => {
      forwarded.push(m.message);
      return pong(m);
    }, { direction: 'outbound' });
    await manager.handle(toolCall(2, 'echo'), pong);
    await manager.close();
    expect(spans().map((s) => s.attributes['jsonrpc.request.id'])).toEqual(['2']);
    // The SDK's non-recording span still carries a fresh span id in the same trace, not sampled.
    const traceparent = ((forwarded[0] as JsonRpcRequest).params as { _meta: { traceparent: string } })._meta.traceparent;
    expect(traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-00$`));
  });
});
