/**
 * What makes a token valid: this file, top to bottom. Each step either passes
 * or throws an `ApoJwtError` with its own code; nothing after a failed step
 * runs, and no claim is trusted before the signature is checked.
 *
 *   1. size limit            ERR_TOKEN_TOO_LARGE
 *   2. parse (shape, header) ERR_TOKEN_MALFORMED
 *   3. algorithm allow-list  ERR_ALGORITHM_NOT_ALLOWED
 *   4. key by kid            ERR_KEY_UNKNOWN
 *   5. signature             ERR_SIGNATURE_INVALID
 *   6. token type            ERR_TOKEN_TYPE_INVALID
 *   7. exp / nbf / iat       ERR_TOKEN_EXPIRED, ERR_TOKEN_NOT_YET_VALID, ERR_CLAIM_INVALID
 *   8. iss / aud and shape   ERR_CLAIM_INVALID
 *   9. revocation            ERR_TOKEN_REVOKED, ERR_STORE_UNAVAILABLE
 * Permissions (ERR_PERMISSION_DENIED) are checked by the caller, per route.
 */
import type { KeyObject } from 'node:crypto';
import { ApoJwtError } from './errors.js';
import { readHeader, decodeSegment, malformed } from './header.js';
import { signatureMatches } from './signature.js';
import { ACCESS_TOKEN_TYPE, LEGACY_TOKEN_TYPE, REFRESH_TOKEN_TYPE, type TokenKind } from './claims.js';
import type { Algorithm } from './algorithms.js';
import type { KeyResolver } from './keys.js';
import type { RevocationStore } from './stores/revocation-store.js';
import { isActorClaim } from './actor.js';

export interface VerifyContext {
  readonly algorithm: Algorithm;
  readonly keys: KeyResolver;
  readonly issuer: string;
  /** The audiences this service answers to; a token must name at least one. */
  readonly audience: ReadonlySet<string>;
  readonly clockTolerance: number;
  readonly maxTokenBytes: number;
  /** Accept Python apojwt's `typ: "JWT"` access tokens without `jti`. */
  readonly pythonCompat: boolean;
  readonly revocation: RevocationStore;
  readonly failOpen: boolean;
  readonly nowSeconds: () => number;
}

/** Header types arrive normalised (lower case, no `application/`): see header.ts. */
const LEGACY_TYPE = LEGACY_TOKEN_TYPE.toLowerCase();

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export async function verifyToken(token: unknown, kind: TokenKind, ctx: VerifyContext): Promise<Record<string, unknown>> {
  // 1. Size, before any parsing work.
  if (typeof token !== 'string' || token.length === 0) throw malformed('the token is not a non-empty string');
  if (token.length > ctx.maxTokenBytes) {
    throw new ApoJwtError('ERR_TOKEN_TOO_LARGE', `the token is larger than ${ctx.maxTokenBytes} bytes`);
  }

  // 2. Parse: exactly three base64url segments, the header a JSON object.
  if (!JWS_COMPACT.test(token)) throw malformed('the token is not three base64url segments');
  const header = readHeader(token.slice(0, token.indexOf('.')));

  // 3. Algorithm: the one this instance is configured for. 'none', 'None',
  //    'HS256' against an RS key, anything else: rejected here (RFC 8725 §3.1).
  if (header.alg !== ctx.algorithm) {
    throw new ApoJwtError('ERR_ALGORITHM_NOT_ALLOWED', 'the token algorithm is not the one this service accepts');
  }

  // 4. Key by kid (may fetch a remote JWKS on an unknown kid).
  //    A resolver that cannot answer (a JWKS fetch failing) fails closed, 503.
  let key: KeyObject;
  try {
    const resolved = ctx.keys.resolve(header.kid, ctx.algorithm);
    key = resolved instanceof Promise ? await resolved : resolved;
  } catch (error) {
    throw storeUnavailable(error);
  }

  // 5. Signature over the exact bytes received, with the pinned algorithm.
  //    Only after it passes is the payload decoded and read.
  const lastDot = token.lastIndexOf('.');
  const encodedSignature = token.slice(lastDot + 1);
  const signature = Buffer.from(encodedSignature, 'base64url');
  let valid: boolean;
  try {
    // The decoder ignores unused trailing bits, so several strings decode to
    // one signature: accept only the canonical one (RFC 4648 §3.5), so that
    // one signed token has exactly one spelling.
    valid = signature.toString('base64url') === encodedSignature && signatureMatches(ctx.algorithm, key, token.slice(0, lastDot), signature);
  } catch {
    valid = false; // e.g. an ECDSA signature of the wrong length
  }
  if (!valid) throw new ApoJwtError('ERR_SIGNATURE_INVALID', 'the token signature is invalid');
  const claims = decodeSegment(token.slice(token.indexOf('.') + 1, lastDot), 'payload', true); // alphabet checked in step 2

  // 6. Type: access and refresh tokens never stand in for each other.
  const legacy = kind === 'access' && ctx.pythonCompat && (header.typ === undefined || header.typ === LEGACY_TYPE);
  const expectedType = kind === 'access' ? ACCESS_TOKEN_TYPE : REFRESH_TOKEN_TYPE;
  if (header.typ !== expectedType && !legacy) {
    throw new ApoJwtError('ERR_TOKEN_TYPE_INVALID', `the token is not ${kind === 'access' ? 'an access' : 'a refresh'} token`);
  }

  // 7. Time. `exp` and `iat` are required: a token that never expires, or
  //    whose age is unknown, is not accepted (and subject revocation needs iat).
  const now = ctx.nowSeconds();
  const exp = numericDate(claims, 'exp', true);
  const iat = numericDate(claims, 'iat', true);
  const nbf = numericDate(claims, 'nbf', false);
  if (now >= exp + ctx.clockTolerance) throw new ApoJwtError('ERR_TOKEN_EXPIRED', 'the token has expired');
  if (nbf !== undefined && nbf > now + ctx.clockTolerance) {
    throw new ApoJwtError('ERR_TOKEN_NOT_YET_VALID', 'the token is not valid yet');
  }
  if (iat > now + ctx.clockTolerance) throw new ApoJwtError('ERR_TOKEN_NOT_YET_VALID', 'the token was issued in the future');

  // 8. Issuer, audience, and the shape of the claims handlers rely on.
  if (claims['iss'] !== ctx.issuer) throw claimInvalid('iss', 'the token issuer is not accepted');
  if (!namesAudience(claims['aud'], ctx.audience)) throw claimInvalid('aud', 'the token audience is not accepted');
  if (typeof claims['sub'] !== 'string') throw claimInvalid('sub', 'the token subject is missing');
  const jti = claims['jti'];
  if (!(typeof jti === 'string' && jti.length > 0) && !(legacy && jti === undefined)) {
    throw claimInvalid('jti', 'the token id is missing');
  }
  if (!isPlainObject(claims['data'])) throw claimInvalid('data', 'the token data is not an object');
  if (kind === 'access' && !isStringArray(claims['perms'])) throw claimInvalid('perms', 'the token permissions are not a list of strings');
  // `roles` (rolesInToken: 'claim') is expanded after verification, from this service's declaration.
  if (kind === 'access' && claims['roles'] !== undefined && !isStringArray(claims['roles'])) throw claimInvalid('roles', 'the token roles are not a list of strings');
  if (kind === 'refresh' && !(typeof claims['fam'] === 'string' && claims['fam'].length > 0)) {
    throw claimInvalid('fam', 'the refresh token family is missing');
  }
  // An access token names its refresh family when it has one: step 9 asks about it.
  if (kind === 'access' && claims['fam'] !== undefined && !(typeof claims['fam'] === 'string' && claims['fam'].length > 0)) {
    throw claimInvalid('fam', 'the token family is not a non-empty string');
  }
  // An exchanged token names the service acting for the subject (RFC 8693 §4.1): handlers and rules read it.
  if (claims['act'] !== undefined && !isActorClaim(claims['act'])) throw claimInvalid('act', 'the token actor is not a chain of subjects');

  // 9. Revocation, on every verification: the token, its subject, its refresh family.
  await assertNotRevoked(ctx, claims, now);
  return claims;
}

/**
 * Also run on every verified-cache hit, so a cached token is never served
 * after its revocation. Synchronous when the store answers synchronously (the
 * memory store, the Redis store's mirror): a cache hit then needs no promise.
 * A store answering with a promise is awaited, with the same outcomes.
 */
export function assertNotRevoked(ctx: VerifyContext, claims: Record<string, unknown>, now: number): void | Promise<void> {
  let answer: boolean | Promise<boolean>;
  try {
    answer = ctx.revocation.isRevoked(
      { jti: claims['jti'] as string | undefined, sub: claims['sub'] as string, iat: claims['iat'] as number, fam: claims['fam'] as string | undefined },
      now,
    );
  } catch (error) {
    return revocationUnknown(ctx, error);
  }
  if (answer instanceof Promise) return answer.then(assertNotRevokedAnswer, (error: unknown) => revocationUnknown(ctx, error));
  assertNotRevokedAnswer(answer);
}

function assertNotRevokedAnswer(revoked: boolean): void {
  if (revoked) throw new ApoJwtError('ERR_TOKEN_REVOKED', 'the token has been revoked');
}

/** The store could not answer: fail closed (503), unless failOpen. */
function revocationUnknown(ctx: VerifyContext, error: unknown): void {
  if (ctx.failOpen) return; // documented as unsafe: a revoked token may pass while the store is down
  throw storeUnavailable(error);
}

export function storeUnavailable(error: unknown): ApoJwtError {
  if (error instanceof ApoJwtError) return error;
  return new ApoJwtError('ERR_STORE_UNAVAILABLE', 'the token store is unavailable', {}, { cause: error });
}

function numericDate(claims: Record<string, unknown>, name: 'exp' | 'iat' | 'nbf', required: true): number;
function numericDate(claims: Record<string, unknown>, name: 'exp' | 'iat' | 'nbf', required: false): number | undefined;
function numericDate(claims: Record<string, unknown>, name: 'exp' | 'iat' | 'nbf', required: boolean): number | undefined {
  const value = claims[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw claimInvalid(name, `the token ${name} claim is missing or not a number`);
  return value;
}

// RFC 7519 §4.1.3: aud is a string or an array of strings; a string is one audience.
function namesAudience(aud: unknown, accepted: ReadonlySet<string>): boolean {
  if (typeof aud === 'string') return accepted.has(aud);
  if (!Array.isArray(aud)) return false;
  for (const entry of aud) if (typeof entry === 'string' && accepted.has(entry)) return true;
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((entry) => typeof entry === 'string');
}

function claimInvalid(claim: string, message: string): ApoJwtError {
  return new ApoJwtError('ERR_CLAIM_INVALID', message, { claim });
}
