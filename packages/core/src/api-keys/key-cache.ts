import { LRUCache } from 'lru-cache';
import type { StoredApiKey } from './api-key-store.js';

/** One looked-up key, with the claims a request gets made once for it. */
export interface CachedKey<C> {
  readonly record: StoredApiKey;
  readonly claims: C;
  /** The stored hash, decoded. */
  readonly hash: Buffer;
  /** When this instance read the record from the store (seconds, on the injected clock). */
  readonly readAt: number;
  /** When this instance last asked the store to write `lastUsedAt`. */
  touchedAt: number | undefined;
}

/**
 * Keys this instance looked up lately, by lookup id (never by the key: the
 * secret is not kept, and each hit hashes the presented key again). Bounded
 * (least recently used entries go first) and short-lived: an entry older
 * than `ttlSeconds` is read again from the store, so a revocation made on
 * another instance is seen here within that bound; one made here drops the
 * entry at once. Expiry is checked on every hit, so it is exact.
 */
export class KeyCache<C> {
  private readonly lru: LRUCache<string, CachedKey<C>> | undefined;

  constructor(
    max: number,
    private readonly ttlSeconds: number,
  ) {
    this.lru = max === 0 || ttlSeconds === 0 ? undefined : new LRUCache<string, CachedKey<C>>({ max });
  }

  get(id: string, now: number): CachedKey<C> | undefined {
    const entry = this.lru?.get(id);
    if (entry === undefined) return undefined;
    if (now - entry.readAt >= this.ttlSeconds || now < entry.readAt) {
      this.lru?.delete(id);
      return undefined;
    }
    return entry;
  }

  set(id: string, entry: CachedKey<C>): void {
    this.lru?.set(id, entry);
  }

  delete(id: string): void {
    this.lru?.delete(id);
  }
}
