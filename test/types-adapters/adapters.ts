// Type-level tests for the Express, Koa and routing-controllers adapters with a declared Register.
// Compiled (not run) by tsconfig.types-adapters.json, apart from every other
// test: declaration merging is global to a compilation. A wrong
// `@ts-expect-error`, or a missing one, fails the build.
import express from 'express';
import Koa from 'koa';
import { createApoJwt as createExpressApoJwt, permissionRequired as expressPermissionRequired, type AccessClaims, type PermissionGrant, type RefreshClaims } from '@apojwt/express';
import { createApoJwt as createKoaApoJwt, permissionRequired as koaPermissionRequired } from '@apojwt/koa';
import { authorizationChecker, currentUserChecker, useApoJwt } from '@apojwt/routing-controllers';

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
type Claims = AccessClaims<PermissionGrant<Perm>, { tenant: string }>;
const options = { secret: 's'.repeat(32), iss: 'i', serverAudience: 'a' };

export function expressChecks(): void {
  const apo = createExpressApoJwt({ ...options, template: 'express' });
  const app = express();
  app.get('/orders', apo.permissionRequired('orders:read'), (req, res) => {
    assertType<Equal<typeof req.tokenData, { tenant: string } | undefined>>();
    assertType<Equal<typeof req.tokenSubject, string | undefined>>();
    assertType<Equal<typeof req.tokenPermissions, readonly PermissionGrant<Perm>[] | undefined>>();
    assertType<Equal<typeof req.tokenClaims, Claims | undefined>>();
    assertType<Equal<typeof req.refreshData, { device: string } | undefined>>();
    assertType<Equal<typeof req.refreshClaims, RefreshClaims<{ device: string }> | undefined>>();
    // @ts-expect-error data follows Register: no such field
    void req.tokenData?.tenantId;
    res.json({ tenant: req.tokenData?.tenant });
  });
  app.get('/any', apo.permissionRequired({ any: ['orders:write', 'admin'] }), apo.tokenRequired());
  // @ts-expect-error a typo in a permission name (instance middleware)
  apo.permissionRequired('orders:reed');
  // @ts-expect-error a typo inside an any-of list
  apo.permissionRequired({ any: ['orders:read', 'amdin'] });
  // @ts-expect-error a wildcard is a grant, not a requirement
  apo.permissionRequired('orders:*');
  expressPermissionRequired('orders:write');
  // @ts-expect-error a typo in a permission name (standalone decorator)
  expressPermissionRequired('orders:reed');
  apo.decorators.permissionRequired(['orders:read', 'orders:write']);
  // @ts-expect-error a typo in a permission name (bound decorator)
  apo.decorators.permissionRequired(['orders:read', 'orders:wirte']);
  // @ts-expect-error tokens carry declared grants only
  apo.createToken({ permissions: ['billing:read'] });
}

export function koaChecks(): void {
  const apo = createKoaApoJwt({ ...options, template: 'koa', refresh: { refreshSecret: 'r'.repeat(32) } });
  const app = new Koa();
  app.use(apo.permissionRequired('orders:write'));
  app.use(async (ctx) => {
    assertType<Equal<typeof ctx.state.tokenData, { tenant: string } | undefined>>();
    assertType<Equal<typeof ctx.state.tokenSubject, string | undefined>>();
    assertType<Equal<typeof ctx.state.tokenPermissions, readonly PermissionGrant<Perm>[] | undefined>>();
    assertType<Equal<typeof ctx.state.tokenClaims, Claims | undefined>>();
    assertType<Equal<typeof ctx.state.refreshData, { device: string } | undefined>>();
    // @ts-expect-error data follows Register: tenant is a string
    const tenant: number | undefined = ctx.state.tokenData?.tenant;
    void tenant;
    ctx.body = { sub: ctx.state.tokenSubject };
  });
  app.use(apo.refresh());
  // @ts-expect-error a typo in a permission name (instance middleware)
  app.use(apo.permissionRequired('orders:reed'));
  // @ts-expect-error a typo in an all-of list
  apo.permissionRequired(['orders:read', 'orders:wirte']);
  koaPermissionRequired({ all: ['admin'] });
  // @ts-expect-error a typo in a permission name (standalone decorator)
  koaPermissionRequired({ all: ['amdin'] });
  // @ts-expect-error refreshData follows Register
  apo.createToken({ refreshData: { device: 1 } });
}

// routing-controllers takes the instance the app made, whatever its declared permission names.
export function routingControllersChecks(): void {
  const express = createExpressApoJwt({ ...options, template: 'express' });
  const koa = createKoaApoJwt({ ...options, template: 'koa', refresh: { refreshSecret: 'r'.repeat(32) } });
  void useApoJwt({ controllers: [] }, express);
  void useApoJwt({ controllers: [] }, koa);
  void authorizationChecker(express, { accept: ['bearer', 'apiKey'] });
  void currentUserChecker(koa);
  // @ts-expect-error not an instance
  void useApoJwt({ controllers: [] }, { realm: 'x' });
}
