import { handlerFailure } from '../failure-value.js';
import { isApoJwtError, type ApoJwtError } from '../errors.js';
import { toHttpErrorResponse } from '../http-error.js';
import type { TokenPair } from '../tokens.js';
import type { RefreshCookie } from './refresh-cookie.js';

/**
 * The answer of a login, refresh or logout endpoint, framework-free: a
 * binding only copies `status`, `headers`, `cookies` (Set-Cookie values) and
 * `body`.
 */
export interface AuthResponse {
  status: number;
  headers: Record<string, string>;
  /** Each a complete `Set-Cookie` header value. */
  cookies: string[];
  /** JSON body, or undefined for 204. */
  body: unknown;
  /** For a refusal: the typed error behind it, for bindings that hand errors to the framework. */
  error?: ApoJwtError;
}

/** What login and refresh answer: the access token; the refresh token only in its cookie. */
export interface RefreshResponseBody {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/** The lifetimes the token answer states. */
export interface TokenLifetimes {
  readonly expPeriod: number;
  readonly refreshExpPeriod: number | undefined;
}

// RFC 6749 §5.1: responses carrying tokens must not be cached.
export const NO_STORE: Readonly<Record<string, string>> = Object.freeze({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });

/** 200 with the access token; with refresh configured the refresh token goes into the cookie, never into the body (no script can read it). */
export function tokenResponse(apo: TokenLifetimes, cookie: RefreshCookie, result: string | TokenPair): AuthResponse {
  const pair = typeof result === 'string' ? undefined : result;
  const body: RefreshResponseBody = { accessToken: typeof result === 'string' ? result : result.accessToken, tokenType: 'Bearer', expiresIn: apo.expPeriod };
  return { status: 200, headers: { ...NO_STORE }, cookies: pair ? [cookie.set(pair.refreshToken, apo.refreshExpPeriod ?? 0)] : [], body };
}

/** The answer for a refusal (rethrows anything that is not an ApoJwtError, for the framework's 500). */
export function authErrorResponse(error: unknown, cookies: string[], realm: string | undefined): AuthResponse {
  // Not a refusal: the app's error handling answers it (500), so it must read as a failure there.
  if (!isApoJwtError(error)) throw handlerFailure(error, 'an auth endpoint');
  const http = toHttpErrorResponse(error, realm);
  return { status: http.status, headers: { ...http.headers, ...NO_STORE }, cookies, body: http.body, error };
}
