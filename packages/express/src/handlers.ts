import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { authEndpoints, jwksResponse, type ApoJwt, type AuthEndpointsOptions, type JwkSet, type JwksResponseOptions, type Middleware } from '@apojwt/core';

/** The ready-made auth endpoints as Express handlers. */
export interface ExpressAuthHandlers {
  /** POST JSON `{ username, password }` → 200 `{ accessToken, tokenType, expiresIn }` + refresh cookie. */
  readonly login: RequestHandler;
  /** POST with the refresh cookie → 200, rotated cookie. Reading it without refresh tokens configured throws ApoJwtConfigError. */
  readonly refresh: RequestHandler;
  /** POST → 204: refresh family and presented access token revoked, cookie cleared. */
  readonly logout: RequestHandler;
}

/** Express 4 ignores rejected promises: anything unexpected (a failing user lookup) goes to `next(err)`. */
function toHandler(endpoint: Middleware): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    Promise.resolve(endpoint(req, res, next)).catch(next);
  };
}

/**
 * Login, refresh and logout for an Express app, over the instance's template
 * (`template: 'express'`). Translation only: core's `createAuthHandlers`
 * decides every answer. The login body is `req.body` when a body parser ran,
 * otherwise read here (JSON, at most `bodyLimit` bytes).
 */
export function authHandlers<P extends string, D extends object, R extends object>(
  apo: ApoJwt<P, D, R, boolean>,
  options?: AuthEndpointsOptions<P, D, R>,
): ExpressAuthHandlers {
  const endpoints = authEndpoints(apo, options as AuthEndpointsOptions | undefined);
  const login = toHandler(endpoints.login);
  const logout = toHandler(endpoints.logout);
  let refresh: RequestHandler | undefined;
  return Object.freeze({
    login,
    logout,
    // Built when first read: without refresh tokens configured, reading it throws ApoJwtConfigError.
    get refresh(): RequestHandler {
      refresh ??= toHandler(endpoints.refresh);
      return refresh;
    },
  });
}

/**
 * Serves the public JWK Set (`apo.jwks()`, a KeyRing, or a set) with its
 * Cache-Control, at whatever path the app mounts it on, normally
 * `/.well-known/jwks.json`. The set is read on each request, so a key
 * rotation shows at once (subject to the cache lifetime).
 */
export function jwksHandler(source: JwkSet | { jwks(): JwkSet }, options: JwksResponseOptions = {}): RequestHandler {
  jwksResponse(source, options); // at setup: bad options, or an instance with no public keys (HS), fail here
  return (_req: Request, res: Response, next: NextFunction) => {
    try {
      const answer = jwksResponse(source, options);
      res.status(answer.status).set(answer.headers).json(answer.body);
    } catch (error) {
      next(error);
    }
  };
}
