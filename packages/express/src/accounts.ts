import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { ApoJwtConfigError, authErrorResponse, knownKeys, type AuthResponse } from '@apojwt/core';
import { DEFAULT_BODY_LIMIT, readJsonBody } from '@apojwt/auth';
import { listAccountRoutes, type AccountEndpoints, type AccountRoute } from '@apojwt/postgres';

// `@apojwt/express/accounts`: the ready-made account routes of @apojwt/postgres
// on Express, apart from the main entry so that a service that only verifies
// tokens never loads @apojwt/postgres. Which path does what and every answer
// is decided by `listAccountRoutes`; this file only translates.

/** What the routes are registered on: a Router (the default, a new one) or an app, of Express 4 or 5. */
export interface AccountRouteTarget {
  get(path: string, handler: RequestHandler): unknown;
  post(path: string, handler: RequestHandler): unknown;
  delete(path: string, handler: RequestHandler): unknown;
}

export interface AccountRoutesOptions {
  /**
   * Largest JSON body read when no body parser ran, in bytes (default 16 KiB,
   * as the login endpoint); a larger one is 413 ERR_BODY_TOO_LARGE.
   */
  bodyLimit?: number;
  /**
   * Register the routes here instead of on a new `Router()` of the `express`
   * this package resolves: the app's own Router (`express.Router()`) when
   * two copies of Express are installed, or the app itself.
   */
  router?: AccountRouteTarget;
}

/**
 * Every route of `listAccountRoutes(endpoints)` (register, email
 * verification, password reset and change, sessions, two-step login, 2FA
 * enrolment) on an Express Router: `app.use(accountRoutes({ accounts, twoFactor }))`.
 * The body is `req.body` when a body parser ran, else read here (JSON, at
 * most `bodyLimit` bytes); the client IP is `req.ip` (the app's `trust proxy`
 * setting applies).
 */
export function accountRoutes(endpoints: AccountEndpoints, options?: Omit<AccountRoutesOptions, 'router'>): Router;
/** The routes registered on the given Router or app, which is returned. */
export function accountRoutes<T extends AccountRouteTarget>(endpoints: AccountEndpoints, options: AccountRoutesOptions & { router: T }): T;
export function accountRoutes(endpoints: AccountEndpoints, options: AccountRoutesOptions = {}): AccountRouteTarget {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('accountRoutes: options must be an object');
  knownKeys('accountRoutes', options, ['bodyLimit', 'router']);
  const limit = bodyLimitOf(options.bodyLimit);
  if (options.router !== undefined && !isTarget(options.router)) throw new ApoJwtConfigError('accountRoutes: router must be an Express Router or app');
  const routes = listAccountRoutes(endpoints);
  const target = options.router ?? Router();
  for (const route of routes) {
    const handler = toHandler(route, limit);
    if (route.method === 'GET') target.get(route.path, handler);
    else if (route.method === 'POST') target.post(route.path, handler);
    else target.delete(route.path, handler);
  }
  return target;
}

function isTarget(value: unknown): value is AccountRouteTarget {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const target = value as Record<string, unknown>;
  return typeof target['get'] === 'function' && typeof target['post'] === 'function' && typeof target['delete'] === 'function';
}

/** The login endpoint's rule (@apojwt/auth), checked here so that a bad option fails at setup, not at the first request. */
function bodyLimitOf(limit: unknown): number {
  if (limit === undefined) return DEFAULT_BODY_LIMIT;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1024 * 1024) {
    throw new ApoJwtConfigError('accountRoutes: bodyLimit must be a whole number of bytes from 1 to 1048576');
  }
  return limit;
}

function toHandler(route: AccountRoute, limit: number): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    // Express 4 ignores a rejected promise: anything unexpected goes to next(err).
    answer(route, req, limit)
      .then((response) => send(res, response))
      .catch(next);
  };
}

async function answer(route: AccountRoute, req: Request, limit: number): Promise<AuthResponse> {
  let body: unknown;
  if (route.readsBody) {
    try {
      body = req.body !== undefined ? (req.body as unknown) : await readJsonBody(req, { limit });
    } catch (error) {
      // A malformed or oversized body: its typed answer (400, 413), before any handler runs.
      return authErrorResponse(error, [], undefined);
    }
  }
  const id = req.params['id'];
  return route.answer({ rawHeaders: req.rawHeaders, body, id: typeof id === 'string' ? id : undefined, ip: req.ip });
}

function send(res: Response, answer: AuthResponse): void {
  res.status(answer.status).set(answer.headers);
  if (answer.cookies.length > 0) res.setHeader('Set-Cookie', [...answer.cookies]);
  if (answer.body === undefined || answer.status === 204) res.end();
  else res.json(answer.body);
}
