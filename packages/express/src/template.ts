import {
  DEFAULT_REFRESH_COOKIE,
  checkTemplateOptions,
  findBearerToken,
  findCookie,
  toHttpErrorResponse,
  type ApoJwtError,
  type InjectedValues,
  type Template,
} from '@apojwt/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
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

type Req = IncomingMessage & Record<string, unknown>;
type Res = ServerResponse & { status(code: number): Res; set(headers: Record<string, string | string[]>): Res; json(body: unknown): unknown; end(): unknown };
type Next = (error?: unknown) => void;

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
    tokenFinder: (req: Req) => findBearerToken(req.rawHeaders, bearer),
    refreshFinder: (req: Req) => findCookie(req.rawHeaders, refreshCookie),
    exceptionHandler(this: { realm?: string } | undefined, error: ApoJwtError, _req: Req, res: Res, next: Next): void {
      const answer = toHttpErrorResponse(error, this?.realm);
      if (toFramework) {
        // Express's final handler reads `status` (already on the error) and `headers`.
        Object.defineProperty(error, 'headers', { value: answer.headers, configurable: true });
        Object.defineProperty(error, 'expose', { value: true, configurable: true });
        return next(error);
      }
      res.status(answer.status).set(answer.headers).json(answer.body);
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
