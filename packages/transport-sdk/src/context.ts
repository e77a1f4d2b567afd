import { attributeKey, type AttributeKey, type Headers, type PeerInfo, type Principal } from '@gopher-mcp/core';

import type { SdkAuthInfo, SdkMessageExtraInfo, SdkSendOptions, SdkTransport } from './sdk-types.js';

/**
 * The `extra` the SDK transport handed over with the message that opened the exchange (HTTP
 * request info, auth info), untouched. Absent for exchanges the local SDK opened.
 */
export const MESSAGE_EXTRA: AttributeKey<SdkMessageExtraInfo> = attributeKey<SdkMessageExtraInfo>('transport-sdk.extra');

/** The SDK's `authInfo` of the message that opened the exchange (it holds the token: never log it). */
export const AUTH_INFO: AttributeKey<SdkAuthInfo> = attributeKey<SdkAuthInfo>('transport-sdk.authInfo');

/** The send options the local SDK gave with the message that opened the exchange, untouched. */
export const SEND_OPTIONS: AttributeKey<SdkSendOptions> = attributeKey<SdkSendOptions>('transport-sdk.sendOptions');

/**
 * The HTTP headers of the request a message arrived in, with lower-cased names: from
 * `extra.requestInfo.headers` (SDK 1.x) or `extra.request.headers` (SDK 2.x); undefined when the
 * transport has no HTTP request (stdio, in-memory).
 */
export function headersOf(extra: SdkMessageExtraInfo | undefined): Headers | undefined {
  if (extra === undefined) return undefined;
  const isomorphic = extra.requestInfo?.headers;
  if (isomorphic !== undefined) {
    const out: Record<string, string | string[] | undefined> = {};
    for (const [name, value] of Object.entries(isomorphic)) out[name.toLowerCase()] = value;
    return out;
  }
  const fetchHeaders = extra.request?.headers;
  if (fetchHeaders !== undefined && typeof fetchHeaders.forEach === 'function') {
    const out: Record<string, string> = {};
    fetchHeaders.forEach((value, name) => {
      out[name.toLowerCase()] = value;
    });
    return out;
  }
  return undefined;
}

/**
 * The principal an SDK server transport already authenticated (its `authInfo`, e.g. set by the
 * SDK's bearer-auth middleware): subject = client id, the token's scopes, its `extra` as claims.
 * The token itself is never copied.
 */
export function principalFromAuthInfo(authInfo: SdkAuthInfo): Principal {
  const claims: Record<string, unknown> = { ...(authInfo.extra ?? {}), client_id: authInfo.clientId };
  if (authInfo.expiresAt !== undefined) claims.exp = authInfo.expiresAt;
  if (authInfo.resource !== undefined) claims.resource = String(authInfo.resource);
  return { subject: authInfo.clientId, scopes: [...authInfo.scopes], roles: [], claims, method: 'custom' };
}

/** Where the peer's address comes from: fixed for the transport, or computed per message. */
export type PeerSource = PeerInfo | ((extra: SdkMessageExtraInfo | undefined) => PeerInfo | undefined);

const NO_PEER: PeerInfo = Object.freeze({});

/** The peer of one message: the configured peer, with the message's HTTP headers. */
export function peerOf(source: PeerSource | undefined, extra: SdkMessageExtraInfo | undefined): PeerInfo {
  const base = typeof source === 'function' ? source(extra) : source;
  const headers = headersOf(extra);
  if (headers === undefined) return base ?? NO_PEER;
  return { ...base, headers };
}

const NAME_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/stdio/i, 'stdio'],
  [/streamablehttp|perrequesthttp/i, 'http'],
  [/sse/i, 'sse'],
  [/inmemory|memory/i, 'memory'],
  [/websocket/i, 'websocket'],
];

/**
 * Names the inner transport for `ExchangeContext.transport` from its class name: `stdio`, `http`
 * (Streamable HTTP), `sse`, `memory`, `websocket`, else `sdk`. Bundlers that rename classes
 * defeat this: pass `transportName` then.
 */
export function detectTransportName(inner: SdkTransport): string {
  const name = (inner as { constructor?: { name?: unknown } }).constructor?.name;
  if (typeof name !== 'string') return 'sdk';
  for (const [pattern, transport] of NAME_PATTERNS) if (pattern.test(name)) return transport;
  return 'sdk';
}
