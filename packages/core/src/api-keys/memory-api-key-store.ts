import { ApoJwtError } from '../errors.js';
import { knownKeys, positiveInteger } from '../validate.js';
import type { ApiKeyStore, StoredApiKey } from './api-key-store.js';

export interface MemoryApiKeyStoreOptions {
  /** Most keys held at once; a creation beyond it is refused (503). Default 100 000. */
  maxEntries?: number;
}

/**
 * API keys in this process only: for tests and single-instance services.
 * Keys are kept until the process ends (revoked and expired ones too, so
 * `list` shows them); the bound refuses a creation rather than drop a key.
 */
export class MemoryApiKeyStore implements ApiKeyStore {
  private readonly keys = new Map<string, StoredApiKey>();
  private readonly bySubject = new Map<string, Set<string>>();
  private readonly maxEntries: number;

  constructor(options: MemoryApiKeyStoreOptions = {}) {
    knownKeys('MemoryApiKeyStore', options, ['maxEntries']);
    this.maxEntries = positiveInteger('MemoryApiKeyStore maxEntries', options.maxEntries, 100_000, 100_000_000);
  }

  insert(record: StoredApiKey): void {
    if (this.keys.has(record.id)) throw new ApoJwtError('ERR_STORE_UNAVAILABLE', 'an API key with this id exists already');
    if (this.keys.size >= this.maxEntries) throw new ApoJwtError('ERR_STORE_UNAVAILABLE', 'the in-memory API key store is full');
    this.keys.set(record.id, Object.freeze({ ...record, permissions: Object.freeze([...record.permissions]) }));
    let ids = this.bySubject.get(record.subject);
    if (ids === undefined) this.bySubject.set(record.subject, (ids = new Set()));
    ids.add(record.id);
  }

  get(id: string): StoredApiKey | undefined {
    return this.keys.get(id);
  }

  listBySubject(subject: string): readonly StoredApiKey[] {
    const ids = this.bySubject.get(subject);
    if (ids === undefined) return [];
    // Oldest first, ties by id: the order of Redis's sorted set by creation time.
    return [...ids].map((id) => this.keys.get(id) as StoredApiKey).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  revoke(id: string): boolean {
    return this.update(id, (key) => ({ ...key, revoked: true }));
  }

  expire(id: string, at: number, replacedBy: string | undefined): boolean {
    return this.update(id, (key) => ({
      ...key,
      expiresAt: key.expiresAt === undefined ? at : Math.min(key.expiresAt, at),
      ...(replacedBy === undefined ? {} : { replacedBy }),
    }));
  }

  touch(id: string, at: number, minInterval: number): boolean {
    const key = this.keys.get(id);
    if (key === undefined || (key.lastUsedAt !== undefined && key.lastUsedAt > at - minInterval)) return false;
    this.keys.set(id, Object.freeze({ ...key, lastUsedAt: at }));
    return true;
  }

  private update(id: string, change: (key: StoredApiKey) => StoredApiKey): boolean {
    const key = this.keys.get(id);
    if (key === undefined) return false;
    this.keys.set(id, Object.freeze(change(key)));
    return true;
  }
}
