import { ApoJwtError } from '../errors.js';

/**
 * A Map whose entries carry an expiry (seconds) and which never holds more
 * than `maxEntries`. When it is full it first drops expired entries; if it is
 * still full it refuses the write. Dropping a live entry would silently
 * un-revoke a token, so that is never done.
 */
export class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(private readonly maxEntries: number, private readonly label: string) {}

  get(key: string, nowSeconds: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= nowSeconds) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, expiresAt: number, nowSeconds: number): void {
    if (expiresAt <= nowSeconds) return;
    if (!this.entries.has(key) && this.entries.size >= this.maxEntries) {
      this.sweep(nowSeconds);
      if (this.entries.size >= this.maxEntries) {
        throw new ApoJwtError('ERR_STORE_UNAVAILABLE', `the in-memory ${this.label} store is full`);
      }
    }
    const previous = this.entries.get(key);
    // Keep the later expiry: a second write must never shorten a revocation.
    const keepUntil = previous ? Math.max(previous.expiresAt, expiresAt) : expiresAt;
    this.entries.set(key, { value, expiresAt: keepUntil });
  }

  /** Sets only when absent; returns false when a live entry was already there. */
  setIfAbsent(key: string, value: V, expiresAt: number, nowSeconds: number): boolean {
    if (this.get(key, nowSeconds) !== undefined) return false;
    this.set(key, value, expiresAt, nowSeconds);
    return true;
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(nowSeconds: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= nowSeconds) this.entries.delete(key);
    }
  }
}
