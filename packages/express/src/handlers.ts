import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { jwksResponse, type JwkSet, type JwksResponseOptions } from '@apojwt/core';

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
