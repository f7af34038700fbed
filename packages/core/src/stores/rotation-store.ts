/** What a rotation store may know about the refresh token being consumed, besides its `jti`. */
export interface ConsumedRefreshToken {
  /** The token's `iat` (seconds). A store that can lose its data refuses tokens issued before the loss. */
  readonly iat: number;
}

/**
 * Remembers which refresh tokens were already rotated. `consume` must be
 * atomic across every service sharing the store: of two concurrent calls for
 * one `jti`, exactly one sees it fresh.
 */
export interface RotationStore {
  /**
   * Marks `jti` used. Returns `undefined` when this call is the first use, or
   * the instant (seconds) of the first use when it was already consumed. A
   * store that cannot prove the token unused (its data was lost since the
   * token was issued) answers as if it had been used, with an instant at or
   * before the real one (0 when unknown).
   *
   * `token` is optional so that stores written before it stay valid; a
   * store that needs it and does not get it must refuse (fail closed).
   */
  consume(jti: string, expiresAt: number, nowSeconds: number, token?: ConsumedRefreshToken): number | undefined | Promise<number | undefined>;
  close?(): void | Promise<void>;
}
