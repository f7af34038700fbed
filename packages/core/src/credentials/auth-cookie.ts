import { ApoJwtConfigError } from '../errors.js';

/**
 * The refresh-token cookie of the auth endpoints (login sets it, refresh
 * rotates it, logout clears it). Defaults follow OWASP's session cookie advice:
 * HttpOnly (no script can read it), Secure (HTTPS only), SameSite=Strict (not
 * sent on cross-site requests, so no CSRF on refresh/logout) and a narrow
 * Path, so the token travels only to the auth endpoints, never to the API.
 */
export interface AuthCookieOptions {
  /** Default "apojwt_refresh". */
  name?: string;
  /** A path prefix covering the refresh and logout endpoints (logout needs the cookie to revoke it). Default "/auth". */
  path?: string;
  domain?: string;
  /** Default true. Only turn off for plain-HTTP local development. */
  secure?: boolean;
  /** Default "Strict". "None" requires `secure`. */
  sameSite?: 'Strict' | 'Lax' | 'None';
}

export interface AuthCookie {
  readonly name: string;
  /** `Set-Cookie` value that stores `token` for `maxAgeSeconds`. */
  set(token: string, maxAgeSeconds: number): string;
  /** `Set-Cookie` value that deletes the cookie. */
  clear(): string;
  /** The cookie's value in a `Cookie` request header, if present. */
  read(cookieHeader: string | undefined): string | undefined;
}

// RFC 6265 §4.1.1: a cookie-name is a token; path and domain exclude ";" and controls.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const ATTRIBUTE_VALUE = /^[\x21-\x3a\x3c-\x7e]+$/;
const COOKIE_VALUE = /^[A-Za-z0-9._~-]+$/;

export function authCookie(options: AuthCookieOptions = {}): AuthCookie {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('cookie must be an options object');
  const name = options.name ?? 'apojwt_refresh';
  const path = options.path ?? '/auth';
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
    set(token: string, maxAgeSeconds: number): string {
      if (!COOKIE_VALUE.test(token)) throw new ApoJwtConfigError('a refresh token is base64url text');
      return `${name}=${token}; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; ${attributes}`;
    },
    clear(): string {
      return `${name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; ${attributes}`;
    },
    read(cookieHeader: string | undefined): string | undefined {
      if (typeof cookieHeader !== 'string') return undefined;
      for (const pair of cookieHeader.split(';')) {
        const eq = pair.indexOf('=');
        if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
        const value = pair.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
        return value.length > 0 ? value : undefined;
      }
      return undefined;
    },
  });
}
