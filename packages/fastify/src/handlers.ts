import { jwksResponse, type JwkSet, type JwksResponseOptions } from '@apojwt/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A Fastify route handler: `fastify.get(path, handler)`. */
export type ApoRouteHandler = (request: FastifyRequest, reply: FastifyReply) => FastifyReply | Promise<FastifyReply>;

/**
 * Serves the public JWK Set (`apo.jwks()`, a KeyRing, or a set) with its
 * Cache-Control, at whatever path the app routes to it, normally
 * `/.well-known/jwks.json`. Read on each request, so a key rotation shows at
 * once (subject to the cache lifetime).
 */
export function jwksHandler(source: JwkSet | { jwks(): JwkSet }, options: JwksResponseOptions = {}): ApoRouteHandler {
  jwksResponse(source, options); // at setup: bad options, or an instance with no public keys (HS), fail here
  return (_request, reply) => {
    const answer = jwksResponse(source, options);
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  };
}
