import { ApoJwtConfigError, ApoJwtError } from './errors.js';
import { REFRESH_TOKEN_TYPE } from './claims.js';
import { readHeader } from './header.js';
import { storeUnavailable } from './verify.js';
import { longestLifetime, nowSeconds, type ApoJwtConfig } from './config.js';

/** What a revocation needs to know of a token it was handed: the instance verifies it first. */
export interface RevocationVerifier {
  verify(token: string): Promise<{ jti: string; exp: number }>;
  verifyRefresh(token: string): Promise<{ jti: string; exp: number; fam: string }>;
}

/**
 * Revokes a token (access or refresh; a refresh token takes its whole family
 * with it, access tokens included; an access token only itself) or a bare `jti`. A token that is already expired or revoked needs
 * nothing; one that does not verify for another reason is refused.
 */
export async function revoke(config: ApoJwtConfig, verifier: RevocationVerifier, tokenOrJti: string): Promise<void> {
  if (typeof tokenOrJti !== 'string' || tokenOrJti.length === 0) throw new ApoJwtConfigError('revoke needs a token or a jti');
  const store = config.revocationStore;
  const now = nowSeconds(config);
  if (!tokenOrJti.includes('.')) {
    const until = now + longestLifetime(config) + config.clockTolerance;
    return storeCall(() => store.revokeToken(tokenOrJti, until, now));
  }
  const isRefresh = readHeader(tokenOrJti.slice(0, tokenOrJti.indexOf('.'))).typ === REFRESH_TOKEN_TYPE;
  let claims: { jti: string; exp: number; fam?: string };
  try {
    claims = isRefresh ? await verifier.verifyRefresh(tokenOrJti) : await verifier.verify(tokenOrJti);
  } catch (error) {
    if (error instanceof ApoJwtError && (error.code === 'ERR_TOKEN_EXPIRED' || error.code === 'ERR_TOKEN_REVOKED')) return;
    throw error;
  }
  if (claims.jti === undefined) {
    // A Python apojwt token (pythonCompat) has no id to revoke: saying so
    // beats returning as if it had been revoked.
    throw new ApoJwtConfigError('this token has no jti (a Python apojwt token): revoke its subject instead');
  }
  const until = claims.exp + config.clockTolerance;
  await storeCall(() => store.revokeToken(claims.jti, until, now));
  if (isRefresh) await revokeFamily(config, claims.fam as string, now);
}

/**
 * Revokes every token of `sub` issued up to now (this second included, and
 * `clockTolerance` seconds beyond, for issuers whose clock runs ahead).
 */
export async function revokeSubject(config: ApoJwtConfig, sub: string): Promise<void> {
  if (typeof sub !== 'string') throw new ApoJwtConfigError('revokeSubject needs a subject string');
  const now = nowSeconds(config);
  // An issuer whose clock runs ahead (within clockTolerance) stamps iat up
  // to `clockTolerance` seconds after our now: those tokens were issued
  // before the revocation too, so the cut-off moves forward by as much.
  const revokedAt = now + config.clockTolerance;
  const until = revokedAt + longestLifetime(config) + config.clockTolerance;
  await storeCall(() => config.revocationStore.revokeSubject(sub, revokedAt, until, now));
}

/** Revokes a refresh family: every token descended from one login. */
export async function revokeFamily(config: ApoJwtConfig, fam: string, now: number): Promise<void> {
  const until = now + longestLifetime(config) + config.clockTolerance;
  await storeCall(() => config.revocationStore.revokeFamily(fam, until, now));
}

/** A store write that fails is ERR_STORE_UNAVAILABLE (503): the revocation did not happen. */
export async function storeCall(write: () => void | Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    throw storeUnavailable(error);
  }
}
