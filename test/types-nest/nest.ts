// Type-level tests for @apojwt/nest with a declared Register. Compiled (not
// run) by tsconfig.types-nest.json, with the legacy decorators Nest needs,
// apart from every other test: declaration merging is global to a
// compilation. A wrong `@ts-expect-error`, or a missing one, fails the build.
import 'reflect-metadata';
import { Controller, Get, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { AccessClaims, PermissionGrant, RefreshClaims } from '@apojwt/core';
import {
  ApoJwtModule,
  InjectApoJwt,
  PermissionRequired,
  Refresh,
  TokenRequired,
  type ApoJwtInstance,
  type GuardedRequest,
  type RefreshedRequest,
  type RegisteredPermission,
  type RegisteredRefreshData,
} from '@apojwt/nest';
import { ApoJwtAuthModule } from '@apojwt/nest/auth';
import { ApoJwtAccountsModule } from '@apojwt/nest/accounts';
import { trackSessions, type AccountHandlers, type PostgresSessionStore, type TwoFactorHandlers } from '@apojwt/postgres';

declare module '@apojwt/core' {
  interface Register {
    permission: 'orders:read' | 'orders:write' | 'admin';
    data: { tenant: string };
    refreshData: { device: string };
  }
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): void {}

type Perm = 'orders:read' | 'orders:write' | 'admin';
// The package re-exports core's Register types: the names an app declared, read through @apojwt/nest.
assertType<Equal<RegisteredPermission, Perm>>();
assertType<Equal<RegisteredRefreshData, { device: string }>>();

@Controller('orders')
@PermissionRequired('orders:read')
export class OrdersController {
  constructor(@InjectApoJwt() private readonly apo: ApoJwtInstance<true>) {}

  @Get()
  @PermissionRequired({ any: ['orders:write', 'admin'] })
  list(@Req() req: GuardedRequest<Request>) {
    assertType<Equal<typeof req.tokenData, { tenant: string }>>();
    assertType<Equal<typeof req.tokenSubject, string>>();
    assertType<Equal<typeof req.tokenPermissions, readonly PermissionGrant<Perm>[]>>();
    assertType<Equal<typeof req.tokenClaims, AccessClaims<PermissionGrant<Perm>, { tenant: string }>>>();
    // @ts-expect-error data follows Register: no such field
    void req.tokenData.tenantId;
    return { tenant: req.tokenData.tenant };
  }

  @Post('renew')
  @Refresh()
  @TokenRequired()
  renew(@Req() req: RefreshedRequest<Request>) {
    assertType<Equal<typeof req.refreshData, { device: string }>>();
    assertType<Equal<typeof req.refreshClaims, RefreshClaims<{ device: string }>>>();
    const pair = this.apo.createToken({ sub: req.refreshClaims.sub, permissions: ['orders:read'], refreshData: req.refreshData });
    assertType<Equal<typeof pair.refreshToken, string>>();
    // @ts-expect-error a permission the Register does not declare, in a token
    this.apo.createToken({ permissions: ['orders:reed'] });
    return pair;
  }
}

export function misspelt(): void {
  // @ts-expect-error a typo in a permission name
  PermissionRequired('orders:reed');
  // @ts-expect-error a typo inside an any-of list
  PermissionRequired({ any: ['orders:read', 'amdin'] });
  // @ts-expect-error a wildcard is a grant, not a requirement
  PermissionRequired('orders:*');
  PermissionRequired(['orders:read', 'orders:write']);
}

export function moduleOptions(): void {
  ApoJwtModule.forRoot({ secret: 's'.repeat(32), iss: 'i', serverAudience: 'a', guard: 'none', requireDecision: true, platform: 'fastify' });
  // @ts-expect-error guard is 'global' or 'none'
  ApoJwtModule.forRoot({ secret: 's'.repeat(32), iss: 'i', serverAudience: 'a', guard: 'everywhere' });
  // @ts-expect-error the module finds tokens itself: no template option
  ApoJwtModule.forRoot({ secret: 's'.repeat(32), iss: 'i', serverAudience: 'a', template: 'express' });
  ApoJwtModule.forRootAsync({ inject: [], useFactory: () => ({ secret: 's'.repeat(32), iss: 'i', serverAudience: 'a' }), guard: 'global' });
}

// The instance's Register types flow into ApoJwtAuthModule's `issue`, so a
// session-recording setup (`trackSessions`) spreads in as it is.
export function authModuleOptions(apo: ApoJwtInstance<true>, sessions: PostgresSessionStore): void {
  ApoJwtAuthModule.forRoot(trackSessions(apo, sessions));
  ApoJwtAuthModule.forRoot({ login: false, issue: (claims) => ({ sub: claims.sub, permissions: ['orders:read'], refreshData: claims.data }) });
  // @ts-expect-error a permission the Register does not declare, in the rotated tokens
  ApoJwtAuthModule.forRoot({ issue: (claims) => ({ sub: claims.sub, permissions: ['orders:reed'] }) });
}

export function accountsModuleOptions(accounts: AccountHandlers, twoFactor: TwoFactorHandlers): void {
  ApoJwtAccountsModule.forRoot({ accounts, twoFactor });
  ApoJwtAccountsModule.forRootAsync({ inject: ['db'], useFactory: async () => ({ accounts }) });
  ApoJwtAccountsModule.forRootAsync({ useFactory: () => ({ accounts, twoFactor }), twoFactorLogin: true });
  // @ts-expect-error the factory answers handler sets
  ApoJwtAccountsModule.forRootAsync({ useFactory: () => ({ accounts: 'handlers' }) });
  // @ts-expect-error twoFactorLogin is a boolean
  ApoJwtAccountsModule.forRootAsync({ useFactory: () => ({ twoFactor }), twoFactorLogin: 'yes' });
}
