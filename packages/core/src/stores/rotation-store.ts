/**
 * Remembers which refresh tokens were already rotated. `consume` must be
 * atomic across every service sharing the store: of two concurrent calls for
 * one `jti`, exactly one sees it fresh.
 */
export interface RotationStore {
  /**
   * Marks `jti` used. Returns `undefined` when this call is the first use, or
   * the instant (seconds) of the first use when it was already consumed.
   */
  consume(jti: string, expiresAt: number, nowSeconds: number): number | undefined | Promise<number | undefined>;
  close?(): void | Promise<void>;
}
