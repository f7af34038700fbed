import 'reflect-metadata';
import { Controller, Get, HttpCode, Module, Param, Post, Req, type Type } from '@nestjs/common';
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
  type ApoJwtInstance,
  type ApoJwtModuleOptions,
  type RefreshedRequest,
} from '@apojwt/nest';
import { BASE, REFRESH } from '../adapters/harness/fixtures.js';

/**
 * The shared HTTP contract's route table, as a Nest app written the way a
 * Nest user writes one: metadata decorators, the global guard, parameter
 * decorators. `conformanceModule()` is the app factory a shared controller
 * conformance kit can take.
 */

/** Which handler bodies ran: a refused request must leave this empty. */
export const ran: string[] = [];

@Controller()
export class ConformanceController {
  constructor(@InjectApoJwt() private readonly apo: ApoJwtInstance<true>) {}

  @Get('profile')
  @TokenRequired()
  profile(@TokenSubject() tokenSubject: string, @TokenData() tokenData: object, @TokenPermissions() tokenPermissions: readonly string[]) {
    ran.push('profile');
    return { ran: 'profile', tokenSubject, tokenData, tokenPermissions };
  }

  @Get('orders')
  @PermissionRequired('orders:read')
  orders(@TokenSubject() tokenSubject: string) {
    ran.push('orders');
    return { ran: 'orders', tokenSubject };
  }

  @Get('orders/read-write')
  @PermissionRequired(['orders:read', 'orders:write'])
  readWrite() {
    ran.push('readWrite');
    return { ran: 'readWrite' };
  }

  @Get('orders/write-or-billing')
  @PermissionRequired({ any: ['orders:write', 'billing:read'] })
  writeOrBilling() {
    ran.push('writeOrBilling');
    return { ran: 'writeOrBilling' };
  }

  @Get('orders/:id')
  @PermissionRequired('orders:read')
  order(@Param('id') id: string, @TokenSubject() tokenSubject: string) {
    ran.push('order');
    return { ran: 'order', id, tokenSubject };
  }

  @Post('session/renew')
  @HttpCode(200)
  @Refresh()
  renew(@RefreshData() refreshData: object, @Req() request: RefreshedRequest) {
    ran.push('renew');
    const pair = this.apo.createToken({ sub: request.refreshClaims.sub, permissions: ['orders:read'], refreshData: refreshData as never });
    return { ran: 'renew', refreshData, refreshFamily: request.refreshClaims.fam, ...pair };
  }

  @Get('boom')
  @PermissionRequired('orders:read')
  boom(): never {
    ran.push('boom');
    throw new Error('boom from the handler: internal detail');
  }

  @Get('public')
  @Public()
  open() {
    ran.push('public');
    return { ran: 'public' };
  }
}

/** Class level: every method needs orders:read; a method requirement adds to it. */
@Controller('class')
@PermissionRequired('orders:read')
export class ClassGuardedController {
  @Get('list')
  list(@TokenSubject() tokenSubject: string) {
    ran.push('list');
    return { ran: 'list', tokenSubject };
  }

  @Get('write')
  @PermissionRequired('orders:write')
  write() {
    ran.push('write');
    return { ran: 'write' };
  }
}

export const CONFORMANCE_OPTIONS = { ...BASE, refresh: REFRESH } satisfies ApoJwtModuleOptions;

/** The conformance app: ApoJwtModule over the suite's options (overridable) and the route table. */
export function conformanceModule(options: ApoJwtModuleOptions = CONFORMANCE_OPTIONS): Type<unknown> {
  @Module({ imports: [ApoJwtModule.forRoot(options)], controllers: [ConformanceController, ClassGuardedController] })
  class ConformanceApp {}
  return ConformanceApp;
}
