import type { Middleware as KoaMiddleware } from 'koa';
import { jwksResponse, type JwkSet, type JwksResponseOptions } from '@apojwt/core';

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
