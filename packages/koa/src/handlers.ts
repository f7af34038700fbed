import type { Middleware as KoaMiddleware } from 'koa';
import { authEndpoints, jwksResponse, type ApoJwt, type AuthEndpointsOptions, type JwkSet, type JwksResponseOptions } from '@apojwt/core';

/** The ready-made auth endpoints as Koa middleware. */
export interface KoaAuthHandlers {
  /** POST JSON `{ username, password }` → 200 `{ accessToken, tokenType, expiresIn }` + refresh cookie. */
  readonly login: KoaMiddleware;
  /** POST with the refresh cookie → 200, rotated cookie. Reading it without refresh tokens configured throws ApoJwtConfigError. */
  readonly refresh: KoaMiddleware;
  /** POST → 204: refresh family and presented access token revoked, cookie cleared. */
  readonly logout: KoaMiddleware;
}

/**
 * Login, refresh and logout for a Koa app, over the instance's template
 * (`template: 'koa'`). Translation only: core's `createAuthHandlers` decides
 * every answer. The login body is `ctx.request.body` when a body parser ran,
 * otherwise read here (JSON, at most `bodyLimit` bytes). Each is an endpoint:
 * it answers and does not call `next`.
 */
export function authHandlers<P extends string, D extends object, R extends object>(
  apo: ApoJwt<P, D, R, boolean>,
  options?: AuthEndpointsOptions<P, D, R>,
): KoaAuthHandlers {
  const endpoints = authEndpoints(apo, options as AuthEndpointsOptions | undefined);
  return endpoints as KoaAuthHandlers;
}

/**
 * Serves the public JWK Set (`apo.jwks()`, a KeyRing, or a set) with its
 * Cache-Control, at whatever path the app routes to it, normally
 * `/.well-known/jwks.json`. Read on each request, so a key rotation shows at
 * once (subject to the cache lifetime).
 */
export function jwksHandler(source: JwkSet | { jwks(): JwkSet }, options: JwksResponseOptions = {}): KoaMiddleware {
  jwksResponse(source, options); // at setup: bad options, or an instance with no public keys (HS), fail here
  return (ctx) => {
    const answer = jwksResponse(source, options);
    ctx.status = answer.status;
    ctx.set(answer.headers);
    ctx.body = answer.body;
  };
}
