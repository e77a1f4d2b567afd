import { ObjectMessageView, type ExchangeContext, type JsonRpcMessage, type MessageView, type TlsPeerIdentity } from '@gopher-mcp/core';

import { AuthenticationFailure } from './failure.js';

/** The credentials an exchange carries. */
export interface PresentedCredentials {
  /** A bearer token (from the `Authorization` header or the `_meta` field). */
  readonly bearer?: string;
  readonly apiKey?: string;
  /** The TLS client certificate identity the transport recorded. */
  readonly certificate?: TlsPeerIdentity;
  /** Request headers that carried credentials (to be marked consumed). */
  readonly headers: readonly string[];
}

const WHITESPACE = /\s/;

/** Whether `value` starts with the `Bearer` scheme (case-insensitive) followed by a space or nothing. */
function isBearerScheme(value: string): boolean {
  return value.length >= 6 && value.slice(0, 6).toLowerCase() === 'bearer' && (value.length === 6 || value[6] === ' ' || value[6] === '\t');
}

/** The token in what follows the `Bearer` scheme (RFC 6750 section 2.1), or undefined when malformed. */
function bearerToken(rest: string): string | undefined {
  const token = rest.trim();
  return token.length === 0 || WHITESPACE.test(token) ? undefined : token;
}

function single(value: string | readonly string[] | undefined): string | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (value.length === 0) return undefined;
  return value.length === 1 ? (value[0] as string) : null;
}

function metaOf(message: MessageView): Record<string, unknown> | undefined {
  const params = message.params;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return undefined;
  const meta = (params as Record<string, unknown>)._meta;
  return typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? (meta as Record<string, unknown>) : undefined;
}

/**
 * Reads the credentials of an exchange: `Authorization: Bearer` (or the `_meta` field for
 * transports without headers), the API key header, the TLS client certificate. A request with
 * two bearer tokens, or a repeated credential header, is refused (`invalid_request`, RFC 6750
 * section 2). Other `Authorization` schemes are not credentials here (but are still consumed).
 */
export function readCredentials(
  message: MessageView,
  context: ExchangeContext,
  options: { readonly apiKeyHeader?: string; readonly metaTokenField?: string },
): PresentedCredentials {
  const headers = context.peer.headers;
  const consumed: string[] = [];
  let bearer: string | undefined;
  const authorization = single(headers?.authorization);
  if (authorization === null) throw new AuthenticationFailure('multiple_credentials');
  if (authorization !== undefined) {
    consumed.push('authorization');
    if (isBearerScheme(authorization)) {
      bearer = bearerToken(authorization.slice(6));
      if (bearer === undefined) throw new AuthenticationFailure('malformed_token');
    }
  }
  if (options.metaTokenField !== undefined) {
    const value = metaOf(message)?.[options.metaTokenField];
    if (value !== undefined) {
      if (bearer !== undefined) throw new AuthenticationFailure('multiple_credentials');
      if (typeof value !== 'string') throw new AuthenticationFailure('malformed_token');
      bearer = bearerToken(isBearerScheme(value) ? value.slice(6) : value);
      if (bearer === undefined) throw new AuthenticationFailure('malformed_token');
    }
  }
  let apiKey: string | undefined;
  if (options.apiKeyHeader !== undefined) {
    const value = single(headers?.[options.apiKeyHeader]);
    if (value === null) throw new AuthenticationFailure('multiple_credentials');
    if (value !== undefined) {
      consumed.push(options.apiKeyHeader);
      apiKey = value;
    }
  }
  const certificate = context.peer.tls?.peerCertificate;
  return {
    ...(bearer === undefined ? {} : { bearer }),
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(certificate === undefined ? {} : { certificate }),
    headers: consumed,
  };
}

/**
 * The message without the `_meta` token field (the message itself when it has none): what is
 * forwarded upstream, so the token never leaves this hop.
 */
export function withoutMetaToken(message: MessageView, field: string): MessageView {
  const meta = metaOf(message);
  if (meta === undefined || !Object.hasOwn(meta, field)) return message;
  const { [field]: _removed, ...rest } = meta;
  const params = { ...(message.params as Record<string, unknown>) };
  if (Object.keys(rest).length === 0) delete params._meta;
  else params._meta = rest;
  return new ObjectMessageView({ ...message.message, params } as JsonRpcMessage);
}
