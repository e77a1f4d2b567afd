import { createPublicKey, type KeyObject } from 'node:crypto';

import { ConfigError, silentLogger, type Clock, type JwtConfig, type Logger } from '@gopher-mcp/core';
import { compactVerify, decodeProtectedHeader, type JWK, type JWSHeaderParameters } from 'jose';

import { claimMatches, readClaim } from '../internal/claims.js';
import { globalFetch, type FetchLike } from '../internal/http-fetch.js';
import { AuthenticationFailure } from './failure.js';
import { localKeySet, RemoteJwks, selectKeys, unusableJwkReason, type RemoteJwksStats, type VerificationKey } from './jwks.js';

/** Runtime parts of a {@link JwtVerifier}. */
export interface JwtVerifierRuntime {
  readonly clock: Clock;
  /** For the remote JWKS (default: the global fetch). */
  readonly fetch?: FetchLike;
  readonly logger?: Logger;
  /** Called when a JWKS refresh dropped keys (so cached verifications can be forgotten). */
  readonly onKeysRemoved?: () => void;
}

/** A token whose signature and claims were verified. */
export interface VerifiedJwt {
  readonly header: JWSHeaderParameters;
  readonly claims: Readonly<Record<string, unknown>>;
  /** Clock time (ms) from which the token is no longer accepted (`exp` plus the clock skew). */
  readonly acceptedUntil: number;
}

/** Three base64url segments; the signature may be empty only to reach the algorithm check (`alg: none`). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

const EC_CURVES: Readonly<Record<string, string>> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };

/** Whether a public key object can verify `alg` (no key-type confusion). */
function keyFitsAlgorithm(key: KeyObject, alg: string): boolean {
  const type = key.asymmetricKeyType;
  if (alg.startsWith('RS')) return type === 'rsa';
  if (alg.startsWith('PS')) return type === 'rsa' || type === 'rsa-pss';
  if (alg.startsWith('ES')) return type === 'ec' && key.asymmetricKeyDetails?.namedCurve === EC_CURVES[alg];
  if (alg === 'EdDSA' || alg === 'Ed25519') return type === 'ed25519';
  return false;
}

function joseReason(error: unknown): AuthenticationFailure {
  if (error instanceof AuthenticationFailure) return error;
  const code = (error as { code?: string } | undefined)?.code;
  switch (code) {
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new AuthenticationFailure('invalid_signature');
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new AuthenticationFailure('algorithm_not_allowed');
    case 'ERR_JWS_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return new AuthenticationFailure('malformed_token');
    default:
      // Key-type mismatches (TypeError), short RSA keys, anything unexpected: refuse.
      return new AuthenticationFailure('unknown_key');
  }
}

/**
 * Verifies bearer JWTs with jose: compact JWS only, the algorithm allowlist checked before any key
 * is touched (`none` can never pass), keys from a local JWKS, a remote JWKS or a PEM, each key
 * only for the algorithms of its type; HS only with the configured secret. Then the claims:
 * `exp` required, `nbf` and `iat` not in the future, all within the clock skew of the injected
 * clock; `iss`, `aud`, `typ` and the required claims.
 */
export class JwtVerifier {
  private readonly algorithms: ReadonlySet<string>;
  private readonly algorithmList: string[];
  private readonly local: ReturnType<typeof localKeySet> | undefined;
  private readonly remote: RemoteJwks | undefined;
  private readonly pem: KeyObject | undefined;
  private readonly hmacKey: Uint8Array | undefined;
  private readonly issuers: readonly string[];
  private readonly audiences: readonly string[];
  private readonly requiredClaims: ReadonlyArray<readonly [string, unknown]>;
  private readonly clock: Clock;

  /** Throws a ConfigError (paths under `jwt.`) when a configured key is unusable. */
  constructor(
    private readonly config: JwtConfig,
    runtime: JwtVerifierRuntime,
  ) {
    this.clock = runtime.clock;
    this.algorithmList = [...config.algorithms];
    this.algorithms = new Set(config.algorithms);
    this.issuers = typeof config.issuer === 'string' ? [config.issuer] : config.issuer;
    this.audiences = typeof config.audience === 'string' ? [config.audience] : config.audience;
    this.requiredClaims = Object.entries(config.requiredClaims);
    if (config.jwks !== undefined) {
      config.jwks.keys.forEach((key, index) => {
        const reason = unusableJwkReason(key);
        if (reason !== undefined) {
          throw new ConfigError(`jwt.jwks.keys.${index}: ${reason}`, [{ path: `jwt.jwks.keys.${index}`, message: reason }]);
        }
      });
      this.local = localKeySet(config.jwks.keys as JWK[]);
    }
    if (config.publicKeyPem !== undefined) {
      try {
        this.pem = createPublicKey(config.publicKeyPem);
      } catch {
        throw new ConfigError('jwt.publicKeyPem: not a PEM public key or certificate', [
          { path: 'jwt.publicKeyPem', message: 'not a PEM public key or certificate' },
        ]);
      }
    }
    if (config.hmacSecret !== undefined) this.hmacKey = new TextEncoder().encode(config.hmacSecret);
    if (config.jwksUri !== undefined) {
      this.remote = new RemoteJwks({
        url: config.jwksUri,
        clock: runtime.clock,
        fetch: runtime.fetch ?? globalFetch,
        logger: runtime.logger ?? silentLogger,
        cacheMs: config.jwksCacheMs,
        cooldownMs: config.jwksCooldownMs,
        maxStaleMs: config.jwksMaxStaleMs,
        timeoutMs: config.jwksTimeoutMs,
        ...(runtime.onKeysRemoved === undefined ? {} : { onKeysRemoved: runtime.onKeysRemoved }),
      });
    }
  }

  /** Whether `token` has the shape of a compact JWS (three dot-separated base64url segments). */
  static looksLikeJwt(token: string): boolean {
    return COMPACT_JWS.test(token);
  }

  /** Verifies `token`; fails with an {@link AuthenticationFailure} naming the reason. */
  async verify(token: string): Promise<VerifiedJwt> {
    if (token.length > this.config.maxTokenBytes) throw new AuthenticationFailure('token_too_large');
    if (!COMPACT_JWS.test(token)) throw new AuthenticationFailure('malformed_token');
    let header: JWSHeaderParameters;
    try {
      header = decodeProtectedHeader(token) as JWSHeaderParameters;
    } catch {
      throw new AuthenticationFailure('malformed_token');
    }
    const alg = header.alg;
    if (typeof alg !== 'string' || !this.algorithms.has(alg)) throw new AuthenticationFailure('algorithm_not_allowed');
    if (this.config.typ !== undefined && !sameType(header.typ, this.config.typ)) throw new AuthenticationFailure('wrong_type');
    const keys = await this.keysFor(alg, header);
    let payload: Uint8Array | undefined;
    let failure: unknown;
    for (const key of keys) {
      try {
        payload = (await compactVerify(token, key, { algorithms: this.algorithmList })).payload;
        break;
      } catch (error) {
        failure = error;
      }
    }
    if (payload === undefined) throw joseReason(failure);
    let claims: unknown;
    try {
      claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
    } catch {
      throw new AuthenticationFailure('malformed_token');
    }
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new AuthenticationFailure('malformed_token');
    const acceptedUntil = this.checkClaims(claims as Record<string, unknown>);
    return { header, claims: claims as Record<string, unknown>, acceptedUntil };
  }

  /** Counters of the remote JWKS, when there is one. */
  get jwksStats(): RemoteJwksStats | undefined {
    return this.remote?.stats;
  }

  /** Forces a JWKS fetch (when a remote JWKS is configured). */
  refreshKeys(): Promise<boolean> {
    return this.remote?.refresh() ?? Promise.resolve(false);
  }

  close(): void {
    this.remote?.close();
  }

  private async keysFor(alg: string, header: JWSHeaderParameters): Promise<Array<VerificationKey | KeyObject | Uint8Array>> {
    if (alg.startsWith('HS')) {
      // Listed only with a secret (schema); the secret is never used for any other algorithm.
      if (this.hmacKey === undefined) throw new AuthenticationFailure('algorithm_not_allowed');
      return [this.hmacKey];
    }
    if (this.local !== undefined) {
      const keys = await selectKeys(this.local, header);
      if (keys.length > 0) return keys;
    }
    const pemFits = this.pem !== undefined && keyFitsAlgorithm(this.pem, alg);
    if (this.remote !== undefined) {
      try {
        return await this.remote.keysFor(header);
      } catch (error) {
        if (!pemFits) throw error;
      }
    }
    if (pemFits) return [this.pem as KeyObject];
    throw new AuthenticationFailure('unknown_key');
  }

  /** Checks the claims; returns the clock time (ms) until which the token is accepted. */
  private checkClaims(claims: Record<string, unknown>): number {
    const now = this.clock.now() / 1000;
    const skew = this.config.clockSkewSec;
    const exp = claims.exp;
    if (exp === undefined) throw new AuthenticationFailure('no_expiry');
    if (!isNumericDate(exp)) throw new AuthenticationFailure('malformed_token');
    if (exp <= now - skew) throw new AuthenticationFailure('expired');
    if (claims.nbf !== undefined) {
      if (!isNumericDate(claims.nbf)) throw new AuthenticationFailure('malformed_token');
      if (claims.nbf > now + skew) throw new AuthenticationFailure('not_yet_valid');
    }
    if (claims.iat !== undefined) {
      if (!isNumericDate(claims.iat)) throw new AuthenticationFailure('malformed_token');
      if (claims.iat > now + skew) throw new AuthenticationFailure('issued_in_future');
    }
    if (typeof claims.iss !== 'string' || !this.issuers.includes(claims.iss)) throw new AuthenticationFailure('wrong_issuer');
    if (!audienceMatches(claims.aud, this.audiences)) throw new AuthenticationFailure('wrong_audience');
    for (const [path, expected] of this.requiredClaims) {
      if (!claimMatches(readClaim(claims, path), expected)) throw new AuthenticationFailure('missing_claim');
    }
    return (exp + skew) * 1000;
  }
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function audienceMatches(aud: unknown, accepted: readonly string[]): boolean {
  if (typeof aud === 'string') return accepted.includes(aud);
  if (Array.isArray(aud)) return aud.some((a) => typeof a === 'string' && accepted.includes(a));
  return false;
}

/** `typ` comparison of RFC 7515 section 4.1.9: case-insensitive, `application/` optional. */
function sameType(actual: unknown, expected: string): boolean {
  if (typeof actual !== 'string') return false;
  const normalize = (value: string): string => {
    const lower = value.toLowerCase();
    return lower.includes('/') ? lower : `application/${lower}`;
  };
  return normalize(actual) === normalize(expected);
}
