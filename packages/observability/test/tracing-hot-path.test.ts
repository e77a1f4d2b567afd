import {
  createJsEngine,
  FilterManager,
  ManualClock,
  type JsonRpcMessage,
} from '@gopher-mcp/core';
import * as api from '@opentelemetry/api';
import { context, createContextKey, ROOT_CONTEXT, trace, type Context, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api';
import { describe, expect, it, vi } from 'vitest';

import { randomSpanId, randomTraceId } from '../src/tracing/ids.js';
import { OverlayContext, spanSetter } from '../src/tracing/overlay-context.js';
import { UnsampledSpanContext } from '../src/tracing/unsampled.js';
import { tracing, type TracingOptions } from '../src/index.js';
import { result, seededRandom, toolCall } from './helpers.js';
import { useInMemoryTracing } from './tracing-setup.js';

const engine = createJsEngine();
const { exporter, provider } = useInMemoryTracing();

/** A tracer that counts what it is asked, delegating to the SDK's. */
class CountingTracer {
  starts = 0;
  attributeSets = 0;
  private readonly inner = provider.getTracer('counting');
  startSpan(name: string, options?: SpanOptions, ctx?: Parameters<Tracer['startSpan']>[2]): Span {
    this.starts++;
    if (options?.attributes !== undefined) this.attributeSets++;
    return this.inner.startSpan(name, options, ctx);
  }
}

describe('tracing ids', () => {
  it('makes W3C ids: lower-case hex of the right length, never all zero, not repeated', () => {
    const traces = new Set<string>();
    const spans = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const t = randomTraceId();
      const s = randomSpanId();
      expect(t).toMatch(/^[0-9a-f]{32}$/);
      expect(s).toMatch(/^[0-9a-f]{16}$/);
      traces.add(t);
      spans.add(s);
    }
    expect([traces.size, spans.size]).toEqual([2000, 2000]);
    expect(traces.has('0'.repeat(32))).toBe(false);
  });

  it('uses every hex digit in every position (no stuck nibble)', () => {
    const seen = Array.from({ length: 32 }, () => new Set<string>());
    for (let i = 0; i < 3000; i++) [...randomTraceId()].forEach((c, p) => seen[p]?.add(c));
    expect(seen.map((s) => s.size)).toEqual(Array.from({ length: 32 }, () => 16));
  });
});

describe('overlay context', () => {
  it('reads, sets and deletes exactly like the API’s own context, through folds, in any sequence', () => {
    const keys = Array.from({ length: 5 }, (_, i) => createContextKey(`test key ${i}`));
    const random = seededRandom(11);
    for (let run = 0; run < 200; run++) {
      let expected: Context = ROOT_CONTEXT.setValue(keys[0] as symbol, 'base');
      let actual: Context = new OverlayContext(expected, keys[1] as symbol, 'first');
      expected = expected.setValue(keys[1] as symbol, 'first');
      for (let step = 0; step < 30; step++) {
        const key = keys[Math.floor(random() * keys.length)] as symbol;
        if (random() < 0.3) {
          expected = expected.deleteValue(key);
          actual = actual.deleteValue(key);
        } else {
          const value = `v${run}.${step}`;
          expected = expected.setValue(key, value);
          actual = actual.setValue(key, value);
        }
        expect(keys.map((k) => actual.getValue(k))).toEqual(keys.map((k) => expected.getValue(k)));
      }
    }
  });

  it('never changes the context it was made from', () => {
    const key = createContextKey('test key');
    const base = new OverlayContext(ROOT_CONTEXT, key, 1);
    const changed = base.setValue(key, 2).deleteValue(key);
    expect([base.getValue(key), changed.getValue(key), ROOT_CONTEXT.getValue(key)]).toEqual([1, undefined, undefined]);
  });

  it('spanSetter puts a span where trace.getSpan and trace.getActiveSpan find it', () => {
    const setSpan = spanSetter(api);
    const span = trace.wrapSpanContext({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 });
    const withSpan = setSpan(ROOT_CONTEXT, span);
    expect(withSpan).toBeInstanceOf(OverlayContext);
    expect(trace.getSpan(withSpan)).toBe(span);
    expect(context.with(withSpan, () => trace.getActiveSpan())).toBe(span);
    expect(trace.getSpan(trace.deleteSpan(withSpan))).toBeUndefined();
  });
});

describe('unsampled span context', () => {
  it('makes its ids when first read, then keeps them; JSON has the fields', () => {
    const random = vi.spyOn(Math, 'random');
    try {
      const root = new UnsampledSpanContext(undefined, undefined);
      expect(random).not.toHaveBeenCalled();
      const traceId = root.traceId;
      const spanId = root.spanId;
      expect(random).toHaveBeenCalled();
      expect([root.traceId, root.spanId]).toEqual([traceId, spanId]);
      expect(JSON.parse(JSON.stringify(root))).toEqual({ traceId, spanId, traceFlags: 0 });
      expect(trace.isSpanContextValid(root)).toBe(true);
      const child = new UnsampledSpanContext('4bf92f3577b34da6a3ce929d0e0e4736', undefined);
      expect(child.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(child.spanId).toMatch(/^[0-9a-f]{16}$/);
    } finally {
      random.mockRestore();
    }
  });
});

/** A manager whose only filter is the tracing filter made with `options`. */
function managerWith(options: TracingOptions): FilterManager {
  return new FilterManager({ engine, clock: new ManualClock(0), filters: [tracing(options)] });
}

describe('tracing hot path', () => {
  it('not sampled: never asks the tracer (no attributes built), and the inside runs in an unsampled context', async () => {
    const tracer = new CountingTracer();
    const manager = managerWith({ tracer: tracer as unknown as Tracer, sampler: { type: 'never' } });
    const message = toolCall(1, 'echo');
    let inside: { traceId: string; spanId: string; traceFlags: number } | undefined;
    let child: Span | undefined;
    let forwarded: JsonRpcMessage | undefined;
    const answer = await manager.handle(message, (m) => {
      forwarded = m.message;
      child = provider.getTracer('app').startSpan('inner work'); // the SDK samples parent-based
      inside = trace.getActiveSpan()?.spanContext();
      return Promise.resolve(result(1, {}));
    });
    expect(answer).toEqual(result(1, {}));
    expect(forwarded).toBe(message); // inbound: nothing injected
    expect(tracer.starts).toBe(0);
    expect(inside?.traceFlags).toBe(0);
    expect(inside?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(inside?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(child?.isRecording()).toBe(false);
    expect(child?.spanContext().traceId).toBe(inside?.traceId);
    await manager.close();
  });

  it('not sampled under a parent: the same trace, a fresh span id, the parent’s tracestate kept', async () => {
    const manager = managerWith({ tracerProvider: provider, sampler: { type: 'never' } });
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    let inside: ReturnType<Span['spanContext']> | undefined;
    await manager.handle(toolCall(1, 'echo', {}, { traceparent, tracestate: 'rojo=1' }), () => {
      inside = trace.getActiveSpan()?.spanContext();
      return Promise.resolve(result(1, {}));
    });
    expect(inside?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(inside?.spanId).not.toBe('00f067aa0ba902b7');
    expect(inside?.traceFlags).toBe(0);
    expect(inside?.traceState?.serialize()).toBe('rojo=1');
    await manager.close();
  });

  it('sampled: one span, started with its attributes, ended once the inside answers (also when the upstream fails)', async () => {
    exporter.reset();
    const tracer = new CountingTracer();
    const manager = managerWith({ tracer: tracer as unknown as Tracer });
    let release!: (m: JsonRpcMessage) => void;
    const pending = manager.handle(toolCall(1, 'echo'), () => new Promise<JsonRpcMessage>((resolve) => (release = resolve)), { transport: 'tcp' });
    await Promise.resolve();
    expect([tracer.starts, tracer.attributeSets]).toEqual([1, 1]);
    expect(exporter.getFinishedSpans()).toHaveLength(0); // not ended before the inside answers
    release(result(1, {}));
    await pending;
    expect(exporter.getFinishedSpans().map((s) => [s.name, s.attributes['network.transport']])).toEqual([['tools/call echo', 'tcp']]);
    expect(await manager.handle(toolCall(2, 'echo'), () => Promise.reject(new Error('boom')))).toMatchObject({ id: 2, error: { code: -32603, message: 'upstream failed' } });
    const failed = exporter.getFinishedSpans()[1];
    expect(failed?.status).toEqual({ code: 2, message: 'upstream failed' });
    expect(failed?.attributes['error.type']).toBe('-32603');
    await manager.close();
  });
});
