import {
  attributeKey,
  authenticationOptionsSchema,
  ConfigError,
  CONSUMED_HEADERS,
  ErrorCode,
  matchAnyGlob,
  parseWithSchema,
  type AttributeKey,
  type AuthenticationConfig,
  type AuthenticationConfigInput,
  type Exchange,
  type ExchangeContext,
  forward,
  type Forward,
  type FilterDefinition,
  type FilterSetup,
  type Headers,
  systemClock,
  type MessageView,
  type PhasedExchange,
  type PhasedFilter,
  type Principal,
  type RequestVerdict,
} from '@gopher-mcp/core';

import { arrivalTime } from '../internal/arrival.js';
import type { FetchLike } from '../internal/http-fetch.js';
import { Authenticator, type AuthenticationStats } from './authenticator.js';
import { bearerCandidate, readCredentials, withoutMetaToken } from './credentials.js';
import { AuthenticationFailure } from './failure.js';
import { JwtVerifier } from './jwt-verifier.js';
import type { ChallengeOptions } from './www-authenticate.js';

/** Runtime-only options of the authentication filter (not config). */
export interface AuthenticationRuntimeOptions {
  /** The fetch for the remote JWKS and introspection (default: the global fetch). */
  readonly fetch?: FetchLike;
}

/** Options of {@link authentication}: the config fields (see `authenticationOptionsSchema`) and the runtime ones. */
export type AuthenticationOptions = AuthenticationConfigInput & AuthenticationRuntimeOptions;

/**
 * The challenge parameters of the authentication filter, set on every exchange it sees, so the
 * filters after it (authorization) answer with the same `realm` and `resource_metadata`.
 */
export const AUTHENTICATION_CHALLENGE: AttributeKey<ChallengeOptions> = attributeKey<ChallengeOptions>('gopher-mcp.security.challenge');

/** The authentication filter: sets `context.principal`, or refuses with 401 / 403. */
export class AuthenticationFilter implements PhasedFilter {
  readonly type = 'authentication';
  readonly failClosed = true;
  readonly authenticator: Authenticator;
  /** Lower-cased names of the credential headers (consumed whenever present). */
  private readonly consumed: readonly string[];
  private readonly credentialOptions: { readonly apiKeyHeader: string | undefined; readonly metaTokenField: string | undefined };
  private readonly metaTokenField: string | undefined;
  /**
   * Whether a cached bearer token may be looked up before the credentials are read in full: when
   * no other credential (API key, `_meta` token) could make the same request a refusal.
   */
  private readonly cachedBearerFirst: boolean;
  /** The exempt method globs, undefined when there are none. */
  private readonly exempt: readonly string[] | undefined;

  constructor(
    readonly config: AuthenticationConfig,
    private readonly setup: Pick<FilterSetup, 'clock' | 'logger' | 'emit'>,
    runtime: AuthenticationRuntimeOptions = {},
  ) {
    this.authenticator = new Authenticator(config, {
      clock: setup.clock,
      logger: setup.logger,
      ...(runtime.fetch === undefined ? {} : { fetch: runtime.fetch }),
    });
    const apiKeyHeader = config.apiKeys?.header.toLowerCase();
    this.consumed = apiKeyHeader === undefined ? ['authorization'] : ['authorization', apiKeyHeader];
    this.metaTokenField = config.metaTokenField;
    this.credentialOptions = { apiKeyHeader, metaTokenField: config.metaTokenField };
    this.exempt = config.exemptMethods.length > 0 ? config.exemptMethods : undefined;
    this.cachedBearerFirst = config.apiKeys === undefined && config.metaTokenField === undefined && config.cacheSize > 0;
  }

  /**
   * The request phase (the filter has no response phase): answers a cached token, an API key or a
   * certificate without a promise; only a token to verify or introspect makes one.
   */
  onRequest(exchange: PhasedExchange): RequestVerdict | Promise<RequestVerdict> {
    const { message, context } = exchange;
    // Responses and server-to-client traffic carry no client credentials to check.
    if (context.direction === 'outbound' || (message.kind !== 'request' && message.kind !== 'notification')) return undefined;
    context.attributes.set(AUTHENTICATION_CHALLENGE, this.authenticator.challengeOptions);
    // Whatever the outcome, the credentials never travel further than this hop.
    const headers = context.peer.headers;
    if (headers !== undefined) this.consume(context, headers);
    let pass: Forward | undefined;
    if (this.metaTokenField !== undefined) {
      const forwarded = withoutMetaToken(message, this.metaTokenField);
      if (forwarded !== message) pass = forward(forwarded);
    }
    if (message.method !== undefined && this.exempt !== undefined && matchAnyGlob(this.exempt, message.method)) return pass;
    if (this.cachedBearerFirst && headers !== undefined) {
      // A repeated `Authorization: Bearer` header: the cache answers before the credentials are read in full.
      const authorization = headers.authorization;
      const token = typeof authorization === 'string' ? bearerCandidate(authorization) : undefined;
      // Valid at the exchange's arrival is valid for it (no clock read).
      const cached = token === undefined ? undefined : this.authenticator.cachedBearer(token, arrivalTime(context, this.setup.clock));
      if (cached !== undefined) return this.admit(exchange, cached, pass);
    }
    let principal: Principal | Promise<Principal>;
    try {
      principal = this.authenticator.authenticateNow(readCredentials(message, context, this.credentialOptions));
    } catch (error) {
      return this.refuse(exchange, error);
    }
    if (principal instanceof Promise) {
      return principal.then(
        (verified) => this.admit(exchange, verified, pass),
        (error: unknown) => this.refuse(exchange, error),
      );
    }
    return this.admit(exchange, principal, pass);
  }

  getStats(): AuthenticationStats {
    return this.authenticator.getStats();
  }

  close(): void {
    this.authenticator.close();
  }

  /** Sets the principal and passes the exchange on, or refuses a principal that lacks a required scope (403). */
  private admit(exchange: Exchange, principal: Principal, pass: Forward | undefined): RequestVerdict {
    if (!this.authenticator.hasRequiredScopes(principal)) {
      this.setup.emit('authentication_failed', { reason: 'insufficient_scope', method: exchange.message.method });
      return exchange.deny(ErrorCode.FORBIDDEN, 'forbidden: the token lacks a required scope', {
        rule: 'required_scopes',
        wwwAuthenticate: this.authenticator.insufficientScopeChallenge(this.config.requiredScopes),
      });
    }
    exchange.context.principal = principal;
    return pass;
  }

  /** The 401 of a refused credential; anything else than an {@link AuthenticationFailure} is rethrown (fail-closed). */
  private refuse(exchange: Exchange, error: unknown): MessageView {
    if (!(error instanceof AuthenticationFailure)) throw error;
    const method = exchange.message.method;
    this.setup.logger.debug({ reason: error.reason, method }, 'gopher-mcp: authentication failed');
    this.setup.emit('authentication_failed', { reason: error.reason, method });
    return exchange.deny(ErrorCode.UNAUTHORIZED, `unauthorized: ${error.message}`, {
      wwwAuthenticate: this.authenticator.unauthorizedChallenge(error),
    });
  }

  /** Marks the credential headers present in `headers` consumed (without an array or a spread per exchange). */
  private consume(context: ExchangeContext, headers: Headers): void {
    const names = this.consumed;
    let consumed: Set<string> | undefined;
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      if (headers[name] === undefined) continue;
      if (consumed === undefined) {
        consumed = context.attributes.get(CONSUMED_HEADERS);
        if (consumed === undefined) {
          consumed = new Set<string>();
          context.attributes.set(CONSUMED_HEADERS, consumed);
        }
      }
      consumed.add(name);
    }
  }
}

/** Validates authentication options (config fields only) into an {@link AuthenticationConfig}. */
export function parseAuthenticationOptions(options: AuthenticationConfigInput): AuthenticationConfig {
  const config = parseWithSchema(authenticationOptionsSchema, options, 'authentication options');
  if (config.jwt === undefined && config.apiKeys === undefined && config.introspection === undefined && !config.acceptClientCertificates) {
    throw new ConfigError('invalid authentication options: enable at least one method: jwt, apiKeys, introspection or acceptClientCertificates', [
      { path: '(root)', message: 'enable at least one method: jwt, apiKeys, introspection or acceptClientCertificates' },
    ]);
  }
  return config;
}

/**
 * The authentication filter (fail-closed): verifies the credentials of every inbound request and
 * notification (bearer JWT, introspected token, API key, TLS client certificate), sets
 * `context.principal`, and strips the credentials from what is forwarded. Refuses with 401 and
 * `data.wwwAuthenticate`, or 403 `insufficient_scope` when `requiredScopes` are missing.
 * Invalid options throw a ConfigError naming the path.
 */
export function authentication(options: AuthenticationOptions): FilterDefinition {
  const { fetch, ...fields } = options;
  const config = parseAuthenticationOptions(fields);
  // Fail at construction on an unusable key (bad PEM, private JWKS member), not at the first message.
  if (config.jwt !== undefined) new JwtVerifier(config.jwt, { clock: systemClock }).close();
  const runtime: AuthenticationRuntimeOptions = fetch === undefined ? {} : { fetch };
  return {
    type: 'authentication',
    ...(config.name === undefined ? {} : { name: config.name }),
    create: (setup) => new AuthenticationFilter(config, setup, runtime),
  };
}
