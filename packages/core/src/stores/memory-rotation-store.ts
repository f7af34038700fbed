import type { RotationStore } from './rotation-store.js';
import { ExpiringMap, maxEntriesOption } from './expiring-map.js';

export interface MemoryRotationStoreOptions {
  /** Most used refresh tokens remembered at once. Default 100 000. */
  maxEntries?: number;
}

/** One process only; a single-threaded Map is atomic for `consume`. */
export class MemoryRotationStore implements RotationStore {
  private readonly used: ExpiringMap<number>;

  constructor(options: MemoryRotationStoreOptions = {}) {
    this.used = new ExpiringMap(maxEntriesOption('MemoryRotationStore', options), 'refresh rotation');
  }

  consume(jti: string, expiresAt: number, nowSeconds: number): number | undefined {
    const firstUse = this.used.get(jti, nowSeconds);
    if (firstUse !== undefined) return firstUse;
    this.used.set(jti, nowSeconds, expiresAt, nowSeconds);
    return undefined;
  }
}
