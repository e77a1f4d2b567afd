import { createHash, timingSafeEqual } from 'node:crypto';

import type { AuthenticationConfig } from '@gopher-mcp/core';

/** One configured API key (its hash and principal). */
export type ApiKeyConfig = NonNullable<AuthenticationConfig['apiKeys']>['keys'][number];

/** The hex SHA-256 of an API key: what goes into the configuration (`apiKeys.keys[].sha256`). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * API keys checked against stored SHA-256 hashes. The presented key is hashed and compared with
 * every stored hash with `crypto.timingSafeEqual`, without stopping at a match, so the time taken
 * says nothing about which key (if any) matched or how much of a hash agreed.
 */
export class ApiKeyStore {
  private readonly hashes: readonly Buffer[];

  constructor(private readonly keys: readonly ApiKeyConfig[]) {
    this.hashes = keys.map((k) => Buffer.from(k.sha256.toLowerCase(), 'hex'));
  }

  /** The key entry `presented` matches, or undefined. */
  verify(presented: string): ApiKeyConfig | undefined {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found = -1;
    for (let i = 0; i < this.hashes.length; i++) {
      // Every hash is compared; the match is recorded without branching out of the loop.
      const equal = timingSafeEqual(digest, this.hashes[i] as Buffer);
      found = equal && found < 0 ? i : found;
    }
    return found < 0 ? undefined : this.keys[found];
  }

  get size(): number {
    return this.hashes.length;
  }
}
