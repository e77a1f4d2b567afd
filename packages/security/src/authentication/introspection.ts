import { silentLogger, type AuthenticationConfig, type Clock, type Logger } from '@gopher-mcp/core';

import { fetchJson, globalFetch, type FetchLike } from '../internal/http-fetch.js';
import { AuthenticationFailure } from './failure.js';

/** Validated introspection options. */
export type IntrospectionConfig = NonNullable<AuthenticationConfig['introspection']>;

/** Runtime parts of a {@link TokenIntrospector}. */
export interface TokenIntrospectorRuntime {
  readonly clock: Clock;
  /** Default: the global fetch. */
  readonly fetch?: FetchLike;
  readonly logger?: Logger;
}

/** An active token as the authorization server described it. */
export interface IntrospectedToken {
  /** The introspection response members (`active` included). */
  readonly claims: Readonly<Record<string, unknown>>;
  /** Clock time (ms) until which the answer may be reused: `cacheMs` from now, never past `exp`. */
  readonly reuseUntil: number;
}

/** Largest introspection response accepted. */
const MAX_RESPONSE_BYTES = 262_144;

/** `application/x-www-form-urlencoded` encoding of one client credential (RFC 6749 section 2.3.1). */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

/**
 * An RFC 7662 token introspection client: POSTs the token (form-encoded, with HTTP Basic client
 * authentication) to the authorization server and accepts it only when `active` is `true` and
 * `exp`, `nbf`, `aud` and `iss` (when configured) agree. The endpoint being down refuses the
 * token (fail closed). Caching is the caller's (keyed by the token's hash).
 */
export class TokenIntrospector {
  private readonly fetch: FetchLike;
  private readonly logger: Logger;
  private readonly authorization: string;
  private readonly abort = new AbortController();
  private readonly audiences: readonly string[] | undefined;
  private readonly issuers: readonly string[] | undefined;

  constructor(
    private readonly config: IntrospectionConfig,
    private readonly runtime: TokenIntrospectorRuntime,
  ) {
    this.fetch = runtime.fetch ?? globalFetch;
    this.logger = runtime.logger ?? silentLogger;
    const basic = Buffer.from(`${formEncode(config.clientId)}:${formEncode(config.clientSecret)}`).toString('base64');
    this.authorization = `Basic ${basic}`;
    this.audiences = config.audience === undefined ? undefined : typeof config.audience === 'string' ? [config.audience] : config.audience;
    this.issuers = config.issuer === undefined ? undefined : typeof config.issuer === 'string' ? [config.issuer] : config.issuer;
  }

  /** Introspects `token`; fails with `inactive_token`, `expired`, ... or `introspection_failed`. */
  async introspect(token: string): Promise<IntrospectedToken> {
    let status: number;
    let body: unknown;
    try {
      ({ status, body } = await fetchJson(
        this.fetch,
        this.config.endpoint,
        {
          method: 'POST',
          headers: {
            authorization: this.authorization,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        },
        { clock: this.runtime.clock, timeoutMs: this.config.timeoutMs, maxBytes: MAX_RESPONSE_BYTES, signal: this.abort.signal },
      ));
    } catch (error) {
      this.logger.warn({ endpoint: this.config.endpoint, err: error instanceof Error ? error.message : String(error) }, 'gopher-mcp: token introspection failed');
      throw new AuthenticationFailure('introspection_failed');
    }
    if (status !== 200 || typeof body !== 'object' || body === null || Array.isArray(body)) {
      this.logger.warn({ endpoint: this.config.endpoint, status }, 'gopher-mcp: token introspection answered badly');
      throw new AuthenticationFailure('introspection_failed');
    }
    const claims = body as Record<string, unknown>;
    if (claims.active !== true) throw new AuthenticationFailure('inactive_token');
    const nowMs = this.runtime.clock.now();
    const now = nowMs / 1000;
    if (claims.exp !== undefined && (typeof claims.exp !== 'number' || claims.exp <= now)) throw new AuthenticationFailure('expired');
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now)) throw new AuthenticationFailure('not_yet_valid');
    if (this.issuers !== undefined && (typeof claims.iss !== 'string' || !this.issuers.includes(claims.iss))) {
      throw new AuthenticationFailure('wrong_issuer');
    }
    if (this.audiences !== undefined) {
      const aud = claims.aud;
      const audiences = this.audiences;
      const ok = typeof aud === 'string' ? audiences.includes(aud) : Array.isArray(aud) && aud.some((a) => typeof a === 'string' && audiences.includes(a));
      if (!ok) throw new AuthenticationFailure('wrong_audience');
    }
    const cacheUntil = nowMs + this.config.cacheMs;
    const reuseUntil = typeof claims.exp === 'number' ? Math.min(cacheUntil, claims.exp * 1000) : cacheUntil;
    return { claims, reuseUntil };
  }

  close(): void {
    this.abort.abort();
  }
}
