import { LRUCache } from 'lru-cache';

interface Entry {
  readonly claims: Record<string, unknown>;
  readonly exp: number;
}

/**
 * Verified access tokens, keyed by the whole token string, so a hit skips the
 * signature check. Bounded by `max` (least recently used first out). An entry
 * is never served at or after its token's `exp` on the instance's clock, and
 * the caller still checks revocation on every hit.
 */
export class VerifiedTokenCache {
  private readonly lru: LRUCache<string, Entry>;

  constructor(max: number) {
    this.lru = new LRUCache<string, Entry>({ max });
  }

  /** The claims, or undefined on a miss or when the entry has expired (it is dropped). */
  get(token: string, expiredAt: (exp: number) => boolean): Record<string, unknown> | undefined {
    const entry = this.lru.get(token);
    if (entry === undefined) return undefined;
    if (expiredAt(entry.exp)) {
      this.lru.delete(token);
      return undefined;
    }
    return entry.claims;
  }

  set(token: string, claims: Record<string, unknown>): void {
    this.lru.set(token, { claims, exp: claims['exp'] as number });
  }

  get size(): number {
    return this.lru.size;
  }

  clear(): void {
    this.lru.clear();
  }
}
