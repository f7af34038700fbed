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
import { IncomingMessage, ServerResponse } from 'node:http';
import { attachToRequest } from './attach.js';

export interface ExpressTemplateOptions {
  /** Registered name; default 'express'. */
  name?: string;
  /** Also accept the access token from this cookie (header and cookie must agree). Default: header only. */
  cookie?: string;
  /** The refresh token's httpOnly cookie. Default `apojwt_refresh`. */
  refreshCookie?: string;
  /** 'respond' (default): answer the error here. 'next': call `next(err)` and let the app's error handler answer. */
  errors?: 'respond' | 'next';
}

type Req = IncomingMessage & Record<string, unknown> & { next?: Next };
type Res = ServerResponse & { status(code: number): Res; set(headers: Record<string, string | string[]>): Res; json(body: unknown): unknown; end(): unknown };
type Next = (error?: unknown) => void;

const isNodeRequest = instanceTest(IncomingMessage);
const isNodeResponse = instanceTest(ServerResponse);

/** The Express binding: where the token is, where claims go, how an error is answered. Status and body come from core. */
export function expressTemplate(options: ExpressTemplateOptions = {}): Template {
  checkTemplateOptions(options, ['respond', 'next']);
  const bearer = { cookie: options.cookie };
  const refreshCookie = options.refreshCookie ?? DEFAULT_REFRESH_COOKIE;
  const toFramework = options.errors === 'next';
  return Object.freeze({
    name: options.name ?? 'express',
    refreshCookie,
    frameworkErrors: toFramework,
    tokenFinder: bearerTokenFinder((req: Req) => req.rawHeaders, bearer),
    refreshFinder: (req: Req) => findCookie(req.rawHeaders, refreshCookie),
    requestHeaders: (args: readonly unknown[]) => (args[0] as Req).rawHeaders,
    exceptionHandler(this: { realm?: string } | undefined, error: ApoJwtError, req: Req, res: Res, next: Next): void {
      // Express's final handler reads `status` and `headers` from the error.
      if (toFramework) return nextOf(req, next)?.(frameworkError(error, this?.realm));
      const answer = toHttpErrorResponse(error, this?.realm);
      res.status(answer.status).set(answer.headers).json(answer.body);
    },
    handlerArguments: '(req, res, next)',
    routeOf: (args: readonly unknown[]) => {
      const req = args[0] as { method?: string; baseUrl?: string; route?: { path?: unknown } };
      return typeof req.route?.path === 'string' ? `${req.method} ${req.baseUrl ?? ''}${req.route.path}` : undefined;
    },
    isRequest: (args: readonly unknown[]) => isNodeRequest(args[0]) && isNodeResponse(args[1]),
    handlerError(args: readonly unknown[], error: unknown): boolean {
      const next = nextOf(args[0] as Req, args[2]);
      if (next === undefined) return false;
      next(error);
      return true;
    },
    attach(args: readonly unknown[], values: InjectedValues): void {
      attachToRequest(args[0] as Req, values);
    },
    respond(args: readonly unknown[], status: number, headers: Record<string, string | string[]>, body: unknown): void {
      const res = (args[1] as Res).status(status).set(headers);
      if (body === undefined) res.end();
      else res.json(body);
    },
    // `req.ip` follows the app's `trust proxy`; `req.body` is set only when a body parser ran.
    request(args: readonly unknown[]) {
      const req = args[0] as Req & { ip?: string; body?: unknown };
      return { req, ip: req.ip, body: req.body };
    },
  });
}

/**
 * The route's `next`: the one passed, or the one Express (4 and 5) keeps on
 * `req.next` when a route calls `(req, res) => controller.method(req, res)`.
 */
function nextOf(req: Req, passed: unknown): Next | undefined {
  if (typeof passed === 'function') return passed as Next;
  return typeof req.next === 'function' ? req.next : undefined;
}
