import type { Context, Span } from '@opentelemetry/api';

import type { OtelApiModule } from '../peers.js';

/** Overlays deeper than this are folded into the base context's own kind on the next change. */
const MAX_DEPTH = 8;

/** The value of a key an overlay deleted. */
const DELETED: unique symbol = Symbol('deleted');

/**
 * An OpenTelemetry {@link Context} that is another context with one key set (or deleted): what
 * `context.setValue` returns, made without copying the parent. The API's own context copies its
 * whole map (and makes three closures) on every `setValue`, which is most of the cost of putting
 * an exchange's span in context. Lookups walk the overlays down to the base; past a few levels the
 * next change folds them into the base's kind of context, so lookups stay short.
 */
export class OverlayContext implements Context {
  private readonly depth: number;

  constructor(
    private readonly parent: Context,
    private readonly key: symbol,
    private readonly value: unknown,
  ) {
    this.depth = parent instanceof OverlayContext ? parent.depth + 1 : 1;
  }

  getValue(key: symbol): unknown {
    if (this.key === key) return this.value === DELETED ? undefined : this.value;
    let context = this.parent;
    while (context instanceof OverlayContext) {
      if (context.key === key) return context.value === DELETED ? undefined : context.value;
      context = context.parent;
    }
    return context.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return this.depth >= MAX_DEPTH ? this.fold().setValue(key, value) : new OverlayContext(this, key, value);
  }

  deleteValue(key: symbol): Context {
    return this.depth >= MAX_DEPTH ? this.fold().deleteValue(key) : new OverlayContext(this, key, DELETED);
  }

  /** The same values in the base's kind of context. */
  private fold(): Context {
    const layers: OverlayContext[] = [this];
    let base = this.parent;
    while (base instanceof OverlayContext) {
      layers.push(base);
      base = base.parent;
    }
    for (let i = layers.length - 1; i >= 0; i--) {
      const { key, value } = layers[i] as OverlayContext;
      base = value === DELETED ? base.deleteValue(key) : base.setValue(key, value);
    }
    return base;
  }
}

/** Puts a span in a context: `trace.setSpan`, or a cheaper equivalent. */
export type SpanSetter = (context: Context, span: Span) => Context;

/**
 * `trace.setSpan` made with {@link OverlayContext}: the API's span key is captured through the
 * public Context interface (a probe context sees the key `setSpan` sets), and the result is checked
 * to read back through `trace.getSpan`; if either fails, the API's own `setSpan` is used.
 */
export function spanSetter(api: OtelApiModule): SpanSetter {
  let key: symbol | undefined;
  const probe: Context = {
    getValue: () => undefined,
    setValue(k) {
      key = k;
      return probe;
    },
    deleteValue: () => probe,
  };
  const marker = api.trace.wrapSpanContext(api.INVALID_SPAN_CONTEXT);
  api.trace.setSpan(probe, marker);
  const spanKey = key;
  if (spanKey === undefined || api.trace.getSpan(new OverlayContext(api.ROOT_CONTEXT, spanKey, marker)) !== marker) {
    return (context, span) => api.trace.setSpan(context, span);
  }
  return (context, span) => new OverlayContext(context, spanKey, span);
}
