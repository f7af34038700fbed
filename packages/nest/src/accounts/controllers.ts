import { Controller, Delete, Get, Inject, NotFoundException, Param, Post, Req, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Public } from '../metadata.js';
import { rawRequestOf, sentBody } from '../request.js';
import { sendAnswer } from '../reply.js';
import { routeKey, type AccountRouteMap } from './options.js';

/** Injection token of the routes the module's handler sets give. */
export const ACCOUNT_ROUTES = Symbol('apojwt.account-routes');

type AnyRequest = { body?: unknown; ip?: unknown };

/**
 * What every account route does: hand the request's plain parts (Node's raw
 * headers, Nest's parsed body, the IP the platform determined, `:id`) to the
 * route table's `answer` and copy the answer out. A route the given handler
 * sets do not serve (no `twoFactor`, or `accounts` without `flows`) is a 404,
 * as if it were not mounted: Nest's routes are declared before a factory answers.
 */
abstract class AccountRouteController {
  constructor(
    @Inject(ACCOUNT_ROUTES) private readonly routes: AccountRouteMap,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  protected async serve(method: string, path: string, request: AnyRequest, response: unknown, id?: string): Promise<void> {
    const route = this.routes.get(routeKey(method, path));
    if (route === undefined) throw new NotFoundException();
    const { ip } = request;
    const answer = await route.answer({
      rawHeaders: rawRequestOf(request).rawHeaders,
      ...(route.readsBody && { body: sentBody(request) }),
      ...(id !== undefined && { id }),
      ...(typeof ip === 'string' && { ip }),
    });
    sendAnswer(this.adapterHost, response, answer);
  }
}

/**
 * Every route of `ACCOUNT_ROUTE_TABLE` but `POST /auth/login`, one method
 * each (Nest's route decorators are static; a test checks these against the
 * table). Public: registration and the email links are open, and the session
 * and 2FA routes check the access token themselves, so the global guard and
 * `requireDecision` must let them through.
 */
@Public()
@Controller()
export class ApoJwtAccountsController extends AccountRouteController {
  @Post('/auth/register')
  register(@Req() request: AnyRequest, @Res() response: unknown): Promise<void> {
    return this.serve('POST', '/auth/register', request, response);
  }

  @Post('/auth/verify-email')
  verifyEmail(@Req() request: AnyRequest, @Res() response: unknown): Promise<void> {
    return this.serve('POST', '/auth/verify-email', request, response);
  }

  @Post('/auth/reset-request')
  requestPasswordReset(@Req() request: AnyRequest, @Res() response: unknown): Promise<void> {
    return this.serve('POST', '/auth/reset-request', request, response);
  }

  @Post('/auth/reset')
  resetPassword(@Req() request: AnyRequest, @Res() response: unknown): Promise<void> {
    return this.serve('POST', '/auth/reset', request, response);
  }

  @Post('/auth/login/otp')
  completeLogin(@Req() request: AnyRequest, @Res() response: unknown): Promise<void> {
    return this.serve('POST', '/auth/login/otp', request, response);
  }

  @Get('/account/sessions')
  listSessions(@Req() request: AnyRequest, @Res() response: unknown): Promise<void> {
    return this.serve('GET', '/account/sessions', request, response);
  }

  @Delete('/account/sessions/:id')
  revokeSession(@Req() request: AnyRequest, @Res() response: unknown, @Param('id') id: string): Promise<void> {
    return this.serve('DELETE', '/account/sessions/:id', request, response, id);
  }

  @Post('/account/logout-everywhere')
  logoutEverywhere(@Req() request: AnyRequest, @Res() response: unknown): Promise<void> {
    return this.serve('POST', '/account/logout-everywhere', request, response);
  }

  @Post('/account/password')
  changePassword(@Req() request: AnyRequest, @Res() response: unknown): Promise<void> {
    return this.serve('POST', '/account/password', request, response);
  }

  @Get('/account/2fa')
  twoFactorStatus(@Req() request: AnyRequest, @Res() response: unknown): Promise<void> {
    return this.serve('GET', '/account/2fa', request, response);
  }

  @Post('/account/2fa/enrol')
  enrolTwoFactor(@Req() request: AnyRequest, @Res() response: unknown): Promise<void> {
    return this.serve('POST', '/account/2fa/enrol', request, response);
  }

  @Post('/account/2fa/confirm')
  confirmTwoFactor(@Req() request: AnyRequest, @Res() response: unknown): Promise<void> {
    return this.serve('POST', '/account/2fa/confirm', request, response);
  }

  @Post('/account/2fa/disable')
  disableTwoFactor(@Req() request: AnyRequest, @Res() response: unknown): Promise<void> {
    return this.serve('POST', '/account/2fa/disable', request, response);
  }
}

/**
 * `POST /auth/login` as the two-step login, in a controller of its own:
 * mounted only with `twoFactor`, since without it ApoJwtAuthModule's login
 * serves that path, and a second route there would hide it (Express) or
 * stop the start (Fastify).
 */
@Public()
@Controller()
export class ApoJwtTwoFactorLoginController extends AccountRouteController {
  @Post('/auth/login')
  login(@Req() request: AnyRequest, @Res() response: unknown): Promise<void> {
    return this.serve('POST', '/auth/login', request, response);
  }
}
