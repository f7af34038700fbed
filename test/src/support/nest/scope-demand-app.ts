// A child process of test/src/nest/scope.interceptor.test.ts: a Nest app in a process where no
// method carries core's decorators (nothing here may import one: @apojwt/conformance does).
// `node scope-demand-app.js <metadata-only|refresh> <express|fastify>` prints one JSON line.
import 'reflect-metadata';
import { Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { currentRequestScope, requestScopeWanted } from '@apojwt/core';
import { APOJWT, ApoJwtModule, InjectApoJwt, PermissionRequired, Refresh, RefreshData, TokenSubject, type ApoJwtInstance } from '@apojwt/nest';
import { PLATFORMS, startNest } from './harness.js';

const OPTIONS = { secret: 'scope-demand-secret-0123456789-abcdefghij', iss: 'auth.example', serverAudience: 'orders-api' };
const [mode, platformName] = process.argv.slice(2);

@Controller('orders')
class OrdersController {
  constructor(@InjectApoJwt() private readonly apo: ApoJwtInstance<true>) {}

  @Get()
  @PermissionRequired('orders:read')
  list(@TokenSubject() sub: string) {
    return { sub, scoped: currentRequestScope() !== undefined };
  }

  /** Only decorated (and so only registered) in the 'refresh' app. */
  renew(refreshData: { user: string }) {
    return { scoped: currentRequestScope() !== undefined, ...this.apo.createToken({ sub: refreshData.user, permissions: ['orders:read'], refreshData }) };
  }
}

if (mode === 'refresh') {
  // Applied here, not by a decorator statement, so the 'metadata-only' app never runs Refresh().
  const descriptor = Object.getOwnPropertyDescriptor(OrdersController.prototype, 'renew') as PropertyDescriptor;
  Post('renew')(OrdersController.prototype, 'renew', descriptor);
  HttpCode(200)(OrdersController.prototype, 'renew', descriptor);
  Refresh()(OrdersController.prototype, 'renew', descriptor);
  RefreshData()(OrdersController.prototype, 'renew', 0);
}

@Module({ imports: [ApoJwtModule.forRoot({ ...OPTIONS, refresh: { refreshSecret: 'scope-demand-refresh-0123456789-klmnopqr' } })], controllers: [OrdersController] })
class AppModule {}

const platform = PLATFORMS.find((p) => p.name === platformName);
if (platform === undefined) throw new Error(`unknown platform ${String(platformName)}`);
const nest = await startNest(AppModule, platform);
const apo = nest.app.get<ApoJwtInstance<true>>(APOJWT);
const pair = apo.createToken({ sub: 'user-1', permissions: ['orders:read'], refreshData: { user: 'user-1' } });
const list = await fetch(`${nest.url}/orders`, { headers: { authorization: `Bearer ${pair.accessToken}` } });
const result: Record<string, unknown> = { wanted: requestScopeWanted(), list: { status: list.status, body: await list.json() } };
if (mode === 'refresh') {
  const renew = await fetch(`${nest.url}/orders/renew`, { method: 'POST', headers: { cookie: `apojwt_refresh=${pair.refreshToken}` } });
  result['renew'] = { status: renew.status, body: await renew.json(), consumed: pair.refreshToken };
}
await nest.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
