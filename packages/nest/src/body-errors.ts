import { ApoJwtError, authErrorResponse } from '@apojwt/core';
import type { HttpAdapterHost } from '@nestjs/core';
import { sendAnswer } from './reply.js';

type ErrorMiddleware = (error: unknown, request: { method?: unknown; path?: unknown }, response: unknown, next: (error: unknown) => void) => void;

/**
 * Express parses JSON before any route runs, and Nest answers a body that is
 * not JSON with a 400 carrying JSON.parse's message, which quotes the body
 * (a password included). For apojwt's own POST routes that read a body
 * (login, the account routes) such a body gets core's ERR_BODY_INVALID
 * answer instead, like any other bad body. Called at module init: after
 * Nest's routes (an error skips them) and before Nest's own error handler.
 * Fastify parses after routing and answers with a fixed sentence, never the
 * body: nothing to do there.
 */
export function answerUnparsableBodies(adapterHost: HttpAdapterHost | undefined, postPaths: readonly string[]): void {
  if (adapterHost?.httpAdapter?.getType() !== 'express' || postPaths.length === 0) return;
  // The path as the app mounts it: under a global prefix, it ends with the route's own path.
  const isOwnRoute = (path: unknown) => typeof path === 'string' && postPaths.some((own) => path === own || path.endsWith(own));
  const handler: ErrorMiddleware = (error, request, response, next) => {
    if (isJsonParseFailure(error) && request.method === 'POST' && isOwnRoute(request.path)) {
      sendAnswer(adapterHost, response, authErrorResponse(new ApoJwtError('ERR_BODY_INVALID', 'the body is not valid JSON'), [], undefined));
      return;
    }
    next(error);
  };
  adapterHost.httpAdapter.use(handler);
}

/** body-parser's refusal of a body that is not JSON (or not an object or array, in its strict mode). */
function isJsonParseFailure(error: unknown): boolean {
  return error instanceof SyntaxError && (error as { type?: unknown }).type === 'entity.parse.failed';
}
