import { ApoJwtConfigError, ApoJwtError, isApoJwtError } from '../errors.js';
import type { CreateTokenInput } from '../apojwt.js';
import type { RefreshClaims } from '../claims.js';
import type { AnyApoJwt } from '../decorators/default-instance.js';
import type { Middleware } from '../decorators/middleware.js';
import { findToken } from '../decorators/checks.js';
import { rejectWith } from '../decorators/guard.js';
import { refreshCookieHeader, validateRefreshCookie, type RefreshCookieOptions } from './refresh-cookie.js';

export interface RefreshEndpointOptions<P extends string = string, D extends object = object, R extends object = object> {
  /** Where the new refresh token goes. Name defaults to the template's refresh cookie. */
  cookie?: RefreshCookieOptions;
  /**
   * Contents of the new pair; look the user's current permissions up here.
   * Default: same subject and refresh data, no permissions.
   */
  issue?: (claims: RefreshClaims<R>) => CreateTokenInput<P, D, R> | Promise<CreateTokenInput<P, D, R>>;
}

/** What the refresh endpoint answers: the new access token; the refresh token only in its cookie. */
export interface RefreshResponseBody {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/**
 * A ready-made refresh endpoint: reads the refresh token (template's
 * refreshFinder), rotates it (single use, theft detection: `apo.rotate`),
 * sets the new one as a secure cookie and answers the access token as JSON.
 */
export function refreshEndpoint(apo: AnyApoJwt, options: RefreshEndpointOptions = {}): Middleware {
  const template = apo.template;
  if (template?.respond === undefined) throw new ApoJwtConfigError('refreshEndpoint needs a template with respond() (express, koa)');
  if (!apo.refreshEnabled) throw new ApoJwtConfigError('refreshEndpoint needs refresh tokens: pass refresh to createApoJwt');
  if (options.issue !== undefined && typeof options.issue !== 'function') throw new ApoJwtConfigError('refreshEndpoint: issue must be a function');
  const cookie: RefreshCookieOptions = { ...options.cookie, name: options.cookie?.name ?? template.refreshCookie };
  validateRefreshCookie(cookie);
  const respond = template.respond.bind(template);
  return async function refreshTokens(...args: unknown[]): Promise<unknown> {
    let body: RefreshResponseBody;
    let setCookie: string;
    try {
      const token = await findToken(apo.refreshFinder, 'refreshFinder', args);
      if (token === undefined) throw new ApoJwtError('ERR_TOKEN_MISSING', 'no refresh token was sent');
      const pair = await apo.rotate(token, options.issue);
      body = { accessToken: pair.accessToken, tokenType: 'Bearer', expiresIn: apo.expPeriod };
      setCookie = refreshCookieHeader(pair.refreshToken, apo.refreshExpPeriod as number, cookie);
    } catch (error) {
      if (isApoJwtError(error)) return rejectWith(apo, error, args);
      throw error;
    }
    // RFC 6749 §5.1: token responses are not cached.
    return respond(args, 200, { 'Set-Cookie': setCookie, 'Cache-Control': 'no-store' }, body);
  };
}
