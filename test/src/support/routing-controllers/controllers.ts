import 'reflect-metadata';
import { Authorized, Body, CurrentUser, Get, JsonController, Param, Post, Req, Res } from 'routing-controllers';
import {
  currentRequestScope,
  defaultApoJwt,
  permissionRequired,
  refresh,
  tokenRequired,
  TokenSubject as coreTokenSubject,
  type AccessClaims,
  type ApoJwt,
  type JsonObject,
} from '@apojwt/core';
import { RefreshData, TokenData, TokenPermissions, TokenSubject } from '@apojwt/routing-controllers';

/** The message of the `/boom` handler's own error (the controller contract's): it must reach no answer. */
export const FAILURE_MESSAGE = 'boom from the handler';

/**
 * The controllers of the routing-controllers suites, one per concern, written
 * as a routing-controllers user writes them (legacy decorators, parameter
 * injection). `ran` records which handler and service bodies ran: a refused
 * request must leave it empty.
 */
export const ran: string[] = [];

/** Where the template put the verified values: Express's `req`; Koa's `ctx.state` (its `@Req()` is `ctx.request`). */
function stateOf(req: unknown): Record<string, unknown> {
  const koa = (req as { ctx?: { state?: Record<string, unknown> } }).ctx;
  return koa?.state ?? (req as Record<string, unknown>);
}

function valuesOf(name: string, req: unknown): Record<string, unknown> {
  const state = stateOf(req);
  return { ran: name, tokenSubject: state['tokenSubject'], tokenData: state['tokenData'], tokenPermissions: state['tokenPermissions'] };
}

/** What a method with no parameters can still see: the request of the scope it runs in. */
function scopedValues(name: string): Record<string, unknown> {
  const first = currentRequestScope()?.args[0] as { state?: Record<string, unknown> } | undefined;
  const state = first?.state ?? (first as Record<string, unknown> | undefined) ?? {};
  return { ran: name, tokenSubject: state['tokenSubject'], tokenData: state['tokenData'], tokenPermissions: state['tokenPermissions'] };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A service-layer class: its methods are protected wherever they are called from, through the request scope. */
export class OrdersService {
  @permissionRequired('orders:refund')
  async refund(id: string): Promise<{ refunded: string }> {
    await tick();
    ran.push('service.refund');
    return { refunded: id };
  }

  // Core's own marker: a service method is called by the app, not by routing-controllers.
  @tokenRequired()
  async whoAmI(@coreTokenSubject() sub?: string): Promise<string | undefined> {
    await tick();
    return sub;
  }
}

const service = new OrdersService();

/** The instance `/session/renew` issues with: the one `createApoJwt` made last, as the standalone decorators use. */
function issuer(): ApoJwt<string, JsonObject, JsonObject, true> {
  return defaultApoJwt() as unknown as ApoJwt<string, JsonObject, JsonObject, true>;
}

@JsonController()
export class OrdersController {
  // Parameter markers only.
  @Get('/profile')
  @tokenRequired()
  profile(@TokenSubject() tokenSubject: string, @TokenData() tokenData: JsonObject, @TokenPermissions() tokenPermissions: readonly string[]) {
    ran.push('profile');
    return { ran: 'profile', tokenSubject, tokenData, tokenPermissions };
  }

  // @Req() only; apojwt's decorator above routing-controllers' this time.
  @permissionRequired('orders:read')
  @Get('/orders')
  list(@Req() req: unknown) {
    ran.push('list');
    return valuesOf('list', req);
  }

  // @Req() @Res(): the shape that used to answer refusals behind routing-controllers' back.
  @Get('/orders/read-write')
  @permissionRequired(['orders:read', 'orders:write'])
  readWrite(@Req() req: unknown, @Res() _res: unknown) {
    ran.push('readWrite');
    return valuesOf('readWrite', req);
  }

  // No parameters at all.
  @Get('/orders/write-or-billing')
  @permissionRequired({ any: ['orders:write', 'billing:read'] })
  writeOrBilling() {
    ran.push('writeOrBilling');
    return scopedValues('writeOrBilling');
  }

  // The handler's own error: the app's error handling answers 500.
  @Get('/boom')
  @permissionRequired('orders:read')
  boom(): never {
    ran.push('boom');
    throw new Error(FAILURE_MESSAGE);
  }

  // No decorator of apojwt's.
  @Get('/public')
  open() {
    ran.push('open');
    return { ran: 'open' };
  }

  // Not decorated itself: the service method it calls is, through the request scope.
  @Post('/orders/:id/refund')
  async refund(@Param('id') id: string) {
    ran.push('refund');
    await tick();
    return service.refund(id);
  }

  // Many at once: each request's service call sees its own token.
  @Get('/who')
  async who() {
    await tick();
    return { subject: await service.whoAmI() };
  }

  // A marker, @Param(), markers after it; declared after the fixed /orders/… paths so they win.
  @Get('/orders/:id')
  @permissionRequired('orders:read')
  order(@TokenSubject() tokenSubject: string, @Param('id') id: string, @TokenPermissions() tokenPermissions: readonly string[], @TokenData() tokenData: JsonObject) {
    ran.push('order');
    return { ran: 'order', id, tokenSubject, tokenData, tokenPermissions };
  }

  // @Param() first, nothing of apojwt's among the parameters.
  @Get('/orders/:id/summary')
  @permissionRequired('orders:read')
  summary(@Param('id') id: string) {
    ran.push('summary');
    return { ran: 'summary', id };
  }
}

/** Class-level requirement: every action needs orders:read; a method adds its own. */
@JsonController('/class')
@permissionRequired('orders:read')
export class ClassGuardedController {
  @Get('/list')
  list(@TokenSubject() tokenSubject: string, @TokenData() tokenData: JsonObject, @TokenPermissions() tokenPermissions: readonly string[]) {
    ran.push('classList');
    return { ran: 'classList', tokenSubject, tokenData, tokenPermissions };
  }

  // @CurrentUser() beside the class requirement.
  @Get('/write')
  @permissionRequired('orders:write')
  write(@CurrentUser() user: AccessClaims<string, JsonObject>) {
    ran.push('classWrite');
    return { ran: 'classWrite', tokenSubject: user.sub, tokenData: user.data, tokenPermissions: user.perms };
  }
}

@JsonController('/session')
export class SessionController {
  // A marker before routing-controllers' own parameter: it keeps its position.
  @Post('/renew')
  @refresh()
  renew(@RefreshData() refreshData: JsonObject, @Body() _body: unknown) {
    ran.push('renew');
    const user = String(refreshData['user']);
    return { ran: 'renew', refreshData, ...issuer().createToken({ sub: user, permissions: ['orders:read'], refreshData }) };
  }
}

/** routing-controllers' own authorization, through apojwt's checkers. */
@JsonController('/authorized')
export class AuthorizedController {
  @Get('/any')
  @Authorized()
  any(@CurrentUser({ required: true }) user: { sub: string }) {
    ran.push('authorizedAny');
    return { ran: 'authorizedAny', user: user.sub };
  }

  @Get('/orders')
  @Authorized('orders:read')
  orders(@Req() req: unknown) {
    ran.push('authorizedOrders');
    return valuesOf('authorizedOrders', req);
  }

  @Get('/read-write')
  @Authorized(['orders:read', 'orders:write'])
  readWrite() {
    ran.push('authorizedReadWrite');
    return { ran: 'authorizedReadWrite' };
  }

  // routing-controllers' @Authorized and apojwt's decorator on one method: both checks run, in either order.
  @Get('/stacked')
  @Authorized('orders:read')
  @permissionRequired('orders:write')
  stacked() {
    ran.push('stacked');
    return { ran: 'stacked' };
  }

  @permissionRequired('orders:write')
  @Authorized('orders:read')
  @Get('/stacked-reversed')
  stackedReversed() {
    ran.push('stackedReversed');
    return { ran: 'stackedReversed' };
  }

  // Optional: undefined without a token, the claims with one.
  @Get('/maybe')
  maybe(@CurrentUser() user?: { sub: string }) {
    ran.push('maybe');
    return { ran: 'maybe', user: user?.sub ?? null };
  }

  @Get('/me')
  me(@CurrentUser({ required: true }) user: { sub: string; perms: string[] }) {
    ran.push('me');
    return { ran: 'me', user: user.sub, perms: user.perms };
  }
}

/** Class-level @Authorized roles add up with the method's. */
@JsonController('/authorized-class')
@Authorized('orders:read')
export class AuthorizedClassController {
  @Get('/write')
  @Authorized('orders:write')
  write() {
    ran.push('authorizedClassWrite');
    return { ran: 'authorizedClassWrite' };
  }
}

export const CONTROLLERS = [OrdersController, ClassGuardedController, SessionController, AuthorizedController, AuthorizedClassController];
