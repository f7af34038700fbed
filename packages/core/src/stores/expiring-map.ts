import { ApoJwtConfigError, ApoJwtError } from '../errors.js';
import { knownKeys, positiveInteger } from '../validate.js';

/**
 * A Map whose entries carry an expiry (seconds) and which never holds more
 * than `maxEntries`. When it is full it first drops expired entries; if it is
 * still full it refuses the write. Dropping a live entry would silently
 * un-revoke a token, so that is never done.
 */
export class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly label: string,
  ) {}

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

/**
 * The memory stores' `maxEntries`, checked when the store is made: 'abc'
 * would disable the bound (no size is >= NaN) and 0 would refuse every write.
 */
export function maxEntriesOption(store: string, options: unknown): number {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError(`${store} options must be an object`);
  knownKeys(store, options, ['maxEntries']);
  return positiveInteger(`${store} maxEntries`, (options as { maxEntries?: unknown }).maxEntries, 100_000, 100_000_000);
}
