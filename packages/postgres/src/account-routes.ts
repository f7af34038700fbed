import { ApoJwtConfigError, authErrorResponse, findBearerToken, headerValues, type AuthResponse } from '@apojwt/core';
import type { AccountHandlers, AccountRequest } from './account-handlers.js';
import type { TwoFactorHandlers } from './two-factor-handlers.js';

/**
 * The ready-made account routes, once for every framework: each adapter's
 * `accountRoutes` registers this table on its app and hands each request's
 * plain parts to `AccountRoute.answer`, then copies the `AuthResponse` out.
 * Which path does what, where the token comes from and what every refusal
 * answers is decided here, so the routes answer alike on Express, Koa,
 * Fastify and Nest.
 */

/** The handler sets the routes are made of: give what the app uses. */
export interface AccountEndpoints {
  /** register, the session endpoints and the email/password flows (`createAccountHandlers`). */
  readonly accounts?: AccountHandlers;
  /** The two login steps and 2FA enrolment (`createTwoFactorHandlers`). With it, `POST /auth/login` is the two-step login. */
  readonly twoFactor?: TwoFactorHandlers;
}

/** What a binding finds in the request: nothing is parsed beyond the JSON body. */
export interface AccountRouteInput {
  /** Node's `req.rawHeaders` (the access token and User-Agent are read from it). */
  readonly rawHeaders: readonly string[];
  /** The parsed JSON body, or its text. */
  readonly body?: unknown;
  /** The `:id` route parameter. */
  readonly id?: string | undefined;
  /** The client IP as the framework determined it (its trust-proxy setting applies). */
  readonly ip?: string | undefined;
}

export interface AccountRoute {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** `:id` marks the one parameter, the syntax of Express, Koa routers, Fastify and Nest. */
  readonly path: string;
  /** Whether the route needs the request body. */
  readonly readsBody: boolean;
  answer(input: AccountRouteInput): Promise<AuthResponse>;
}

type Endpoint = (request: AccountRequest) => Promise<AuthResponse>;

interface RouteSpec {
  readonly method: AccountRoute['method'];
  readonly path: string;
  readonly set: keyof AccountEndpoints;
  readonly handler: keyof AccountHandlers | keyof TwoFactorHandlers;
  readonly readsBody: boolean;
}

/** Every route, its handler set and handler. `POST /auth/login` is here only with `twoFactor` (else the auth endpoints' login serves it). */
export const ACCOUNT_ROUTE_TABLE: readonly RouteSpec[] = Object.freeze([
  { method: 'POST', path: '/auth/register', set: 'accounts', handler: 'register', readsBody: true },
  { method: 'POST', path: '/auth/verify-email', set: 'accounts', handler: 'verifyEmail', readsBody: true },
  { method: 'POST', path: '/auth/reset-request', set: 'accounts', handler: 'requestPasswordReset', readsBody: true },
  { method: 'POST', path: '/auth/reset', set: 'accounts', handler: 'resetPassword', readsBody: true },
  { method: 'POST', path: '/auth/login', set: 'twoFactor', handler: 'login', readsBody: true },
  { method: 'POST', path: '/auth/login/otp', set: 'twoFactor', handler: 'completeLogin', readsBody: true },
  { method: 'GET', path: '/account/sessions', set: 'accounts', handler: 'listSessions', readsBody: false },
  { method: 'DELETE', path: '/account/sessions/:id', set: 'accounts', handler: 'revokeSession', readsBody: false },
  { method: 'POST', path: '/account/logout-everywhere', set: 'accounts', handler: 'logoutEverywhere', readsBody: false },
  { method: 'POST', path: '/account/password', set: 'accounts', handler: 'changePassword', readsBody: true },
  { method: 'GET', path: '/account/2fa', set: 'twoFactor', handler: 'status', readsBody: false },
  { method: 'POST', path: '/account/2fa/enrol', set: 'twoFactor', handler: 'enrol', readsBody: false },
  { method: 'POST', path: '/account/2fa/confirm', set: 'twoFactor', handler: 'confirm', readsBody: true },
  { method: 'POST', path: '/account/2fa/disable', set: 'twoFactor', handler: 'disable', readsBody: true },
] satisfies RouteSpec[]);

/**
 * The routes of the given handler sets, ready to register. The endpoints
 * that need `flows` are left out when `createAccountHandlers` got none
 * (they would only answer a set-up error).
 */
export function listAccountRoutes(endpoints: AccountEndpoints): readonly AccountRoute[] {
  if (endpoints === null || typeof endpoints !== 'object' || (endpoints.accounts === undefined && endpoints.twoFactor === undefined)) {
    throw new ApoJwtConfigError('listAccountRoutes needs { accounts } (createAccountHandlers), { twoFactor } (createTwoFactorHandlers), or both');
  }
  for (const name of Object.keys(endpoints)) if (name !== 'accounts' && name !== 'twoFactor') throw new ApoJwtConfigError(`listAccountRoutes: unknown option "${name}"`);
  const routes: AccountRoute[] = [];
  for (const spec of ACCOUNT_ROUTE_TABLE) {
    const set = endpoints[spec.set] as Record<string, unknown> | undefined;
    if (set === undefined) continue;
    const handler = set[spec.handler];
    if (typeof handler !== 'function')
      throw new ApoJwtConfigError(`listAccountRoutes: ${spec.set} must come from ${spec.set === 'accounts' ? 'createAccountHandlers' : 'createTwoFactorHandlers'}`);
    if (spec.set === 'accounts' && needsFlows(spec.handler) && !hasFlows(set)) continue;
    routes.push(Object.freeze({ method: spec.method, path: spec.path, readsBody: spec.readsBody, answer: answerWith(handler.bind(set) as Endpoint) }));
  }
  return Object.freeze(routes);
}

function answerWith(endpoint: Endpoint): AccountRoute['answer'] {
  return async (input: AccountRouteInput) => {
    let accessToken: string | undefined;
    try {
      accessToken = findBearerToken(input.rawHeaders);
    } catch (error) {
      // Two Authorization headers and the like: 400, whichever route it is.
      return authErrorResponse(error, [], undefined);
    }
    const userAgent = headerValues(input.rawHeaders, 'user-agent')[0];
    return endpoint({ body: input.body, accessToken, sessionId: input.id, ip: input.ip, userAgent });
  };
}

const FLOW_HANDLERS = new Set<string>(['verifyEmail', 'requestPasswordReset', 'resetPassword', 'changePassword']);

function needsFlows(handler: string): boolean {
  return FLOW_HANDLERS.has(handler);
}

function hasFlows(accounts: Record<string, unknown>): boolean {
  return (accounts as Partial<AccountHandlers>).hasFlows === true;
}
