import type { RevocationQuery, RevocationStore } from './revocation-store.js';
import { ExpiringMap, maxEntriesOption } from './expiring-map.js';

export interface MemoryRevocationStoreOptions {
  /** Most entries of each kind (tokens, subjects, families) held at once. Default 100 000. */
  maxEntries?: number;
}

/** The default store: one process, bounded, entries expire with the tokens they describe. */
export class MemoryRevocationStore implements RevocationStore {
  private readonly tokens: ExpiringMap<true>;
  private readonly subjects: ExpiringMap<number>;
  private readonly families: ExpiringMap<true>;

  constructor(options: MemoryRevocationStoreOptions = {}) {
    const max = maxEntriesOption('MemoryRevocationStore', options);
    this.tokens = new ExpiringMap(max, 'revocation');
    this.subjects = new ExpiringMap(max, 'subject revocation');
    this.families = new ExpiringMap(max, 'refresh family');
  }

  isRevoked(query: RevocationQuery, nowSeconds: number): boolean {
    if (query.jti !== undefined && this.tokens.get(query.jti, nowSeconds)) return true;
    const subjectRevokedAt = this.subjects.get(query.sub, nowSeconds);
    if (subjectRevokedAt !== undefined && query.iat <= subjectRevokedAt) return true;
    return query.fam !== undefined && this.families.get(query.fam, nowSeconds) === true;
  }

  revokeToken(jti: string, expiresAt: number, nowSeconds: number): void {
    this.tokens.set(jti, true, expiresAt, nowSeconds);
  }

  revokeSubject(sub: string, revokedAt: number, expiresAt: number, nowSeconds: number): void {
    const previous = this.subjects.get(sub, nowSeconds);
    this.subjects.set(sub, Math.max(previous ?? revokedAt, revokedAt), expiresAt, nowSeconds);
  }

  revokeFamily(fam: string, expiresAt: number, nowSeconds: number): void {
    this.families.set(fam, true, expiresAt, nowSeconds);
  }
}
