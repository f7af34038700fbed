/**
 * What a revocation check needs to know about a token. Times in seconds.
 * `iat` decides subject-wide revocation: every token of the subject issued at
 * or before the revocation instant is revoked (same-second tokens included,
 * on the safe side).
 */
export interface RevocationQuery {
  readonly jti: string | undefined;
  readonly sub: string;
  readonly iat: number;
  /** Refresh family, for refresh tokens. */
  readonly fam?: string | undefined;
}

/**
 * Shared state about revoked tokens. Implementations may answer synchronously
 * (memory, or a local mirror of Redis) or asynchronously. A store that cannot
 * answer must throw an `ApoJwtError` with code `ERR_STORE_UNAVAILABLE`: a
 * verifier then fails closed.
 *
 * Every entry carries `expiresAt` (seconds): after that instant the tokens it
 * describes are expired anyway, so the entry may be dropped.
 */
export interface RevocationStore {
  isRevoked(query: RevocationQuery, nowSeconds: number): boolean | Promise<boolean>;
  revokeToken(jti: string, expiresAt: number, nowSeconds: number): void | Promise<void>;
  revokeSubject(sub: string, revokedAt: number, expiresAt: number, nowSeconds: number): void | Promise<void>;
  revokeFamily(fam: string, expiresAt: number, nowSeconds: number): void | Promise<void>;
  close?(): void | Promise<void>;
}
