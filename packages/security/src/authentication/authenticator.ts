import { silentLogger, type AuthenticationConfig, type Clock, type Logger, type Principal } from '@gopher-mcp/core';

import { readClaim, stringList } from '../internal/claims.js';
import { ExpiringCache } from '../internal/expiring-cache.js';
import { credentialHash } from '../internal/hash.js';
import type { FetchLike } from '../internal/http-fetch.js';
import { ApiKeyStore } from './api-keys.js';
import { principalFromCertificate } from './client-certificate.js';
import type { PresentedCredentials } from './credentials.js';
import { AuthenticationFailure } from './failure.js';
import { TokenIntrospector } from './introspection.js';
import { JwtVerifier } from './jwt-verifier.js';
import { metadataUrlOf } from './resource-metadata.js';
import { buildWwwAuthenticate, type ChallengeOptions } from './www-authenticate.js';

/** Runtime parts of an {@link Authenticator}. */
export interface AuthenticatorRuntime {
  readonly clock: Clock;
  readonly logger?: Logger;
  /** For the remote JWKS and introspection (default: the global fetch). */
  readonly fetch?: FetchLike;
}

/** Counters of an {@link Authenticator}. */
export interface AuthenticationStats {
  /** Credentials accepted (cache hits included). */
  readonly authenticated: number;
  /** Credentials refused (missing ones included). */
  readonly failed: number;
  /** Bearer tokens answered from the verified-token cache. */
  readonly cacheHits: number;
  /** JWT signature verifications performed. */
  readonly jwtVerifications: number;
  /** Introspection calls made. */
  readonly introspections: number;
  /** Entries in the verified-token cache. */
  readonly cachedTokens: number;
  /** JWKS fetches (attempted) and failures, with a remote JWKS. */
  readonly jwksFetches: number;
  readonly jwksFailures: number;
}

const DEFAULT_MAX_TOKEN_BYTES = 8192;

/**
 * Turns presented credentials into a {@link Principal}: bearer JWTs (verified locally), opaque
 * bearer tokens (introspected), API keys, TLS client certificates. Verified bearer tokens are
 * remembered by the SHA-256 of the token until they expire (bounded LRU), so a repeated token
 * costs a hash and a lookup. Used by the authentication filter; usable on its own (e.g. by an
 * HTTP transport that wants to answer 401 before reading a body).
 */
export class Authenticator {
  /** What every challenge of this authenticator carries (scheme, realm, resource_metadata). */
  readonly challengeOptions: ChallengeOptions;
  private readonly jwt: JwtVerifier | undefined;
  private readonly introspector: TokenIntrospector | undefined;
  private readonly apiKeys: ApiKeyStore | undefined;
  private readonly cache: ExpiringCache<Principal>;
  private readonly clock: Clock;
  private readonly maxTokenBytes: number;
  private counters = { authenticated: 0, failed: 0, cacheHits: 0, jwtVerifications: 0, introspections: 0 };

  constructor(
    readonly config: AuthenticationConfig,
    runtime: AuthenticatorRuntime,
  ) {
    this.clock = runtime.clock;
    const logger = runtime.logger ?? silentLogger;
    this.cache = new ExpiringCache(config.cacheSize);
    this.maxTokenBytes = config.jwt?.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
    if (config.jwt !== undefined) {
      this.jwt = new JwtVerifier(config.jwt, {
        clock: runtime.clock,
        logger,
        ...(runtime.fetch === undefined ? {} : { fetch: runtime.fetch }),
        onKeysRemoved: () => this.cache.clear(),
      });
    }
    if (config.introspection !== undefined) {
      this.introspector = new TokenIntrospector(config.introspection, {
        clock: runtime.clock,
        logger,
        ...(runtime.fetch === undefined ? {} : { fetch: runtime.fetch }),
      });
    }
    if (config.apiKeys !== undefined) this.apiKeys = new ApiKeyStore(config.apiKeys.keys);
    const scheme = this.jwt !== undefined || this.introspector !== undefined ? 'Bearer' : this.apiKeys !== undefined ? 'ApiKey' : 'ClientCertificate';
    this.challengeOptions = {
      scheme,
      ...(config.realm === undefined ? {} : { realm: config.realm }),
      ...(config.resourceMetadata === undefined ? {} : { resourceMetadataUrl: metadataUrlOf(config.resourceMetadata) }),
    };
  }

  /** The principal of `credentials`; fails with an {@link AuthenticationFailure}. */
  async authenticate(credentials: PresentedCredentials): Promise<Principal> {
    try {
      const principal = await this.resolve(credentials);
      this.counters.authenticated++;
      return principal;
    } catch (error) {
      this.counters.failed++;
      throw error;
    }
  }

  /** The scopes of `config.requiredScopes` that `principal` lacks. */
  missingScopes(principal: Principal): string[] {
    return this.config.requiredScopes.filter((scope) => !principal.scopes.includes(scope));
  }

  /** The `WWW-Authenticate` value for a 401 of `failure` (no error code when no credential was presented). */
  unauthorizedChallenge(failure: AuthenticationFailure): string {
    return buildWwwAuthenticate(this.challengeOptions, {
      ...(failure.error === undefined ? {} : { error: failure.error, errorDescription: failure.message }),
      scope: this.config.requiredScopes,
    });
  }

  /** The `WWW-Authenticate` value for a 403 of missing scopes. */
  insufficientScopeChallenge(scopes: readonly string[]): string {
    return buildWwwAuthenticate(this.challengeOptions, {
      error: 'insufficient_scope',
      errorDescription: 'the token lacks a required scope',
      scope: scopes,
    });
  }

  getStats(): AuthenticationStats {
    const jwks = this.jwt?.jwksStats;
    return {
      ...this.counters,
      cachedTokens: this.cache.size,
      jwksFetches: jwks?.fetches ?? 0,
      jwksFailures: jwks?.failures ?? 0,
    };
  }

  /** Forgets every verified token. */
  clearCache(): void {
    this.cache.clear();
  }

  /** Stops fetches in flight and forgets verified tokens. */
  close(): void {
    this.jwt?.close();
    this.introspector?.close();
    this.cache.clear();
  }

  private async resolve(credentials: PresentedCredentials): Promise<Principal> {
    if (credentials.bearer !== undefined && credentials.apiKey !== undefined) throw new AuthenticationFailure('multiple_credentials');
    if (credentials.bearer !== undefined) return this.bearer(credentials.bearer);
    if (credentials.apiKey !== undefined) return this.apiKey(credentials.apiKey);
    if (this.config.acceptClientCertificates && credentials.certificate !== undefined) {
      const principal = principalFromCertificate(credentials.certificate, this.config.clientCertificateGrants);
      if (principal === undefined) throw new AuthenticationFailure('invalid_client_certificate');
      return principal;
    }
    throw new AuthenticationFailure('missing_credentials');
  }

  private apiKey(key: string): Principal {
    const entry = this.apiKeys?.verify(key);
    if (entry === undefined) throw new AuthenticationFailure('invalid_api_key');
    return Object.freeze({
      subject: entry.subject,
      scopes: Object.freeze([...entry.scopes]),
      roles: Object.freeze([...entry.roles]),
      claims: Object.freeze({ sub: entry.subject }),
      method: 'api_key' as const,
    });
  }

  private async bearer(token: string): Promise<Principal> {
    if (token.length > this.maxTokenBytes) throw new AuthenticationFailure('token_too_large');
    const key = this.config.cacheSize > 0 ? credentialHash(token) : undefined;
    if (key !== undefined) {
      const cached = this.cache.get(key, this.clock.now());
      if (cached !== undefined) {
        this.counters.cacheHits++;
        return cached;
      }
    }
    let principal: Principal;
    let until: number;
    if (this.jwt !== undefined && (JwtVerifier.looksLikeJwt(token) || this.introspector === undefined)) {
      this.counters.jwtVerifications++;
      const verified = await this.jwt.verify(token);
      principal = this.principalOf(verified.claims, 'jwt');
      until = verified.acceptedUntil;
    } else if (this.introspector !== undefined) {
      this.counters.introspections++;
      const introspected = await this.introspector.introspect(token);
      principal = this.principalOf(introspected.claims, 'introspection');
      until = introspected.reuseUntil;
    } else {
      throw new AuthenticationFailure('unsupported_token');
    }
    if (key !== undefined) this.cache.set(key, principal, until, this.clock.now());
    return principal;
  }

  private principalOf(claims: Readonly<Record<string, unknown>>, method: 'jwt' | 'introspection'): Principal {
    const subject = [claims.sub, claims.username, claims.client_id].find((v): v is string => typeof v === 'string' && v.length > 0);
    if (subject === undefined) throw new AuthenticationFailure('no_subject');
    let scopes = readClaim(claims, this.config.scopesClaim);
    if (scopes === undefined && this.config.scopesClaim === 'scope') scopes = claims.scp;
    return Object.freeze({
      subject,
      scopes: Object.freeze(stringList(scopes)),
      roles: Object.freeze(stringList(readClaim(claims, this.config.rolesClaim))),
      claims: Object.freeze({ ...claims }),
      method,
    });
  }
}
