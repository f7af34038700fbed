import type { IncomingMessage } from 'node:http';
import {
  ApoJwtConfigError,
  authErrorResponse,
  isApoJwtError,
  refreshMiddleware,
  respondingTemplate,
  sendAuthResponse,
  type AnyApoJwt,
  type AuthResponse,
  type Finder,
  type LoginFunction,
  type Middleware,
  type RefreshEndpointOptions,
  type Template,
} from '@apojwt/core';
import { createAuthHandlers } from './auth-handlers.js';
import { bodyLimitOption, readJsonBody } from './json-body.js';
import { knownKeys } from '@apojwt/core';

/**
 * The auth endpoints as framework middleware, over the instance's template.
 * Translation only: the template says where the request's body, IP and
 * tokens are and how to send an answer; every decision (body shape,
 * credentials, rotation, revocation, cookie, status) is made by
 * `createAuthHandlers`, the one implementation.
 */

export interface AuthEndpointsOptions<P extends string = string, D extends object = object, R extends object = object> extends RefreshEndpointOptions<P, D, R> {
  /** The login function; default `apo.login` (configure it with the `login` option or `configLogin`). */
  login?: LoginFunction<boolean>;
  /** Largest login body read when no body parser ran, in bytes; default 16 KiB (larger: 413). */
  bodyLimit?: number;
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
    apo,
    ...(options.login !== undefined && { login: options.login }),
    ...(options.issue !== undefined && { issue: options.issue }),
    cookie: { ...options.cookie, name: options.cookie?.name ?? template.refreshCookie },
  });
  const realm = apo.realm;
  const send = (args: unknown[], answer: AuthResponse): unknown => sendAuthResponse(apo, template, args, answer);
  const refresh = refreshMiddleware(apo, template, handlers.refresh);

  async function login(...args: unknown[]): Promise<unknown> {
    const { req, ip, body } = (template.request as NonNullable<Template['request']>)(args);
    let answer: AuthResponse;
    try {
      const parsed = body !== undefined ? body : await readJsonBody(req, { limit });
      const userAgent = req.headers['user-agent'];
      answer = await handlers.login({ body: parsed, ...(typeof ip === 'string' && { ip }), ...(typeof userAgent === 'string' && { userAgent }) });
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

  return Object.freeze({
    logout,
    get login(): Middleware {
      if (template.request === undefined) throw new ApoJwtConfigError('the login endpoint needs a template with request() (express, koa)');
      // Said where the route is mounted, not by a 500 at the first login.
      if (options.login === undefined && !apo.loginEnabled) {
        throw new ApoJwtConfigError(
          'the login endpoint needs a login: pass `login: passwordLogin({ getUser })` to createApoJwt, call apo.configLogin(...), or pass authHandlers(apo, { login })',
        );
      }
      return login;
    },
    get refresh(): Middleware {
      if (!apo.refreshEnabled) throw new ApoJwtConfigError('the refresh endpoint needs refresh tokens: pass refresh to createApoJwt');
      return refresh;
    },
  });
}
