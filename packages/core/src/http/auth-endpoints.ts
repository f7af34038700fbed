import { ApoJwtConfigError, isApoJwtError } from '../errors.js';
import type { CreateTokenInput } from '../issuer.js';
import type { RefreshClaims } from '../claims.js';
import type { AnyApoJwt } from '../decorators/default-instance.js';
import { nextOnRejection, type Middleware } from '../decorators/middleware.js';
import type { IncomingMessage } from 'node:http';
import type { Finder, Template } from '../template.js';
import { rejectWith } from '../decorators/guard.js';
import { authErrorResponse, createAuthHandlers, type AuthResponse } from '../credentials/auth-handlers.js';
import type { LoginFunction } from '../credentials/login.js';
import type { RefreshCookieOptions } from './refresh-cookie.js';
import { bodyLimitOption, readJsonBody } from './json-body.js';
import { knownKeys } from '../validate.js';

/**
 * The auth endpoints as framework middleware, over the instance's template.
 * Translation only: the template says where the request's body, IP and
 * tokens are and how to send an answer; every decision (body shape,
 * credentials, rotation, revocation, cookie, status) is made by
 * `createAuthHandlers`, the one implementation.
 */

export interface AuthEndpointsOptions<P extends string = string, D extends object = object, R extends object = object> {
  /** The refresh cookie. Its name defaults to the template's `refreshCookie` (what its refreshFinder reads); Path to `/auth`. */
  cookie?: RefreshCookieOptions;
  /**
   * Contents of a rotated pair; look the user's current permissions up here.
   * Default: same subject and refresh data, no permissions.
   */
  issue?: (claims: RefreshClaims<R>) => CreateTokenInput<P, D, R> | Promise<CreateTokenInput<P, D, R>>;
  /** The login function; default `apo.login` (configure it with the `login` option or `configLogin`). */
  login?: LoginFunction<boolean>;
  /** Largest login body read when no body parser ran, in bytes; default 16 KiB (larger: 413). */
  bodyLimit?: number;
}

/** Kept for the refresh endpoint's documented option name. */
export type RefreshEndpointOptions<P extends string = string, D extends object = object, R extends object = object> = AuthEndpointsOptions<P, D, R>;

/** What login and refresh answer: the access token; the refresh token only in its cookie. */
export interface RefreshResponseBody {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export interface AuthEndpoints {
  /** POST, JSON body `{ username, password }` → 200 + refresh cookie. Needs a template with `request()` (reading it without throws ApoJwtConfigError). */
  readonly login: Middleware;
  /** POST, refresh cookie → 200, rotated cookie. Needs refresh tokens (reading it without throws ApoJwtConfigError). */
  readonly refresh: Middleware;
  /** POST → 204: the refresh family and the presented access token revoked, the cookie cleared. */
  readonly logout: Middleware;
}

/** The request parts the endpoints read (a template's `request`). */
export interface TemplateRequest {
  /** Node's request, for reading the body when no body parser ran. */
  req: IncomingMessage;
  /** The client IP (Express `req.ip`, Koa `ctx.ip`): the app's proxy settings decide it. */
  ip: string | undefined;
  /** The parsed body when a body parser ran (Express `req.body`, Koa `ctx.request.body`), else undefined. */
  body: unknown;
}

function respondingTemplate(apo: AnyApoJwt, what: string): Template & Required<Pick<Template, 'respond'>> {
  const template = apo.template;
  if (template?.respond === undefined) throw new ApoJwtConfigError(`${what} needs a template with respond() (express, koa)`);
  return template as Template & Required<Pick<Template, 'respond'>>;
}

/** A credential the client sent, or undefined when absent or unreadable (logout clears the cookie whatever it got). */
async function quietly(finder: Finder | undefined, args: unknown[]): Promise<string | undefined> {
  if (finder === undefined) return undefined;
  try {
    return await finder(...args);
  } catch (error) {
    if (isApoJwtError(error)) return undefined;
    throw error;
  }
}

export function authEndpoints(apo: AnyApoJwt, options: AuthEndpointsOptions = {}): AuthEndpoints {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('auth endpoint options must be an object');
  knownKeys('auth endpoint', options, ['cookie', 'issue', 'login', 'bodyLimit']);
  const template = respondingTemplate(apo, 'the auth endpoints');
  const limit = bodyLimitOption(options.bodyLimit);
  const handlers = createAuthHandlers({
    apo: apo as never,
    ...(options.login !== undefined && { login: options.login }),
    ...(options.issue !== undefined && { issue: options.issue as never }),
    cookie: { ...options.cookie, name: options.cookie?.name ?? template.refreshCookie },
  });
  const realm = apo.realm;
  // Errors go to the framework when the app asked for that (a custom
  // exceptionHandler, or the template's `errors: 'next' | 'throw'`);
  // otherwise the handlers' own answer is sent, with its Set-Cookie.
  const toExceptionHandler = (): boolean => template.frameworkErrors === true || apo.exceptionHandler !== template.exceptionHandler;

  const send = (args: unknown[], answer: AuthResponse): unknown => {
    if (answer.error !== undefined && toExceptionHandler()) return rejectWith(apo, answer.error, args);
    const headers = answer.cookies.length > 0 ? { ...answer.headers, 'Set-Cookie': answer.cookies } : answer.headers;
    return template.respond(args, answer.status, headers, answer.body);
  };

  async function login(...args: unknown[]): Promise<unknown> {
    const { req, ip, body } = (template.request as NonNullable<Template['request']>)(args);
    let answer: AuthResponse;
    try {
      const parsed = body !== undefined ? body : await readJsonBody(req, { limit });
      answer = await handlers.login({ body: parsed, ...(typeof ip === 'string' && { ip }) });
    } catch (error) {
      answer = authErrorResponse(error, [], realm);
    }
    return send(args, answer);
  }

  async function refresh(...args: unknown[]): Promise<unknown> {
    let answer: AuthResponse;
    try {
      const refreshToken = await findRefresh(args);
      answer = await handlers.refresh(refreshToken === undefined ? {} : { refreshToken });
    } catch (error) {
      answer = authErrorResponse(error, [], realm);
    }
    return send(args, answer);
  }

  async function logout(...args: unknown[]): Promise<unknown> {
    const refreshToken = await quietly(apo.refreshFinder, args);
    const accessToken = await quietly(apo.tokenFinder, args);
    const answer = await handlers.logout({ ...(refreshToken !== undefined && { refreshToken }), ...(accessToken !== undefined && { accessToken }) });
    return send(args, answer);
  }

  const findRefresh = async (args: unknown[]): Promise<string | undefined> => {
    const finder = apo.refreshFinder;
    if (finder === undefined) throw new ApoJwtConfigError('no refreshFinder: pass a template or refreshFinder to createApoJwt');
    return finder(...args);
  };

  return Object.freeze({
    logout,
    get login(): Middleware {
      if (template.request === undefined) throw new ApoJwtConfigError('the login endpoint needs a template with request() (express, koa)');
      return login;
    },
    get refresh(): Middleware {
      if (!apo.refreshEnabled) throw new ApoJwtConfigError('the refresh endpoint needs refresh tokens: pass refresh to createApoJwt');
      return refresh;
    },
  });
}

/** `apo.refreshEndpoint(options)`: the refresh endpoint alone. */
export function refreshEndpoint(apo: AnyApoJwt, options: AuthEndpointsOptions = {}): Middleware {
  if (!apo.refreshEnabled) throw new ApoJwtConfigError('refreshEndpoint needs refresh tokens: pass refresh to createApoJwt');
  if (options?.issue !== undefined && typeof options.issue !== 'function') throw new ApoJwtConfigError('refreshEndpoint: issue must be a function');
  const refresh = authEndpoints(apo, options).refresh;
  return (...args: unknown[]) => nextOnRejection(refresh(...args) as Promise<unknown>, args);
}

