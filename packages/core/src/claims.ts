import type { JsonObject } from './register.js';
import type { ActorClaim } from './actor.js';

/**
 * Explicit token types (RFC 8725 §3.11) in the `typ` header, so an access
 * token can never stand in for a refresh token or the reverse, even when both
 * are signed with the same key. `at+jwt` is RFC 9068's access token type.
 */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const REFRESH_TOKEN_TYPE = 'rt+jwt';
/** What Python apojwt (PyJWT) writes; accepted only with `pythonCompat`. */
export const LEGACY_TOKEN_TYPE = 'JWT';

export type TokenKind = 'access' | 'refresh';

/** The claims every verified token carries. Times are in seconds since the epoch. */
export interface RegisteredClaims {
  sub: string;
  iss: string;
  aud: string[];
  iat: number;
  nbf: number;
  exp: number;
  /** Absent only in Python apojwt tokens accepted with `pythonCompat`. */
  jti: string;
}

/** A verified access token's payload. */
export interface AccessClaims<P extends string = string, D extends object = JsonObject> extends RegisteredClaims {
  /** The token's grants; with roles or implications configured, after expansion (roles' grants and implied names added). */
  perms: P[];
  /** Roles named by a token issued with `rolesInToken: 'claim'` (as sent: an undeclared one grants nothing). */
  roles?: string[];
  data: D;
  /** The refresh family (the login) the token belongs to, when refresh tokens are on: revoking the family revokes it. */
  fam?: string;
  /** RFC 8693 §4.1: the service acting for `sub` (a token exchanged on the user's behalf), nested for a chain. */
  act?: ActorClaim;
}

/** A verified refresh token's payload. `fam` names the login it descends from. */
export interface RefreshClaims<R extends object = JsonObject> extends RegisteredClaims {
  data: R;
  fam: string;
}
