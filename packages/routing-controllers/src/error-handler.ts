import type { ServerResponse } from 'node:http';
import { Middleware } from 'routing-controllers';
import { refusalAnswer } from './answer.js';

type Next = (error?: unknown) => unknown;

/**
 * A global `after` error middleware for routing-controllers' Express driver:
 * answers apojwt's refusals with core's status, RFC 6750 `WWW-Authenticate`
 * challenge and `{ error, message }` body, and passes every other error on to
 * the app's next error handler. Registered first among the `after`
 * middlewares (highest priority), so a refusal is answered before a
 * catch-all handler sees it.
 *
 * It needs `defaultErrorHandler: false`: routing-controllers' default handler
 * answers every error itself, with no way to send the challenge header.
 * The Koa driver ignores this class (it has no `use`); there `ApoJwtRequestScope` answers.
 */
export class ApoJwtErrorHandler {
  error(error: unknown, _request: unknown, response: ServerResponse, next: Next): void {
    const answer = refusalAnswer(error);
    // Already answered (a handler that wrote before failing): Express's own handling closes the connection.
    if (answer === undefined || response.headersSent) {
      next(error);
      return;
    }
    response.statusCode = answer.status;
    for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.end(JSON.stringify(answer.body));
  }
}

Middleware({ type: 'after', priority: Number.MAX_SAFE_INTEGER })(ApoJwtErrorHandler);
