import { ApoJwtConfigError } from '../errors.js';
import { findCookie } from './credentials.js';
import { knownKeys } from '../validate.js';

/**
 * The refresh-token cookie: login sets it, refresh rotates it, logout clears
 * it. One module for every endpoint and binding, so they all write the same
 * cookie. Defaults follow OWASP's session cookie advice: HttpOnly (no script
 * can read it), Secure (HTTPS only), SameSite=Strict (not sent on cross-site
 * requests, so no CSRF on refresh/logout) and a narrow Path covering only the
 * auth endpoints (`/auth`: login, refresh and logout under it all receive it;
 * the API never does).
 */

export const DEFAULT_REFRESH_COOKIE = 'apojwt_refresh';
export const DEFAULT_REFRESH_PATH = '/auth';

export interface RefreshCookieOptions {
  /** Default `apojwt_refresh`. Must be the cookie the template's refreshFinder reads. */
  name?: string;
  /** A path prefix covering the refresh and logout endpoints (logout needs the cookie to revoke it). Default `/auth`. */
  path?: string;
  domain?: string;
  /** Default true. Only turn off for plain-HTTP local development. */
  secure?: boolean;
  /** Default `Strict`. `None` requires `secure`. */
  sameSite?: 'Strict' | 'Lax' | 'None';
}

export interface RefreshCookie {
  readonly name: string;
  readonly path: string;
  /** `Set-Cookie` value that stores `token` for `maxAgeSeconds`. */
  set(token: string, maxAgeSeconds: number): string;
  /** `Set-Cookie` value that deletes the cookie. */
  clear(): string;
  /** The cookie's value in a `Cookie` request header, if present; ERR_REQUEST_MALFORMED when sent twice with different values. */
  read(cookieHeader: string | undefined): string | undefined;
}

// RFC 6265 §4.1.1: a cookie-name is a token; path and domain exclude ";" and controls.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const ATTRIBUTE_VALUE = /^[\x21-\x3a\x3c-\x7e]+$/;
const COOKIE_VALUE = /^[A-Za-z0-9._~-]+$/;

/** The cookie, its options validated once (ApoJwtConfigError at setup, not at the first login). */
export function refreshCookie(options: RefreshCookieOptions = {}): RefreshCookie {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('cookie must be an options object');
  knownKeys('cookie', options, ['name', 'path', 'domain', 'secure', 'sameSite']);
  const name = options.name ?? DEFAULT_REFRESH_COOKIE;
  const path = options.path ?? DEFAULT_REFRESH_PATH;
  const secure = options.secure ?? true;
  const sameSite = options.sameSite ?? 'Strict';
  if (typeof name !== 'string' || !TOKEN.test(name)) throw new ApoJwtConfigError('cookie.name must be an RFC 6265 token');
  if (typeof path !== 'string' || !path.startsWith('/') || !ATTRIBUTE_VALUE.test(path)) throw new ApoJwtConfigError('cookie.path must start with "/" and contain no ";" or spaces');
  if (options.domain !== undefined && (typeof options.domain !== 'string' || !ATTRIBUTE_VALUE.test(options.domain))) throw new ApoJwtConfigError('cookie.domain is not a valid domain');
  if (typeof secure !== 'boolean') throw new ApoJwtConfigError('cookie.secure must be a boolean');
  if (sameSite !== 'Strict' && sameSite !== 'Lax' && sameSite !== 'None') throw new ApoJwtConfigError('cookie.sameSite must be Strict, Lax or None');
  if (sameSite === 'None' && !secure) throw new ApoJwtConfigError('cookie.sameSite None needs secure: browsers refuse it otherwise');

  const attributes = [`Path=${path}`, ...(options.domain ? [`Domain=${options.domain}`] : []), 'HttpOnly', ...(secure ? ['Secure'] : []), `SameSite=${sameSite}`].join('; ');
  return Object.freeze({
    name,
    path,
    set(token: string, maxAgeSeconds: number): string {
      if (!COOKIE_VALUE.test(token)) throw new ApoJwtConfigError('a refresh token is base64url text');
      return `${name}=${token}; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; ${attributes}`;
    },
    clear(): string {
      return `${name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; ${attributes}`;
    },
    read(cookieHeader: string | undefined): string | undefined {
      if (typeof cookieHeader !== 'string') return undefined;
      // The same reading as the templates' refreshFinder: one value, decoded;
      // two different values (a cookie tossed in by a sibling subdomain) are
      // ERR_REQUEST_MALFORMED, never "the first one wins".
      return findCookie(['cookie', cookieHeader], name);
    },
  });
}

/** `Set-Cookie` for a refresh token (a hand-written login): `refreshCookie(options).set(token, maxAge)`. */
export function refreshCookieHeader(token: string, maxAgeSeconds: number, options: RefreshCookieOptions = {}): string {
  return refreshCookie(options).set(token, maxAgeSeconds);
}

/** `Set-Cookie` that removes the refresh cookie (a hand-written logout). */
export function clearRefreshCookieHeader(options: RefreshCookieOptions = {}): string {
  return refreshCookie(options).clear();
}
