import { ApoJwtError, authErrorResponse } from '@apojwt/core';
import type { HttpAdapterHost } from '@nestjs/core';
import { sendAnswer } from './reply.js';

type ErrorMiddleware = (error: unknown, request: { method?: unknown; path?: unknown }, response: unknown, next: (error: unknown) => void) => void;
type FastifyErrorHandler = (this: unknown, error: unknown, request: { method?: unknown; url?: unknown }, reply: unknown) => unknown;
interface FastifyInstanceLike {
  errorHandler: FastifyErrorHandler;
  setErrorHandler(handler: FastifyErrorHandler): unknown;
}

/**
 * Both platforms parse a body before any route runs, and a body they cannot
 * parse is then answered by Nest: on Express with a 400 carrying
 * JSON.parse's message, which quotes the body (a password included), and a
 * 413 of its own; on Fastify with its parser's sentence and a 415 for a
 * body that is not JSON. For apojwt's own POST routes that read a body
 * (login, the account routes) such a body gets core's answer instead, as on
 * every other adapter: ERR_BODY_INVALID (400), or ERR_BODY_TOO_LARGE (413).
 * Every other route and error goes on to the app's and Nest's handling.
 *
 * Express: an error middleware, added at module init (after Nest's routes,
 * which an error skips; before Nest's own error handler). Fastify: its error
 * handler wraps Nest's, once Nest has set it (application bootstrap, before
 * the app listens).
 */
export function answerUnparsableBodies(adapterHost: HttpAdapterHost | undefined, postPaths: readonly string[]): void {
  if (adapterHost?.httpAdapter?.getType() !== 'express' || postPaths.length === 0) return;
  const isOwnRoute = ownRoutes(postPaths);
  const handler: ErrorMiddleware = (error, request, response, next) => {
    const refusal = request.method === 'POST' && isOwnRoute(request.path) ? expressBodyRefusal(error) : undefined;
    if (refusal === undefined) return next(error);
    sendAnswer(adapterHost, response, authErrorResponse(refusal, [], undefined));
  };
  adapterHost.httpAdapter.use(handler);
}

/** The Fastify half of {@link answerUnparsableBodies}: call it once Nest set its error handler (onApplicationBootstrap). */
export function answerUnparsableBodiesOnFastify(adapterHost: HttpAdapterHost | undefined, postPaths: readonly string[]): void {
  if (adapterHost?.httpAdapter?.getType() !== 'fastify' || postPaths.length === 0) return;
  const instance = adapterHost.httpAdapter.getInstance<FastifyInstanceLike>();
  const isOwnRoute = ownRoutes(postPaths);
  const nests = instance.errorHandler;
  instance.setErrorHandler(function (this: unknown, error, request, reply) {
    const path = typeof request.url === 'string' ? request.url.split('?')[0] : undefined;
    const refusal = request.method === 'POST' && isOwnRoute(path) ? fastifyBodyRefusal(error) : undefined;
    if (refusal === undefined) return nests.call(this, error, request, reply);
    sendAnswer(adapterHost, reply, authErrorResponse(refusal, [], undefined));
    return undefined;
  });
}

/** The path as the app mounts it: under a global prefix, it ends with the route's own path. */
function ownRoutes(postPaths: readonly string[]): (path: unknown) => boolean {
  return (path) => typeof path === 'string' && postPaths.some((own) => path === own || path.endsWith(own));
}

/** body-parser's refusals: a body that is not JSON (or not an object or array, in its strict mode), or one over the limit. */
function expressBodyRefusal(error: unknown): ApoJwtError | undefined {
  const type = (error as { type?: unknown } | null)?.type;
  if (error instanceof SyntaxError && type === 'entity.parse.failed') return new ApoJwtError('ERR_BODY_INVALID', 'the body is not valid JSON');
  if (type === 'entity.too.large') return new ApoJwtError('ERR_BODY_TOO_LARGE', 'the body is too large');
  return undefined;
}

/** Fastify's content-type parser refusals (FST_ERR_CTP_*): too large, or anything else about the body (not JSON, empty, another media type). */
function fastifyBodyRefusal(error: unknown): ApoJwtError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('FST_ERR_CTP_')) return undefined;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ApoJwtError('ERR_BODY_TOO_LARGE', 'the body is too large');
  return new ApoJwtError('ERR_BODY_INVALID', 'the body must be a JSON object');
}
