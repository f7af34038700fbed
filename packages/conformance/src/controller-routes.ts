// The HTTP contract of runControllerConformance, as data: every framework
// whose controllers are classes it calls itself (NestJS, routing-controllers)
// implements exactly these routes, so one suite can test them all.

/** The controller classes of the contract; routes with the same controller live on one class. */
export type ControllerName = 'OrdersController' | 'ClassController' | 'SessionController' | 'PublicController' | 'BoomController';

/**
 * What apojwt's decorator on a handler requires, in the form
 * `permissionRequired` takes (`string` = that permission, `string[]` = all
 * of them, `{ any }` = one of them):
 * - `{ token: true }`: `tokenRequired` (any valid access token);
 * - `{ permissions }`: `permissionRequired(permissions)`;
 * - `{ refresh: true }`: `refresh` (the refresh cookie `apojwt_refresh`, consumed);
 * - `{ public: true }`: no apojwt decorator (or the framework's public marker
 *   where a guard is global): no token needed.
 */
export type RouteRequirement =
  { readonly token: true } | { readonly permissions: string | readonly string[] | { readonly any: readonly string[] } } | { readonly refresh: true } | { readonly public: true };

/**
 * What the handler answers with 200 (it first pushes `handler` to the app's
 * `ran` recorder):
 * - `'guarded'`: {@link GuardedAnswer};
 * - `'order'`: {@link OrderAnswer} (the `:id` route parameter);
 * - `'renewed'`: {@link RenewAnswer};
 * - `'public'`: {@link PublicAnswer};
 * - `'throws'`: nothing, it throws `new Error(CONTROLLER_FAILURE_MESSAGE)`
 *   and the framework answers 500 its own way.
 */
export type RouteAnswer = 'guarded' | 'order' | 'renewed' | 'public' | 'throws';

/** One route of the contract. */
export interface ControllerRoute {
  readonly method: 'GET' | 'POST';
  /** Express-style path: `:id` is a route parameter. */
  readonly path: string;
  /** The class that holds the handler (see {@link CONTROLLER_CLASSES} for class-level requirements). */
  readonly controller: ControllerName;
  /** The handler method's name: what it pushes to `ran` and answers as `ran`. */
  readonly handler: string;
  /** The requirement written on the method (added to its class's, if any); absent: no apojwt decorator on the method. */
  readonly requirement?: RouteRequirement;
  readonly answers: RouteAnswer;
  /** How the handler must be written, when the route tests more than its requirement. */
  readonly note?: string;
}

/** `{ ran, tokenSubject, tokenData, tokenPermissions }`: the verified values the framework injected (or the request carries). */
export interface GuardedAnswer {
  ran: string;
  tokenSubject: string;
  tokenData: unknown;
  tokenPermissions: readonly string[];
}

/** A {@link GuardedAnswer} plus the `:id` route parameter, as the framework passed it (a string). */
export interface OrderAnswer extends GuardedAnswer {
  id: string;
}

/**
 * The refresh handler's answer: it issues
 * `apo.createToken({ sub: refreshData.user, permissions: ['orders:read'], refreshData })`
 * inside the refresh scope (so the new refresh token continues the consumed
 * one's family) and answers the pair beside the `refreshData` it was given.
 */
export interface RenewAnswer {
  ran: string;
  refreshData: { user: string };
  accessToken: string;
  refreshToken: string;
}

/** `{ ran }`. */
export interface PublicAnswer {
  ran: string;
}

/** The message of the error the `'throws'` handler throws; it must reach no answer body or header beyond the framework's own 500. */
export const CONTROLLER_FAILURE_MESSAGE = 'boom from the handler';

/** Requirements written on the class itself; every method of the class needs them, and a method's own requirement adds to them. */
export const CONTROLLER_CLASSES: Readonly<Partial<Record<ControllerName, RouteRequirement>>> = {
  ClassController: { permissions: 'orders:read' },
};

/** The routes every controller framework implements, in the order of a reasonable router. */
export const CONTROLLER_ROUTES: readonly ControllerRoute[] = [
  { method: 'GET', path: '/profile', controller: 'OrdersController', handler: 'profile', requirement: { token: true }, answers: 'guarded' },
  { method: 'GET', path: '/orders', controller: 'OrdersController', handler: 'list', requirement: { permissions: 'orders:read' }, answers: 'guarded' },
  {
    method: 'GET',
    path: '/orders/read-write',
    controller: 'OrdersController',
    handler: 'readWrite',
    requirement: { permissions: ['orders:read', 'orders:write'] },
    answers: 'guarded',
  },
  {
    method: 'GET',
    path: '/orders/write-or-billing',
    controller: 'OrdersController',
    handler: 'writeOrBilling',
    requirement: { permissions: { any: ['orders:write', 'billing:read'] } },
    answers: 'guarded',
  },
  {
    method: 'GET',
    path: '/orders/:id',
    controller: 'OrdersController',
    handler: 'order',
    requirement: { permissions: 'orders:read' },
    answers: 'order',
    note:
      'the id comes from the route, injected by the framework where it has parameter decorators; the method has parameters ' +
      'marked by other decorators before and after it (e.g. `(@TokenSubject() sub, @Param("id") id, @TokenPermissions() perms)`). ' +
      'Declared after the fixed /orders/… paths so they win.',
  },
  { method: 'GET', path: '/class/list', controller: 'ClassController', handler: 'classList', answers: 'guarded', note: 'no method decorator: the class-level orders:read alone' },
  { method: 'GET', path: '/class/write', controller: 'ClassController', handler: 'classWrite', requirement: { permissions: 'orders:write' }, answers: 'guarded' },
  { method: 'POST', path: '/session/renew', controller: 'SessionController', handler: 'renew', requirement: { refresh: true }, answers: 'renewed' },
  { method: 'GET', path: '/boom', controller: 'BoomController', handler: 'boom', requirement: { permissions: 'orders:read' }, answers: 'throws' },
  { method: 'GET', path: '/public', controller: 'PublicController', handler: 'open', requirement: { public: true }, answers: 'public' },
];
