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
 *
 * Ids the store did not have are remembered too, for `missTtlSeconds`, in
 * an LRU of their own: a well-formed key's checksum is computable by anyone,
 * so the same unknown key sent again and again would otherwise cost a store
 * round trip each time; and a flood of unknown ids evicts other unknown
 * ids, never a real key's entry.
 */
export class KeyCache<C> {
  private readonly lru: LRUCache<string, CachedKey<C>> | undefined;
  /** Unknown id → when the store said so (seconds). */
  private readonly misses: LRUCache<string, number> | undefined;

  constructor(
    max: number,
    private readonly ttlSeconds: number,
    private readonly missTtlSeconds = 0,
  ) {
    this.lru = max === 0 || ttlSeconds === 0 ? undefined : new LRUCache<string, CachedKey<C>>({ max });
    this.misses = this.lru === undefined || missTtlSeconds === 0 ? undefined : new LRUCache<string, number>({ max });
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

  /** True while the store's "no such id" for `id` is under `missTtlSeconds` old. */
  knownMissing(id: string, now: number): boolean {
    const at = this.misses?.get(id);
    if (at === undefined) return false;
    if (now - at >= this.missTtlSeconds || now < at) {
      this.misses?.delete(id);
      return false;
    }
    return true;
  }

  setMissing(id: string, now: number): void {
    this.misses?.set(id, now);
  }

  /** Forgets both what was read for `id` and that it was missing (a revocation, a rotation, a key made here). */
  delete(id: string): void {
    this.lru?.delete(id);
    this.misses?.delete(id);
  }
}
