import 'reflect-metadata';
import { Controller, Get, HttpCode, Module, Param, Post, type Type } from '@nestjs/common';
import type { ApoJwt, ApoJwtOptions, JsonObject } from '@apojwt/core';
import {
  ApoJwtModule,
  InjectApoJwt,
  PermissionRequired,
  Public,
  Refresh,
  RefreshData,
  TokenData,
  TokenPermissions,
  TokenRequired,
  TokenSubject,
  nestTemplate,
  type ApoJwtInstance,
} from '@apojwt/nest';
import { startNest, type NestPlatform } from './harness.js';

/**
 * The controller conformance contract (the shared kit's CONTROLLER_ROUTES:
 * handler names, answers, class-level requirement) as a Nest app written
 * the way a Nest user writes one: metadata decorators, the global guard,
 * parameter decorators. `nestControllerApp(platform)` has the shape of the
 * kit's ControllerAppUnderTest, so `runControllerConformance` can take it.
 */

/** Which handler bodies ran: a refused request must leave this empty. */
export const ran: string[] = [];

/** The message of the error GET /boom throws: it must reach no answer. */
export const CONTROLLER_FAILURE_MESSAGE = 'boom from the handler';

const guarded = (handler: string, tokenSubject: string, tokenData: unknown, tokenPermissions: readonly string[]) => {
  ran.push(handler);
  return { ran: handler, tokenSubject, tokenData, tokenPermissions };
};

@Controller()
export class OrdersController {
  @Get('profile')
  @TokenRequired()
  profile(@TokenSubject() sub: string, @TokenData() data: unknown, @TokenPermissions() perms: readonly string[]) {
    return guarded('profile', sub, data, perms);
  }

  @Get('orders')
  @PermissionRequired('orders:read')
  list(@TokenSubject() sub: string, @TokenData() data: unknown, @TokenPermissions() perms: readonly string[]) {
    return guarded('list', sub, data, perms);
  }

  @Get('orders/read-write')
  @PermissionRequired(['orders:read', 'orders:write'])
  readWrite(@TokenSubject() sub: string, @TokenData() data: unknown, @TokenPermissions() perms: readonly string[]) {
    return guarded('readWrite', sub, data, perms);
  }

  @Get('orders/write-or-billing')
  @PermissionRequired({ any: ['orders:write', 'billing:read'] })
  writeOrBilling(@TokenSubject() sub: string, @TokenData() data: unknown, @TokenPermissions() perms: readonly string[]) {
    return guarded('writeOrBilling', sub, data, perms);
  }

  /** The route parameter between two injected values. */
  @Get('orders/:id')
  @PermissionRequired('orders:read')
  order(@TokenSubject() sub: string, @Param('id') id: string, @TokenPermissions() perms: readonly string[], @TokenData() data: unknown) {
    return { ...guarded('order', sub, data, perms), id };
  }
}

/** Class level: every method needs orders:read; a method requirement adds to it. */
@Controller('class')
@PermissionRequired('orders:read')
export class ClassController {
  @Get('list')
  classList(@TokenSubject() sub: string, @TokenData() data: unknown, @TokenPermissions() perms: readonly string[]) {
    return guarded('classList', sub, data, perms);
  }

  @Get('write')
  @PermissionRequired('orders:write')
  classWrite(@TokenSubject() sub: string, @TokenData() data: unknown, @TokenPermissions() perms: readonly string[]) {
    return guarded('classWrite', sub, data, perms);
  }
}

@Controller('session')
export class SessionController {
  constructor(@InjectApoJwt() private readonly apo: ApoJwtInstance<true>) {}

  /** Issued inside the handler: the new refresh token continues the consumed one's family. */
  @Post('renew')
  @HttpCode(200)
  @Refresh()
  renew(@RefreshData() refreshData: { user: string }) {
    ran.push('renew');
    const pair = this.apo.createToken({ sub: refreshData.user, permissions: ['orders:read'], refreshData });
    return { ran: 'renew', refreshData, ...pair };
  }
}

@Controller()
export class BoomController {
  @Get('boom')
  @PermissionRequired('orders:read')
  boom(): never {
    ran.push('boom');
    throw new Error(CONTROLLER_FAILURE_MESSAGE);
  }
}

@Controller()
export class PublicController {
  @Get('public')
  @Public()
  open() {
    ran.push('open');
    return { ran: 'open' };
  }
}

export const CONTROLLERS = [OrdersController, ClassController, SessionController, BoomController, PublicController];

/** The root module of the contract's app, guarding with `apo`. */
export function conformanceModule(apo: ApoJwt<string, JsonObject, JsonObject, true>): Type<unknown> {
  @Module({ imports: [ApoJwtModule.forRoot({ apo })], controllers: CONTROLLERS })
  class ConformanceApp {}
  return ConformanceApp;
}

/** The app factory, in the shape of the kit's ControllerAppUnderTest. */
export function nestControllerApp(platform: NestPlatform) {
  return {
    name: `NestJS on platform-${platform.name}`,
    template: nestTemplate() as ApoJwtOptions['template'],
    ran,
    async serve(setup: { apo: ApoJwt<string, JsonObject, JsonObject, true>; options: ApoJwtOptions }) {
      const { close, url } = await startNest(conformanceModule(setup.apo), platform);
      return { url, close };
    },
  };
}
