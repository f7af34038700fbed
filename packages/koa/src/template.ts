import {
  DEFAULT_REFRESH_COOKIE,
  checkTemplateOptions,
  bearerTokenFinder,
  findCookie,
  frameworkError,
  instanceTest,
  toHttpErrorResponse,
  type ApoJwtError,
  type InjectedValues,
  type Template,
} from '@apojwt/core';
import { IncomingMessage } from 'node:http';

const isNodeRequest = instanceTest(IncomingMessage);

export interface KoaTemplateOptions {
  /** Registered name; default 'koa'. */
  name?: string;
  /** Also accept the access token from this cookie (header and cookie must agree). Default: header only. */
  cookie?: string;
  /** The refresh token's httpOnly cookie. Default `apojwt_refresh`. */
  refreshCookie?: string;
  /** 'respond' (default): answer the error here. 'throw': throw it (with `status`, `expose`, `headers`) to Koa's error handling. */
  errors?: 'respond' | 'throw';
}

interface Ctx {
  req: IncomingMessage;
  ip?: string;
  request?: { body?: unknown };
  state: Record<string, unknown>;
  status: number;
  body: unknown;
  set(headers: Record<string, string | string[]>): void;
}

/** The Koa binding: where the token is, where claims go (`ctx.state`), how an error is answered. Status and body come from core. */
export function koaTemplate(options: KoaTemplateOptions = {}): Template {
  checkTemplateOptions(options, ['respond', 'throw']);
  const bearer = { cookie: options.cookie };
  const refreshCookie = options.refreshCookie ?? DEFAULT_REFRESH_COOKIE;
  const toFramework = options.errors === 'throw';
  return Object.freeze({
    name: options.name ?? 'koa',
    refreshCookie,
    frameworkErrors: toFramework,
    tokenFinder: bearerTokenFinder((ctx: Ctx) => ctx.req.rawHeaders, bearer),
    refreshFinder: (ctx: Ctx) => findCookie(ctx.req.rawHeaders, refreshCookie),
    requestHeaders: (args: readonly unknown[]) => (args[0] as Ctx).req.rawHeaders,
    exceptionHandler(this: { realm?: string } | undefined, error: ApoJwtError, ctx: Ctx): void {
      // Koa's ctx.onerror reads `status`, `expose` and `headers` (as http-errors sets them).
      if (toFramework) throw frameworkError(error, this?.realm);
      const answer = toHttpErrorResponse(error, this?.realm);
      ctx.status = answer.status;
      ctx.set(answer.headers);
      ctx.body = answer.body;
    },
    handlerArguments: '(ctx, next)',
    // @koa/router records the matched pattern on the context.
    routeOf: (args: readonly unknown[]) => {
      const ctx = args[0] as { method?: string; _matchedRoute?: unknown };
      return typeof ctx._matchedRoute === 'string' ? `${ctx.method} ${ctx._matchedRoute}` : undefined;
    },
    isRequest: (args: readonly unknown[]) => isContext(args[0]),
    attach(args: readonly unknown[], values: InjectedValues): void {
      const state = (args[0] as Ctx).state;
      // Only what this request's checks produced, so a second guard adds without erasing.
      if (values.tokenClaims !== undefined) {
        state['tokenData'] = values.tokenData;
        state['tokenSubject'] = values.tokenSubject;
        state['tokenPermissions'] = values.tokenPermissions;
        state['tokenClaims'] = values.tokenClaims;
      }
      if (values.refreshClaims !== undefined) {
        state['refreshData'] = values.refreshData;
        state['refreshClaims'] = values.refreshClaims;
      }
    },
    respond(args: readonly unknown[], status: number, headers: Record<string, string | string[]>, body: unknown): void {
      const ctx = args[0] as Ctx;
      ctx.status = status;
      ctx.set(headers);
      if (body !== undefined) ctx.body = body;
    },
    // `ctx.ip` follows the app's `proxy` setting; `ctx.request.body` is set only when a body parser ran.
    request(args: readonly unknown[]) {
      const ctx = args[0] as Ctx;
      return { req: ctx.req, ip: ctx.ip, body: ctx.request?.body };
    },
  });
}

function isContext(value: unknown): value is Ctx {
  return typeof value === 'object' && value !== null && isNodeRequest((value as Ctx).req) && typeof (value as Ctx).state === 'object';
}
