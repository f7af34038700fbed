import { serialize } from 'cookie';
import { ApoJwtConfigError } from '../errors.js';

export const DEFAULT_REFRESH_COOKIE = 'apojwt_refresh';
export const DEFAULT_REFRESH_PATH = '/auth/refresh';

export interface RefreshCookieOptions {
  /** Cookie name; default `apojwt_refresh`. Must match the template's refresh cookie. */
  name?: string;
  /** Only the refresh endpoint needs the cookie: default `/auth/refresh`. */
  path?: string;
  domain?: string;
}

/**
 * `Set-Cookie` for a refresh token: HttpOnly (no script reads it), Secure,
 * SameSite=Strict (not sent by cross-site requests) and a narrow Path, so the
 * token only travels to the refresh endpoint (OWASP session management).
 */
export function refreshCookieHeader(token: string, maxAgeSeconds: number, options: RefreshCookieOptions = {}): string {
  return serialize(options.name ?? DEFAULT_REFRESH_COOKIE, token, {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: options.path ?? DEFAULT_REFRESH_PATH,
    maxAge: maxAgeSeconds,
    ...(options.domain === undefined ? {} : { domain: options.domain }),
  });
}

/** `Set-Cookie` that removes the refresh cookie (logout). */
export function clearRefreshCookieHeader(options: RefreshCookieOptions = {}): string {
  return serialize(options.name ?? DEFAULT_REFRESH_COOKIE, '', {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: options.path ?? DEFAULT_REFRESH_PATH,
    expires: new Date(0),
    ...(options.domain === undefined ? {} : { domain: options.domain }),
  });
}

/** Fails at setup, not at the first refresh, for a name or path `cookie` would refuse. */
export function validateRefreshCookie(options: RefreshCookieOptions): void {
  try {
    refreshCookieHeader('x', 1, options);
  } catch (error) {
    throw new ApoJwtConfigError(`refresh cookie options: ${(error as Error).message}`);
  }
}
