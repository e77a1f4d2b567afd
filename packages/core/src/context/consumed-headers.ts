import type { ExchangeContext } from '../chain/filter.js';
import { attributeKey, type AttributeKey } from './attributes.js';
import type { Headers } from './peer.js';

/**
 * Lower-cased names of the request headers a filter consumed (e.g. `authorization` once an
 * authentication filter verified the token). Transports that forward a request upstream (a
 * gateway, a proxy) must not forward these headers: a credential meant for this hop never
 * reaches the next one (no token passthrough). Read it with {@link forwardableHeaders}.
 */
export const CONSUMED_HEADERS: AttributeKey<Set<string>> = attributeKey<Set<string>>('gopher-mcp.consumedHeaders');

/** Marks request headers as consumed for this exchange (names are lower-cased). */
export function consumeHeaders(context: ExchangeContext, ...names: string[]): void {
  let consumed = context.attributes.get(CONSUMED_HEADERS);
  if (consumed === undefined) {
    consumed = new Set<string>();
    context.attributes.set(CONSUMED_HEADERS, consumed);
  }
  for (const name of names) consumed.add(name.toLowerCase());
}

/** Whether a filter consumed the header `name` in this exchange. */
export function isHeaderConsumed(context: ExchangeContext, name: string): boolean {
  return context.attributes.get(CONSUMED_HEADERS)?.has(name.toLowerCase()) ?? false;
}

/** The headers a transport may forward upstream: `headers` without the ones consumed in this exchange. */
export function forwardableHeaders(headers: Headers | undefined, context: ExchangeContext): Record<string, string | readonly string[]> {
  const consumed = context.attributes.get(CONSUMED_HEADERS);
  const out: Record<string, string | readonly string[]> = {};
  if (headers === undefined) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (consumed?.has(name.toLowerCase())) continue;
    out[name] = value;
  }
  return out;
}
