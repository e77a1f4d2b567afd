import { silentLogger, type Clock, type Logger } from '@gopher-mcp/core';
import { createLocalJWKSet, type JSONWebKeySet, type JWK, type JWSHeaderParameters } from 'jose';

import { fetchJson, type FetchLike } from '../internal/http-fetch.js';
import { AuthenticationFailure } from './failure.js';

/** A key jose verifies with. */
export type VerificationKey = Awaited<ReturnType<ReturnType<typeof createLocalJWKSet>>>;

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;

const PUBLIC_KEY_TYPES = new Set(['RSA', 'EC', 'OKP']);
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** Largest JWKS document accepted from a remote endpoint. */
export const MAX_JWKS_BYTES = 1_048_576;

/** Why a JWK is not usable as a verification key, or undefined when it is. */
export function unusableJwkReason(jwk: Readonly<Record<string, unknown>>): string | undefined {
  if (typeof jwk.kty !== 'string' || !PUBLIC_KEY_TYPES.has(jwk.kty)) return `kty must be RSA, EC or OKP (got ${String(jwk.kty)})`;
  for (const member of PRIVATE_MEMBERS) if (member in jwk) return `a public key must not have "${member}"`;
  return undefined;
}

/** The public keys of a JWKS document (symmetric and private keys dropped), or undefined when it is not a JWKS. */
export function publicKeysOf(document: unknown): JWK[] | undefined {
  if (typeof document !== 'object' || document === null || !Array.isArray((document as { keys?: unknown }).keys)) return undefined;
  const keys = (document as { keys: unknown[] }).keys;
  return keys.filter(
    (k): k is JWK => typeof k === 'object' && k !== null && !Array.isArray(k) && unusableJwkReason(k as Record<string, unknown>) === undefined,
  );
}

/**
 * Picks the keys of `set` that fit the token's header (kid, alg, key type, curve; jose's rules).
 * Resolves with no key when none fits.
 */
export async function selectKeys(set: LocalKeySet, header: JWSHeaderParameters): Promise<VerificationKey[]> {
  try {
    return [await set(header)];
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_JWKS_NO_MATCHING_KEY') return [];
    if (code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') {
      const keys: VerificationKey[] = [];
      for await (const key of error as AsyncIterable<VerificationKey>) keys.push(key);
      return keys;
    }
    // A key that cannot be imported for this algorithm, an unsupported algorithm: nothing fits.
    return [];
  }
}

/** Makes a jose key set of public keys. */
export function localKeySet(keys: readonly JWK[]): LocalKeySet {
  return createLocalJWKSet({ keys: [...keys] } as JSONWebKeySet);
}

/** Runtime parts of a {@link RemoteJwks}. */
export interface RemoteJwksOptions {
  readonly url: string;
  readonly clock: Clock;
  readonly fetch: FetchLike;
  readonly logger?: Logger;
  /** How long a fetched set is fresh. */
  readonly cacheMs: number;
  /** Least time between two fetches (after a kid miss, a stale set or a failure). */
  readonly cooldownMs: number;
  /** How long past freshness the set is still used while refreshing fails. */
  readonly maxStaleMs: number;
  readonly timeoutMs: number;
  /** Called when a refresh dropped keys that were there before (to forget what they verified). */
  readonly onKeysRemoved?: () => void;
}

/** Counters of a {@link RemoteJwks}. */
export interface RemoteJwksStats {
  readonly fetches: number;
  readonly failures: number;
}

interface FetchedSet {
  readonly set: LocalKeySet;
  readonly kids: ReadonlySet<string>;
  readonly fetchedAt: number;
}

/**
 * A remote JWKS: fetched on first use, fresh for `cacheMs`, then refreshed in the background
 * while the old set keeps serving (stale-while-revalidate, up to `maxStaleMs` when the endpoint
 * fails); an unknown `kid` triggers a refresh, at most once per `cooldownMs`. Concurrent
 * refreshes are coalesced. Time is the injected clock's.
 */
export class RemoteJwks {
  private current: FetchedSet | undefined;
  private lastAttempt: number | undefined;
  private inflight: Promise<boolean> | undefined;
  private readonly abort = new AbortController();
  private readonly logger: Logger;
  private counters = { fetches: 0, failures: 0 };

  constructor(private readonly options: RemoteJwksOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /** The keys that fit `header`; fails with `unknown_key` or `keys_unavailable`. */
  async keysFor(header: JWSHeaderParameters): Promise<VerificationKey[]> {
    const entry = await this.usable();
    const keys = await selectKeys(entry.set, header);
    if (keys.length > 0) return keys;
    // A kid miss: maybe the keys rotated. Refresh, but not more often than the cool-down allows.
    if (this.inflight !== undefined || this.mayFetch()) {
      await this.refresh();
      const latest = this.current;
      if (latest !== undefined && latest !== entry) {
        const retried = await selectKeys(latest.set, header);
        if (retried.length > 0) return retried;
      }
    }
    throw new AuthenticationFailure('unknown_key');
  }

  /** Fetches the set now, whatever its age (still coalesced with a fetch in flight). Resolves with success. */
  refresh(): Promise<boolean> {
    if (this.inflight !== undefined) return this.inflight;
    this.lastAttempt = this.options.clock.now();
    this.inflight = this.fetchOnce().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  get stats(): RemoteJwksStats {
    return { ...this.counters };
  }

  /** Stops fetches in flight. */
  close(): void {
    this.abort.abort();
  }

  private async usable(): Promise<FetchedSet> {
    const { clock, cacheMs, maxStaleMs } = this.options;
    const current = this.current;
    if (current === undefined) {
      if (this.inflight !== undefined || this.mayFetch()) await this.refresh();
      if (this.current === undefined) throw new AuthenticationFailure('keys_unavailable');
      return this.current;
    }
    const age = clock.now() - current.fetchedAt;
    if (age < cacheMs) return current;
    if (age < cacheMs + maxStaleMs) {
      // Stale: serve it, refresh in the background.
      if (this.inflight === undefined && this.mayFetch()) void this.refresh();
      return current;
    }
    // Too stale to trust: only a successful refresh helps.
    if (this.inflight !== undefined || this.mayFetch()) await this.refresh();
    const latest = this.current as FetchedSet;
    if (clock.now() - latest.fetchedAt >= cacheMs + maxStaleMs) throw new AuthenticationFailure('keys_unavailable');
    return latest;
  }

  private mayFetch(): boolean {
    return this.lastAttempt === undefined || this.options.clock.now() - this.lastAttempt >= this.options.cooldownMs;
  }

  private async fetchOnce(): Promise<boolean> {
    this.counters.fetches++;
    try {
      const { status, body } = await fetchJson(
        this.options.fetch,
        this.options.url,
        { method: 'GET', headers: { accept: 'application/jwk-set+json, application/json' } },
        { clock: this.options.clock, timeoutMs: this.options.timeoutMs, maxBytes: MAX_JWKS_BYTES, signal: this.abort.signal },
      );
      if (status !== 200) throw new Error(`status ${status}`);
      const keys = publicKeysOf(body);
      if (keys === undefined) throw new Error('the response is not a JWKS document');
      const kids = new Set(keys.map((k) => k.kid).filter((kid): kid is string => typeof kid === 'string'));
      const previous = this.current;
      this.current = { set: localKeySet(keys), kids, fetchedAt: this.options.clock.now() };
      if (previous !== undefined && [...previous.kids].some((kid) => !kids.has(kid))) this.options.onKeysRemoved?.();
      return true;
    } catch (error) {
      this.counters.failures++;
      this.logger.warn({ jwksUri: this.options.url, err: error instanceof Error ? error.message : String(error) }, 'gopher-mcp: JWKS fetch failed');
      return false;
    }
  }
}
