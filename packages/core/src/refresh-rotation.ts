import { ApoJwtConfigError, ApoJwtError } from './errors.js';
import type { RefreshClaims } from './claims.js';
import { storeUnavailable } from './verify.js';
import { nowSeconds, requireRefresh, type ApoJwtConfig } from './config.js';
import { issueTokens } from './issuer.js';
import type { CreateTokenInput, TokenPair } from './tokens.js';
import { revokeFamily } from './revocation.js';

/**
 * What new tokens of a rotation contain: by default the subject and refresh
 * data carry over. Typed by the instance that rotates (its permission names
 * and payloads); the defaults are what an instance of any types accepts.
 */
export type IssueFromRefresh<P extends string = string, D extends object = object, R extends object = object> = (
  claims: RefreshClaims<R>,
) => CreateTokenInput<P, D, R> | Promise<CreateTokenInput<P, D, R>>;

/**
 * Single use: `claims` (of a verified refresh token) are marked consumed. A
 * token consumed before is a replay: after the grace period its whole family
 * is revoked (theft detection) and ERR_REFRESH_REUSED is thrown.
 */
export async function consumeVerifiedRefresh<C extends RefreshClaims<object>>(config: ApoJwtConfig, claims: C): Promise<C> {
  const refresh = requireRefresh(config, 'consumeRefresh');
  const now = nowSeconds(config);
  let firstUse: number | undefined;
  try {
    // Remember the use for as long as the token verifies: exp plus the tolerance.
    const answer = config.rotationStore.consume(claims.jti, claims.exp + config.clockTolerance, now, { iat: claims.iat });
    firstUse = answer instanceof Promise ? await answer : answer;
  } catch (error) {
    throw storeUnavailable(error);
  }
  if (firstUse === undefined) return claims;
  // A grace period of 0 means none: reuse in the same second revokes too.
  if (refresh.reuseGracePeriod === 0 || now - firstUse > refresh.reuseGracePeriod) {
    await revokeFamily(config, claims.fam, now);
    throw new ApoJwtError('ERR_REFRESH_REUSED', 'the refresh token was already used; its sessions are revoked');
  }
  throw new ApoJwtError('ERR_REFRESH_REUSED', 'the refresh token was already used');
}

/**
 * A new pair in the family of the consumed refresh token. `issue` supplies
 * the new tokens' contents (look up current permissions there).
 */
export async function rotateFamily<P extends string, D extends object, R extends object>(
  config: ApoJwtConfig,
  claims: RefreshClaims<R>,
  issue: IssueFromRefresh<P, D, R> | undefined,
): Promise<TokenPair> {
  const input = issue ? await issue(claims) : { sub: claims.sub, refreshData: claims.data };
  // A family is one login of one subject: tokens for another subject in it
  // would be revoked with a session that is not theirs, and reuse detection
  // would follow the wrong user.
  if (input?.sub !== undefined && input.sub !== claims.sub) {
    throw new ApoJwtConfigError('rotate: issue() must keep the subject of the refresh token (omit sub, or return claims.sub)');
  }
  return issueTokens(config, { ...input, sub: claims.sub }, claims.fam) as TokenPair;
}
