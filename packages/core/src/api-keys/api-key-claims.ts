import type { StoredApiKey } from './api-key-store.js';

/**
 * What a verified API key gives a handler, in the places a token's claims
 * go: `tokenSubject` is `sub`, `tokenPermissions` is `perms`, and
 * `tokenClaims` is this object, whose `kind` tells it from a token's claims.
 */
export interface ApiKeyClaims<P extends string = string> {
  readonly kind: 'apiKey';
  readonly sub: string;
  /** With roles or implications configured, after expansion, as a token's. */
  readonly perms: readonly P[];
  /** The key's lookup id (public): log this, never the key. */
  readonly keyId: string;
  readonly name: string | undefined;
  /** Seconds since the epoch; undefined when the key never expires. */
  readonly exp: number | undefined;
  /** Keys carry no data of their own: always an empty object, so handlers reading `tokenData` need no case for keys. */
  readonly data: Readonly<Record<string, never>>;
}

/** What `list` and `create` tell about a key: everything but its hash. */
export interface ApiKeyInfo {
  readonly id: string;
  readonly subject: string;
  readonly permissions: readonly string[];
  readonly name: string | undefined;
  readonly createdAt: number;
  readonly expiresAt: number | undefined;
  readonly lastUsedAt: number | undefined;
  readonly revoked: boolean;
  readonly replacedBy: string | undefined;
}

/** A key just made: `key` is its full text, shown this once and stored nowhere. */
export interface CreatedApiKey extends ApiKeyInfo {
  readonly key: string;
}

const EMPTY: Readonly<Record<string, never>> = Object.freeze({});

export function claimsOf(record: StoredApiKey, perms: readonly string[]): ApiKeyClaims {
  return Object.freeze({ kind: 'apiKey', sub: record.subject, perms: Object.freeze([...perms]), keyId: record.id, name: record.name, exp: record.expiresAt, data: EMPTY });
}

export function infoOf(record: StoredApiKey): ApiKeyInfo {
  return Object.freeze({
    id: record.id,
    subject: record.subject,
    permissions: Object.freeze([...record.permissions]),
    name: record.name,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    lastUsedAt: record.lastUsedAt,
    revoked: record.revoked,
    replacedBy: record.replacedBy,
  });
}
