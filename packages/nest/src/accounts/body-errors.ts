import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApoJwtError, authErrorResponse } from '@apojwt/core';
import { sendAnswer } from '../reply.js';
import { ACCOUNT_ROUTES } from './controllers.js';
import type { AccountRouteMap } from './options.js';

type ErrorMiddleware = (error: unknown, request: { method?: unknown; path?: unknown }, response: unknown, next: (error: unknown) => void) => void;

/**
 * Express parses JSON before any route runs, and Nest answers a body that is
 * not JSON with a 400 carrying JSON.parse's message, which quotes the body
 * (a password included). For the account routes that read a body, such a
 * body gets core's ERR_BODY_INVALID answer instead, like any other bad body.
 * Registered at module init: after Nest's routes (an error skips them) and
 * before Nest's own error handler. Fastify parses after routing and answers
 * with a fixed sentence, never the body: nothing to do there.
 */
@Injectable()
export class AccountBodyErrors implements OnModuleInit {
  constructor(
    @Inject(ACCOUNT_ROUTES) private readonly routes: AccountRouteMap,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const adapterHost = this.adapterHost;
    if (adapterHost?.httpAdapter?.getType() !== 'express') return;
    const bodyPaths = [...this.routes.values()].filter((route) => route.readsBody && route.method === 'POST').map((route) => route.path);
    // The path as the app mounts it: under a global prefix, it ends with the table's path.
    const isAccountRoute = (path: unknown) => typeof path === 'string' && bodyPaths.some((own) => path === own || path.endsWith(own));
    const handler: ErrorMiddleware = (error, request, response, next) => {
      if (isJsonParseFailure(error) && request.method === 'POST' && isAccountRoute(request.path)) {
        sendAnswer(adapterHost, response, authErrorResponse(new ApoJwtError('ERR_BODY_INVALID', 'the body is not valid JSON'), [], undefined));
        return;
      }
      next(error);
    };
    adapterHost.httpAdapter.use(handler);
  }
}

/** body-parser's refusal of a body that is not JSON (or not an object or array, in its strict mode). */
function isJsonParseFailure(error: unknown): boolean {
  return error instanceof SyntaxError && (error as { type?: unknown }).type === 'entity.parse.failed';
}
