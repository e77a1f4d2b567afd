import {
  attributeKey,
  authenticationOptionsSchema,
  ConfigError,
  consumeHeaders,
  ErrorCode,
  matchAnyGlob,
  parseWithSchema,
  type AttributeKey,
  type AuthenticationConfig,
  type AuthenticationConfigInput,
  type Exchange,
  type Filter,
  type FilterDefinition,
  type FilterSetup,
  systemClock,
  type MessageView,
  type Next,
  type Principal,
} from '@gopher-mcp/core';

import type { FetchLike } from '../internal/http-fetch.js';
import { Authenticator, type AuthenticationStats } from './authenticator.js';
import { readCredentials, withoutMetaToken } from './credentials.js';
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
export class AuthenticationFilter implements Filter {
  readonly type = 'authentication';
  readonly failClosed = true;
  readonly authenticator: Authenticator;
  private readonly consumed: readonly string[];

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
    this.consumed = config.apiKeys === undefined ? ['authorization'] : ['authorization', config.apiKeys.header.toLowerCase()];
  }

  async handle(exchange: Exchange, next: Next): Promise<MessageView | undefined> {
    const { message, context } = exchange;
    // Responses and server-to-client traffic carry no client credentials to check.
    if (context.direction === 'outbound' || (message.kind !== 'request' && message.kind !== 'notification')) return next();
    context.attributes.set(AUTHENTICATION_CHALLENGE, this.authenticator.challengeOptions);
    // Whatever the outcome, the credentials never travel further than this hop.
    const headers = context.peer.headers;
    if (headers !== undefined) {
      const present = this.consumed.filter((name) => headers[name] !== undefined);
      if (present.length > 0) consumeHeaders(context, ...present);
    }
    const forwarded = this.config.metaTokenField === undefined ? message : withoutMetaToken(message, this.config.metaTokenField);
    if (message.method !== undefined && this.config.exemptMethods.length > 0 && matchAnyGlob(this.config.exemptMethods, message.method)) {
      return next(forwarded);
    }
    let principal: Principal;
    try {
      const credentials = readCredentials(message, context, {
        ...(this.config.apiKeys === undefined ? {} : { apiKeyHeader: this.config.apiKeys.header.toLowerCase() }),
        ...(this.config.metaTokenField === undefined ? {} : { metaTokenField: this.config.metaTokenField }),
      });
      principal = await this.authenticator.authenticate(credentials);
    } catch (error) {
      if (!(error instanceof AuthenticationFailure)) throw error;
      this.setup.logger.debug({ reason: error.reason, method: message.method }, 'gopher-mcp: authentication failed');
      this.setup.emit('authentication_failed', { reason: error.reason, method: message.method });
      return exchange.deny(ErrorCode.UNAUTHORIZED, `unauthorized: ${error.message}`, {
        wwwAuthenticate: this.authenticator.unauthorizedChallenge(error),
      });
    }
    const missing = this.authenticator.missingScopes(principal);
    if (missing.length > 0) {
      this.setup.emit('authentication_failed', { reason: 'insufficient_scope', method: message.method });
      return exchange.deny(ErrorCode.FORBIDDEN, 'forbidden: the token lacks a required scope', {
        rule: 'required_scopes',
        wwwAuthenticate: this.authenticator.insufficientScopeChallenge(this.config.requiredScopes),
      });
    }
    context.principal = principal;
    return next(forwarded);
  }

  getStats(): AuthenticationStats {
    return this.authenticator.getStats();
  }

  close(): void {
    this.authenticator.close();
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
