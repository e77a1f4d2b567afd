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
const WHITESPACE = /\s/;

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
    return this.authenticateNow(credentials);
  }

  /**
   * {@link authenticate} without a promise when the answer is known at once (a cached bearer
   * token, an API key, a client certificate, a refusal): returns the principal or throws the
   * {@link AuthenticationFailure}; returns a promise only when a token must be verified or
   * introspected.
   */
  authenticateNow(credentials: PresentedCredentials): Principal | Promise<Principal> {
    let result: Principal | Promise<Principal>;
    try {
      result = this.resolve(credentials);
    } catch (error) {
      this.counters.failed++;
      throw error;
    }
    if (result instanceof Promise) return result.then(this.onAuthenticated, this.onFailed);
    this.counters.authenticated++;
    return result;
  }

  /**
   * The principal of `token` when the verified-token cache holds it (counted as authenticated and
   * as a cache hit), else undefined, nothing counted. Only tokens without whitespace are cached,
   * so a hit is a token that was read, checked and verified before: the filter's fast path for a
   * repeated `Authorization: Bearer` header, before the full reading of the credentials. `now`
   * (default: a reading of the clock) is when the token is used.
   */
  cachedBearer(token: string, now: number = this.clock.now()): Principal | undefined {
    if (this.config.cacheSize === 0 || token.length > this.maxTokenBytes) return undefined;
    const cached = this.cache.get(credentialHash(token), now);
    if (cached === undefined) return undefined;
    this.counters.cacheHits++;
    this.counters.authenticated++;
    return cached;
  }

  /** The scopes of `config.requiredScopes` that `principal` lacks. */
  missingScopes(principal: Principal): string[] {
    return this.config.requiredScopes.filter((scope) => !principal.scopes.includes(scope));
  }

  /** Whether `principal` holds every scope of `config.requiredScopes` (what {@link missingScopes} tells, without an array). */
  hasRequiredScopes(principal: Principal): boolean {
    const required = this.config.requiredScopes;
    for (let i = 0; i < required.length; i++) if (!principal.scopes.includes(required[i] as string)) return false;
    return true;
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

  private readonly onAuthenticated = (principal: Principal): Principal => {
    this.counters.authenticated++;
    return principal;
  };

  private readonly onFailed = (error: unknown): never => {
    this.counters.failed++;
    throw error;
  };

  private resolve(credentials: PresentedCredentials): Principal | Promise<Principal> {
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

  /** A cached bearer token's principal at once; otherwise verifies (or introspects) it and caches the result. */
  private bearer(token: string): Principal | Promise<Principal> {
    if (token.length > this.maxTokenBytes) throw new AuthenticationFailure('token_too_large');
    if (this.config.cacheSize === 0) return this.verifyBearer(token, undefined);
    const key = credentialHash(token);
    const cached = this.cache.get(key, this.clock.now());
    if (cached === undefined) return this.verifyBearer(token, key);
    this.counters.cacheHits++;
    return cached;
  }

  private async verifyBearer(token: string, key: string | undefined): Promise<Principal> {
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
    // A token with whitespace is never a bearer token the filter reads: keeping it out of the
    // cache is what lets cachedBearer() skip the reading checks.
    if (key !== undefined && !WHITESPACE.test(token)) this.cache.set(key, principal, until, this.clock.now());
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
