import { Middleware } from 'routing-controllers';
import { runInRequestScope } from '@apojwt/core';
import { refusalAnswer } from './answer.js';

type Next = (error?: unknown) => unknown;

/** What the Koa driver hands a middleware: the parts of Koa's context written here. */
interface KoaContext {
  headerSent: boolean;
  status: number;
  body: unknown;
  set(headers: Record<string, string>): void;
}

/**
 * A global `before` middleware for both drivers. For each request it enters
 * apojwt's request scope with refusals thrown, so a decorated controller
 * method finds the request whatever routing-controllers injects into its
 * parameters (or a service-layer method its caller), and a refusal becomes an
 * error routing-controllers passes on instead of an answer written behind its
 * back (which is what logged ERR_HTTP_HEADERS_SENT).
 *
 * Registered last among the `before` middlewares (lowest priority), so it is
 * the closest to the routes: on Koa, where an error travels back up the
 * middleware chain, it answers a refusal before an app's catch-all handler
 * further out can turn it into a 500. On Express the answer is
 * `ApoJwtErrorHandler`'s, after the routes.
 */
export class ApoJwtRequestScope {
  // Express's driver calls use(request, response, next); Koa's, use(context, next).
  use(...args: unknown[]): unknown {
    const next = args[args.length - 1] as Next;
    if (args.length === 3) return runInRequestScope([args[0], args[1]], () => next(), 'throw');
    return answerRefusals(args[0] as KoaContext, () => runInRequestScope([args[0]], () => next(), 'throw'));
  }
}

async function answerRefusals(ctx: KoaContext, inner: () => unknown): Promise<void> {
  try {
    await inner();
  } catch (error) {
    const answer = refusalAnswer(error);
    if (answer === undefined || ctx.headerSent) throw error;
    ctx.status = answer.status;
    ctx.set(answer.headers);
    ctx.body = answer.body;
  }
}

Middleware({ type: 'before', priority: Number.MIN_SAFE_INTEGER })(ApoJwtRequestScope);
