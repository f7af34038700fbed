import { ApoJwtConfigError, ApoJwtError } from '../errors.js';
import type { GuardEngine } from '../engine.js';
import type { RefreshClaims } from '../claims.js';
import type { CreateTokenInput, TokenPair } from '../tokens.js';
import type { IssueFromRefresh } from '../refresh-rotation.js';
import type { Template } from '../template.js';
import { rejectWith } from '../decorators/guard.js';
import { nextOnRejection, type Middleware } from '../decorators/middleware.js';
import { refreshCookie, type RefreshCookie, type RefreshCookieOptions } from './refresh-cookie.js';
import { authErrorResponse, tokenResponse, type AuthResponse, type TokenLifetimes } from './token-response.js';
import { knownKeys } from '../validate.js';

/**
 * The refresh endpoint (`apo.refreshEndpoint()`): the refresh cookie in, a
 * rotated pair out (single-use refresh tokens; a replay revokes the family),
 * 200 with the access token and the new cookie. It lives in core with
 * rotation itself, so an issuer without password login needs nothing else;
 * @apojwt/auth builds its login and logout endpoints beside it.
 */

/** What the refresh endpoint needs of an instance (ApoJwt implements it). */
export interface RotatingEngine extends GuardEngine, TokenLifetimes {
  rotate(refreshToken: string, issue?: IssueFromRefresh): Promise<TokenPair>;
}

export interface RefreshEndpointOptions<P extends string = string, D extends object = object, R extends object = object> {
  /** The refresh cookie. Its name defaults to the template's `refreshCookie` (what its refreshFinder reads); Path to `/auth`. */
  cookie?: RefreshCookieOptions;
  /** Contents of a rotated pair; look the user's current permissions up here. Default: same subject and refresh data, no permissions. */
  issue?: (claims: RefreshClaims<R>) => CreateTokenInput<P, D, R> | Promise<CreateTokenInput<P, D, R>>;
}

/** Where the refresh token of a request was found: already extracted, or the raw Cookie header. */
export interface RefreshRequest {
  refreshToken?: string;
  cookieHeader?: string;
}

export type RefreshHandler = (request: RefreshRequest) => Promise<AuthResponse>;

export type RespondingTemplate = Template & Required<Pick<Template, 'respond'>>;

/** The framework-free refresh: every refusal is its status, and clears the cookie it refused. */
export function createRefreshHandler(apo: RotatingEngine, cookie: RefreshCookie, issue: IssueFromRefresh | undefined): RefreshHandler {
  if (issue !== undefined && typeof issue !== 'function') throw new ApoJwtConfigError('issue must be a function');
  return async function refresh(request) {
    let token: string | undefined;
    try {
      token = refreshTokenOf(cookie, request);
      if (token === undefined) throw new ApoJwtError('ERR_TOKEN_MISSING', 'no refresh token cookie');
      return tokenResponse(apo, cookie, await apo.rotate(token, issue));
    } catch (error) {
      // A refused refresh token is of no further use to the client.
      return authErrorResponse(error, token === undefined ? [] : [cookie.clear()], apo.realm);
    }
  };
}

export function refreshTokenOf(cookie: RefreshCookie, request: RefreshRequest | undefined): string | undefined {
  return typeof request?.refreshToken === 'string' && request.refreshToken.length > 0 ? request.refreshToken : cookie.read(request?.cookieHeader);
}

export function respondingTemplate(apo: GuardEngine, what: string): RespondingTemplate {
  const template = apo.template;
  if (template?.respond === undefined) throw new ApoJwtConfigError(`${what} needs a template with respond() (express, koa)`);
  return template as RespondingTemplate;
}

/**
 * Sends an endpoint's answer through the template. Errors go to the framework
 * when the app asked for that (a custom exceptionHandler, or the template's
 * `errors: 'next' | 'throw'`); otherwise the answer is sent with its Set-Cookie.
 */
export function sendAuthResponse(apo: GuardEngine, template: RespondingTemplate, args: unknown[], answer: AuthResponse): unknown {
  const toFramework = template.frameworkErrors === true || apo.exceptionHandler !== template.exceptionHandler;
  if (answer.error !== undefined && toFramework) return rejectWith(apo as never, answer.error, args);
  const headers = answer.cookies.length > 0 ? { ...answer.headers, 'Set-Cookie': answer.cookies } : answer.headers;
  return template.respond(args, answer.status, headers, answer.body);
}

/** The refresh handler as template middleware: the token comes from the instance's refreshFinder. */
export function refreshMiddleware(apo: RotatingEngine, template: RespondingTemplate, handler: RefreshHandler): Middleware {
  return async function refresh(...args: unknown[]): Promise<unknown> {
    let answer: AuthResponse;
    try {
      const finder = apo.refreshFinder;
      if (finder === undefined) throw new ApoJwtConfigError('no refreshFinder: pass a template or refreshFinder to createApoJwt');
      const refreshToken = await finder(...args);
      answer = await handler(refreshToken === undefined ? {} : { refreshToken });
    } catch (error) {
      answer = authErrorResponse(error, [], apo.realm);
    }
    return sendAuthResponse(apo, template, args, answer);
  };
}

/** `apo.refreshEndpoint(options)`: the refresh endpoint alone; unexpected errors reach Express's `next(err)`. */
export function refreshEndpoint(apo: RotatingEngine, options: RefreshEndpointOptions = {}): Middleware {
  if (!apo.refreshEnabled) throw new ApoJwtConfigError('refreshEndpoint needs refresh tokens: pass refresh to createApoJwt');
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('auth endpoint options must be an object');
  knownKeys('auth endpoint', options, ['cookie', 'issue']);
  if (options.issue !== undefined && typeof options.issue !== 'function') throw new ApoJwtConfigError('refreshEndpoint: issue must be a function');
  const template = respondingTemplate(apo, 'the refresh endpoint');
  const cookie = refreshCookie({ ...options.cookie, name: options.cookie?.name ?? template.refreshCookie });
  const refresh = refreshMiddleware(apo, template, createRefreshHandler(apo, cookie, options.issue as IssueFromRefresh | undefined));
  return (...args: unknown[]) => nextOnRejection(refresh(...args) as Promise<unknown>, args);
}
