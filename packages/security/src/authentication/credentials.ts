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
const BEARER_LOWER = 'bearer';

/** Whether `value` starts with the `Bearer` scheme (case-insensitive) followed by a space, a tab or nothing. */
function isBearerScheme(value: string): boolean {
  if (value.length < 6) return false;
  if (!value.startsWith('Bearer')) {
    // Case-insensitive compare without a slice and a lower-casing: ASCII letters | 0x20 are lower case.
    for (let i = 0; i < 6; i++) if ((value.charCodeAt(i) | 0x20) !== BEARER_LOWER.charCodeAt(i)) return false;
  }
  const after = value.charCodeAt(6);
  return value.length === 6 || after === 32 || after === 9;
}

/** Visible ASCII only: a token made of these needs no trimming and holds no whitespace. */
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/** The index of the first character of `value` from `start` on that is not a space or a tab. */
function skipBlanks(value: string, start: number): number {
  let from = start;
  while (from < value.length && (value.charCodeAt(from) === 32 || value.charCodeAt(from) === 9)) from++;
  return from;
}

/**
 * The token in `value` from `start` on (what follows the `Bearer` scheme, RFC 6750 section 2.1),
 * trimmed, or undefined when empty or holding whitespace. The usual token (spaces or tabs, then
 * visible ASCII to the end) takes one regular-expression scan; anything else the exact trim and test.
 */
function bearerToken(value: string, start: number): string | undefined {
  const from = skipBlanks(value, start);
  const rest = from === 0 ? value : value.slice(from);
  if (VISIBLE_ASCII.test(rest)) return rest;
  const token = value.slice(start).trim();
  return token.length === 0 || WHITESPACE.test(token) ? undefined : token;
}

/**
 * What may be the bearer token of an `Authorization` value of the exact form `Bearer <token>`:
 * the value after the scheme and its spaces or tabs, not checked further. Only for a lookup in a
 * cache of tokens that were checked when they were stored (a cached token has no whitespace, so
 * a value this returns matches one only when {@link readCredentials} would read the same token).
 */
export function bearerCandidate(authorization: string): string | undefined {
  if (!authorization.startsWith('Bearer ')) return undefined;
  const from = authorization.charCodeAt(7) === 32 || authorization.charCodeAt(7) === 9 ? skipBlanks(authorization, 7) : 7;
  return from === authorization.length ? undefined : authorization.slice(from);
}

/** `headers` values of {@link PresentedCredentials} shared by every call (frozen: never mutated). */
const NO_HEADERS: readonly string[] = Object.freeze([]);
const AUTHORIZATION_ONLY: readonly string[] = Object.freeze(['authorization']);

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
  options: { readonly apiKeyHeader?: string | undefined; readonly metaTokenField?: string | undefined },
): PresentedCredentials {
  const headers = context.peer.headers;
  let bearer: string | undefined;
  let consumedAuthorization = false;
  if (headers !== undefined) {
    const authorization = single(headers.authorization);
    if (authorization === null) throw new AuthenticationFailure('multiple_credentials');
    if (authorization !== undefined) {
      consumedAuthorization = true;
      if (isBearerScheme(authorization)) {
        bearer = bearerToken(authorization, 6);
        if (bearer === undefined) throw new AuthenticationFailure('malformed_token');
      }
    }
  }
  if (options.metaTokenField !== undefined) {
    const value = metaOf(message)?.[options.metaTokenField];
    if (value !== undefined) {
      if (bearer !== undefined) throw new AuthenticationFailure('multiple_credentials');
      if (typeof value !== 'string') throw new AuthenticationFailure('malformed_token');
      bearer = bearerToken(value, isBearerScheme(value) ? 6 : 0);
      if (bearer === undefined) throw new AuthenticationFailure('malformed_token');
    }
  }
  let apiKey: string | undefined;
  let consumed = consumedAuthorization ? AUTHORIZATION_ONLY : NO_HEADERS;
  if (options.apiKeyHeader !== undefined && headers !== undefined) {
    const value = single(headers[options.apiKeyHeader]);
    if (value === null) throw new AuthenticationFailure('multiple_credentials');
    if (value !== undefined) {
      consumed = consumedAuthorization ? ['authorization', options.apiKeyHeader] : [options.apiKeyHeader];
      apiKey = value;
    }
  }
  const credentials: { bearer?: string; apiKey?: string; certificate?: TlsPeerIdentity; headers: readonly string[] } = { headers: consumed };
  // Optional fields are assigned, not spread: no object is made per absent field.
  if (bearer !== undefined) credentials.bearer = bearer;
  if (apiKey !== undefined) credentials.apiKey = apiKey;
  const certificate = context.peer.tls?.peerCertificate;
  if (certificate !== undefined) credentials.certificate = certificate;
  return credentials;
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
