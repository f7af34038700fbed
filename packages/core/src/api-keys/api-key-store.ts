/**
 * What a store keeps of one API key: never the key, only its hash (see
 * key-hash.ts) beside the lookup id. Times are seconds since the epoch.
 */
export interface StoredApiKey {
  /** The lookup id, the public part of the key (`apo_live_<id>_…`). */
  readonly id: string;
  /** base64url SHA-256 (or HMAC-SHA-256 with the pepper) of the whole key. */
  readonly hash: string;
  /** Who the key acts as (an owner, a client): the `tokenSubject` of requests it authenticates. */
  readonly subject: string;
  readonly permissions: readonly string[];
  /** A label for people ("CI deploys"); never a secret. */
  readonly name?: string | undefined;
  readonly createdAt: number;
  /** Absent: the key never expires. A rotation sets it to the end of the overlap. */
  readonly expiresAt?: number | undefined;
  /** Written at most once per `lastUsedInterval` (default a minute) per key. */
  readonly lastUsedAt?: number | undefined;
  readonly revoked: boolean;
  /** The id of the key a rotation replaced this one with. */
  readonly replacedBy?: string | undefined;
}

/**
 * Where API keys live. Every service that verifies keys shares one store
 * (Redis: `RedisApiKeyStore` in @apojwt/redis). A store that cannot answer
 * throws (or rejects): core answers 503 ERR_STORE_UNAVAILABLE and never
 * accepts a key it could not look up.
 */
export interface ApiKeyStore {
  /** Adds a new key. An id already present is refused (throws): ids are random, a clash is a fault. */
  insert(record: StoredApiKey): void | Promise<void>;
  /** The key of `id`, undefined when there is none. */
  get(id: string): StoredApiKey | undefined | Promise<StoredApiKey | undefined>;
  /** Every key of `subject`, revoked and expired ones included, oldest first (ties by id). */
  listBySubject(subject: string): readonly StoredApiKey[] | Promise<readonly StoredApiKey[]>;
  /** Marks the key revoked; false when there is none. */
  revoke(id: string): boolean | Promise<boolean>;
  /**
   * Ends the key at `at` unless it already ends earlier (a later call never
   * lengthens it), and records the key that replaced it; false when there is none.
   */
  expire(id: string, at: number, replacedBy: string | undefined): boolean | Promise<boolean>;
  /**
   * Writes `lastUsedAt = at` unless the stored one is later than
   * `at - minInterval`, in one step (atomic across services). True when written.
   */
  touch(id: string, at: number, minInterval: number): boolean | Promise<boolean>;
  close?(): void | Promise<void>;
}
