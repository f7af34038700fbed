import { ApoJwtConfigError, ApoJwtError } from '../errors.js';
import { systemClock, toSeconds, type Clock } from '../clock.js';
import { isGrantName } from '../permissions.js';
import { knownKeys, nonNegativeNumber, optionalFunction, positiveInteger } from '../validate.js';
import { storeUnavailable } from '../verify.js';
import type { ApiKeyStore, StoredApiKey } from './api-key-store.js';
import { MemoryApiKeyStore } from './memory-api-key-store.js';
import { apiKeyPrefix, generateApiKey, invalidKey, maxApiKeyLength, parseApiKey } from './key-format.js';
import { decodeHash, encodeHash, keyHasher, sameHash, type KeyHasher } from './key-hash.js';
import { findApiKey, keyLocation, type KeyLocation } from './key-header.js';
import { KeyCache, type CachedKey } from './key-cache.js';
import { claimsOf, infoOf, type ApiKeyClaims, type ApiKeyInfo, type CreatedApiKey } from './api-key-claims.js';

export interface ApiKeysOptions {
  /** Where keys live; default an in-memory store (one process). Share one (Redis) between services. */
  store?: ApiKeyStore;
  /** The readable start of every key; default `apo_live_` (`apo_test_` for a test environment). */
  prefix?: string;
  /** Header a key may come in; default `X-API-Key`; false: none. */
  header?: string | false;
  /** Authorization scheme a key may come in (`Authorization: ApiKey <key>`); default `ApiKey`; false: none. */
  scheme?: string | false;
  /** A server secret (≥ 32 bytes) the hash is keyed with (HMAC-SHA-256); default none (SHA-256). */
  pepper?: string | Uint8Array;
  /**
   * Local cache of looked-up keys; `false` turns it off. Default `{ max: 10000, ttlSeconds: 10, missTtlSeconds: 2 }`.
   * `missTtlSeconds` (at most `ttlSeconds`): how long an id the store did not have is refused without asking it again.
   */
  cache?: false | { max?: number; ttlSeconds?: number; missTtlSeconds?: number };
  /** Seconds between two writes of a key's `lastUsedAt`; default 60. */
  lastUsedInterval?: number;
  /** Clock (ms since epoch); an ApoJwt instance gives its own. Default `Date.now`. */
  now?: Clock;
}

export interface CreateApiKeyInput<P extends string = string> {
  subject: string;
  permissions: readonly P[];
  /** Seconds since the epoch (like a token's `exp`); absent: the key never expires. */
  expiresAt?: number;
  name?: string;
}

export interface RotateApiKeyOptions {
  /** Seconds the old key stays valid beside the new one; 0 ends it now. Default 3600. */
  overlapSeconds?: number;
}

const OPTION_KEYS = ['store', 'prefix', 'header', 'scheme', 'pepper', 'cache', 'lastUsedInterval', 'now'] as const satisfies readonly (keyof ApiKeysOptions)[];
const MAX_OVERLAP = 30 * 24 * 3600;
const CENTURY = 100 * 366 * 24 * 3600;
const DEFAULT_MISS_TTL = 2;

/**
 * API keys: made, listed, revoked, rotated, and verified when a request
 * presents one. Options are checked once, here.
 *
 * What makes a presented key valid, in order (`verify`):
 *   1. its form: this prefix, the fixed length, base62, the checksum   ERR_API_KEY_INVALID
 *   2. a key with its lookup id exists (cache, else the store; an id the
 *      store lately did not have is refused from the cache)             ERR_API_KEY_INVALID, ERR_STORE_UNAVAILABLE
 *   3. the hash of the presented key equals the stored one (constant time) ERR_API_KEY_INVALID
 *   4. not revoked                                                       ERR_API_KEY_REVOKED
 *   5. not expired (`now >= expiresAt`; a rotation's overlap ends so)    ERR_API_KEY_EXPIRED
 * then `lastUsedAt` is written, at most once per `lastUsedInterval`, without
 * holding up the request. The first three fail with one code on purpose: an
 * unknown id and a wrong secret look alike. Revoked or expired is said only
 * to a holder of the right secret.
 */
export class ApiKeys {
  readonly prefix: string;
  readonly store: ApiKeyStore;
  /** The scheme named in challenges for keys (`ApiKey`, or the configured one). */
  readonly challengeScheme: string;
  readonly location: KeyLocation;
  private readonly hash: KeyHasher;
  private readonly cache: KeyCache<ApiKeyClaims>;
  private readonly lastUsedInterval: number;
  private readonly clock: Clock;
  private readonly maxLength: number;
  /** The instance's roles and implications, applied to a key's permissions once per lookup. */
  private readonly expand: (perms: readonly string[]) => readonly string[];

  constructor(options: ApiKeysOptions = {}, expand: (perms: readonly string[]) => readonly string[] = (perms) => perms) {
    if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('apiKeys must be an options object');
    knownKeys('apiKeys', options, OPTION_KEYS);
    this.prefix = apiKeyPrefix(options.prefix);
    this.maxLength = maxApiKeyLength(this.prefix);
    this.store = storeOption(options.store);
    this.location = keyLocation(options.header, options.scheme);
    this.challengeScheme = this.location.scheme ?? 'ApiKey';
    this.hash = keyHasher(options.pepper);
    this.cache = cacheOption(options.cache);
    this.lastUsedInterval = positiveInteger('apiKeys lastUsedInterval', options.lastUsedInterval, 60, 86_400);
    this.clock = optionalFunction<Clock>('apiKeys now', options.now) ?? systemClock;
    this.expand = expand;
  }

  /** Makes a key. The returned `key` is the only time its full text exists outside the caller: only its hash is stored. */
  async create(input: CreateApiKeyInput): Promise<CreatedApiKey> {
    const now = this.now();
    const checked = createInput(input, now);
    const { id, key } = generateApiKey(this.prefix);
    const record: StoredApiKey = { id, hash: encodeHash(this.hash(key)), ...checked, createdAt: now, revoked: false };
    await this.call(() => this.store.insert(record));
    // Should this id have been presented before it existed, this instance accepts the key at once.
    this.cache.delete(id);
    return Object.freeze({ ...infoOf(record), key });
  }

  /** The keys of `subject` (revoked and expired ones included, oldest first), without hashes or keys. */
  async list(subject: string): Promise<readonly ApiKeyInfo[]> {
    if (typeof subject !== 'string' || subject.length === 0) throw new ApoJwtConfigError('list needs a subject');
    const records = await this.call(() => this.store.listBySubject(subject));
    return Object.freeze(records.map(infoOf));
  }

  /** One key by its id, without its hash; undefined when there is none. */
  async get(id: string): Promise<ApiKeyInfo | undefined> {
    const record = await this.call(() => this.store.get(idArgument(id)));
    return record === undefined ? undefined : infoOf(record);
  }

  /**
   * Revokes a key at once on this instance; other instances stop accepting
   * it when their cache entry ends (at most `cache.ttlSeconds`). False when
   * there is no such key.
   */
  async revoke(id: string): Promise<boolean> {
    const revoked = await this.call(() => this.store.revoke(idArgument(id)));
    this.cache.delete(id);
    return revoked;
  }

  /**
   * A new key for the same subject, permissions, name and expiry; the old
   * one stays valid for `overlapSeconds` more (both work during the
   * change-over), then ends as expired. ERR_API_KEY_INVALID for an unknown
   * id, ERR_API_KEY_REVOKED / ERR_API_KEY_EXPIRED for a key that already ended.
   */
  async rotate(id: string, options: RotateApiKeyOptions = {}): Promise<CreatedApiKey> {
    if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('rotate options must be an object');
    knownKeys('rotate', options, ['overlapSeconds']);
    const overlap = nonNegativeNumber('rotate overlapSeconds', options.overlapSeconds, 3600, MAX_OVERLAP);
    const now = this.now();
    const old = await this.call(() => this.store.get(idArgument(id)));
    if (old === undefined) throw invalidKey('no API key has this id');
    assertLive(old, now);
    // The new key first: should ending the old one fail, both still work and the call can be retried.
    const created = await this.create({
      subject: old.subject,
      permissions: old.permissions,
      ...(old.expiresAt === undefined ? {} : { expiresAt: old.expiresAt }),
      ...(old.name === undefined ? {} : { name: old.name }),
    });
    await this.call(() => this.store.expire(old.id, now + Math.floor(overlap), created.id));
    this.cache.delete(old.id);
    return created;
  }

  /** The API key of a request (Node's raw header list), undefined when none was sent; ERR_REQUEST_MALFORMED for two. */
  find(rawHeaders: readonly string[]): string | undefined {
    return findApiKey(rawHeaders, this.location);
  }

  /** The lookup id of a presented key of the right form (public, for decision events); undefined otherwise. Never throws. */
  idOf(key: unknown): string | undefined {
    if (typeof key !== 'string' || key.length > this.maxLength) return undefined;
    try {
      return parseApiKey(key, this.prefix);
    } catch {
      return undefined;
    }
  }

  /** Verifies a presented key (steps above) and returns what a request gets from it. */
  async verify(key: string): Promise<ApiKeyClaims> {
    return this.verifyEagerly(key);
  }

  /** `verify`, answered synchronously on a cache hit (the guard's path): no promise, one hash. */
  verifyEagerly(key: string): ApiKeyClaims | Promise<ApiKeyClaims> {
    // 1. The form, before anything is looked up.
    if (typeof key !== 'string' || key.length > this.maxLength) throw invalidKey("the API key does not have this service's prefix and length");
    const id = parseApiKey(key, this.prefix);
    const now = this.now();
    const hit = this.cache.get(id, now);
    if (hit !== undefined) return this.accept(hit, key, now);
    if (this.cache.knownMissing(id, now)) throw invalidKey('no API key has this id');
    // 2. A miss asks the store.
    let answer: StoredApiKey | undefined | Promise<StoredApiKey | undefined>;
    try {
      answer = this.store.get(id);
    } catch (error) {
      throw storeUnavailable(error);
    }
    if (answer instanceof Promise)
      return answer.then(
        (record) => this.looked(id, record, key, now),
        (error: unknown) => Promise.reject(storeUnavailable(error)),
      );
    return this.looked(id, answer, key, now);
  }

  private looked(id: string, record: StoredApiKey | undefined, key: string, now: number): ApiKeyClaims {
    if (record === undefined) {
      this.cache.setMissing(id, now);
      throw invalidKey('no API key has this id');
    }
    const entry: CachedKey<ApiKeyClaims> = { record, claims: claimsOf(record, this.expand(record.permissions)), hash: decodeHash(record.hash), readAt: now, touchedAt: undefined };
    this.cache.set(id, entry);
    return this.accept(entry, key, now);
  }

  private accept(entry: CachedKey<ApiKeyClaims>, key: string, now: number): ApiKeyClaims {
    // 3. The secret: the hash of what was presented against the stored one.
    if (!sameHash(this.hash(key), entry.hash)) throw invalidKey('the API key does not match');
    // 4, 5. Still live.
    assertLive(entry.record, now);
    this.touch(entry, now);
    return entry.claims;
  }

  /** At most one write per interval per key: this instance asks once per interval, and the store writes only when the stored time is older. */
  private touch(entry: CachedKey<ApiKeyClaims>, now: number): void {
    const interval = this.lastUsedInterval;
    const last = Math.max(entry.touchedAt ?? -Infinity, entry.record.lastUsedAt ?? -Infinity);
    if (now - last < interval) return;
    entry.touchedAt = now;
    try {
      const written = this.store.touch(entry.record.id, now, interval);
      // Never awaited: the request does not wait for bookkeeping, and a store down now fails the next lookup, not this one.
      if (written instanceof Promise) written.catch(ignore);
    } catch {
      // As above.
    }
  }

  private now(): number {
    return toSeconds(this.clock());
  }

  private async call<T>(operation: () => T | Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw storeUnavailable(error);
    }
  }
}

function assertLive(record: StoredApiKey, now: number): void {
  if (record.revoked) throw new ApoJwtError('ERR_API_KEY_REVOKED', 'the API key has been revoked');
  if (record.expiresAt !== undefined && now >= record.expiresAt) throw new ApoJwtError('ERR_API_KEY_EXPIRED', 'the API key has expired');
}

function ignore(): void {}

function storeOption(store: unknown): ApiKeyStore {
  if (store === undefined) return new MemoryApiKeyStore();
  const candidate = store as Partial<Record<keyof ApiKeyStore, unknown>> | null;
  for (const method of ['insert', 'get', 'listBySubject', 'revoke', 'expire', 'touch'] as const) {
    if (candidate === null || typeof candidate !== 'object' || typeof candidate[method] !== 'function')
      throw new ApoJwtConfigError(`apiKeys store must implement ApiKeyStore (${method} is missing)`);
  }
  return store as ApiKeyStore;
}

function cacheOption(cache: unknown): KeyCache<ApiKeyClaims> {
  if (cache === false) return new KeyCache(0, 0);
  if (cache !== undefined && (cache === null || typeof cache !== 'object')) throw new ApoJwtConfigError('apiKeys cache must be false or { max, ttlSeconds, missTtlSeconds }');
  const options = (cache ?? {}) as { max?: unknown; ttlSeconds?: unknown; missTtlSeconds?: unknown };
  knownKeys('apiKeys cache', options, ['max', 'ttlSeconds', 'missTtlSeconds']);
  const ttl = positiveInteger('apiKeys cache ttlSeconds', options.ttlSeconds, 10, 300);
  // Short by default: a key made on another instance is refused here as unknown for at most this long.
  const missTtl = positiveInteger('apiKeys cache missTtlSeconds', options.missTtlSeconds, Math.min(DEFAULT_MISS_TTL, ttl), ttl);
  return new KeyCache(positiveInteger('apiKeys cache max', options.max, 10_000, 10_000_000), ttl, missTtl);
}

function idArgument(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 64) throw new ApoJwtConfigError('an API key id is a non-empty string');
  return id;
}

function createInput(input: unknown, now: number): Pick<StoredApiKey, 'subject' | 'permissions' | 'expiresAt' | 'name'> {
  if (input === null || typeof input !== 'object') throw new ApoJwtConfigError('create needs { subject, permissions }');
  knownKeys('create', input, ['subject', 'permissions', 'expiresAt', 'name']);
  const { subject, permissions, expiresAt, name } = input as Record<string, unknown>;
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 256) throw new ApoJwtConfigError('create subject must be a non-empty string of at most 256 characters');
  if (!Array.isArray(permissions) || !permissions.every(isGrantName)) throw new ApoJwtConfigError('create permissions must be an array of permission names');
  // Milliseconds given by mistake would be a date thousands of years away: refused as beyond a century.
  if (expiresAt !== undefined && (typeof expiresAt !== 'number' || !Number.isInteger(expiresAt) || expiresAt <= now || expiresAt > now + CENTURY)) {
    throw new ApoJwtConfigError('create expiresAt must be a whole number of seconds since the epoch (not milliseconds), in the future');
  }
  if (name !== undefined && (typeof name !== 'string' || name.length === 0 || name.length > 200))
    throw new ApoJwtConfigError('create name must be a non-empty string of at most 200 characters');
  return {
    subject,
    permissions: Object.freeze([...new Set(permissions as string[])]),
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(name === undefined ? {} : { name }),
  };
}
