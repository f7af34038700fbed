import { createVerifier } from 'fast-jwt';
import { AUDIENCE, ISSUER, SECRET } from './shared.js';

/** A hand-written check: the claims of the request's token, or the status to refuse with. */
export type CachedCheck = (authorization: string | undefined, permission: string) => MinimalClaims | 401 | 403;

export interface MinimalClaims {
  readonly sub: string;
  readonly exp: number;
  readonly perms: readonly string[];
  readonly data?: unknown;
}

/**
 * A JWT check with a verified-token cache, written by hand the shortest way,
 * shared by every minimal case (`nest-minimal-guard` and
 * `fastify-minimal-hook` over HTTP, the cold-cache harnesses' minimal
 * checks in process) so each framework's is the same check: the Authorization header
 * (Node's parsed one), a Map from token to verified claims (fast-jwt verifies
 * a token once), expiry against Date.now(), the permission. None of apojwt's
 * checks beyond that (one Authorization header, the token type, revocation, a
 * bounded cache, the key epoch, RFC 6750 answers). Answers the claims, or the
 * status to refuse with. Not a floor: the Map hashes the whole token on every
 * request, most of what this check costs (bench/adapters.md, "The one-slot pass").
 */
export function minimalCheck(): CachedCheck {
  const verifiedTokens = new Map<string, MinimalClaims>();
  const verifyJwt = createVerifier({ key: SECRET, algorithms: ['HS256'], allowedIss: ISSUER, allowedAud: AUDIENCE });
  return (authorization, permission) => {
    if (authorization === undefined || !authorization.startsWith('Bearer ')) return 401;
    const token = authorization.slice(7);
    let claims = verifiedTokens.get(token);
    if (claims === undefined) {
      try {
        claims = verifyJwt(token) as MinimalClaims;
      } catch {
        return 401;
      }
      verifiedTokens.set(token, claims);
    }
    if (claims.exp * 1000 <= Date.now()) return 401;
    return claims.perms.includes(permission) ? claims : 403;
  };
}

/**
 * The least a cached check can cost, as far as this benchmark knows how to
 * write one: `minimalCheck` without its hashing of the whole token. The
 * cache is keyed by the Authorization header's last 12 characters (part of
 * the signature) and holds the whole header, which the hit compares: two
 * strings the HTTP parser made, which V8 compares in one pass. No token
 * string is made on a hit. Everything else as in `minimalCheck`, and none of
 * apojwt's other checks.
 */
export function floorCheck(): CachedCheck {
  const verified = new Map<string, { readonly authorization: string; readonly claims: MinimalClaims }>();
  const verifyJwt = createVerifier({ key: SECRET, algorithms: ['HS256'], allowedIss: ISSUER, allowedAud: AUDIENCE });
  return (authorization, permission) => {
    if (authorization === undefined || !authorization.startsWith('Bearer ')) return 401;
    const key = authorization.slice(-12);
    const entry = verified.get(key);
    let claims: MinimalClaims;
    if (entry !== undefined && entry.authorization === authorization) {
      claims = entry.claims;
    } else {
      try {
        claims = verifyJwt(authorization.slice(7)) as MinimalClaims;
      } catch {
        return 401;
      }
      verified.set(key, { authorization, claims });
    }
    if (claims.exp * 1000 <= Date.now()) return 401;
    return claims.perms.includes(permission) ? claims : 403;
  };
}
