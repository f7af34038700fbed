import 'reflect-metadata';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, Get, Module, Post } from '@nestjs/common';
import { assertRoutesDecided, uncoveredRoutes } from '@apojwt/core';
import { ApoJwtModule, PermissionRequired, Public, TokenRequired, nestRoutes } from '@apojwt/nest';
import { PLATFORMS, startNest, type RunningNest } from '../support/nest/harness.js';
import { ApoJwtAuthModule } from '@apojwt/nest/auth';
import { BASE, REFRESH, request } from '../support/nest/kit.js';

/** The coverage check on a Nest app: the routes with neither a requirement nor @Public(), from the guard's own rule. */
@Controller('orders')
@PermissionRequired('orders:read')
class OrdersController {
  @Get()
  list() {
    return [];
  }
  @Post()
  @PermissionRequired('orders:write')
  create() {
    return {};
  }
}

@Controller()
class SiteController {
  @Get('health')
  @Public()
  health() {
    return { ok: true };
  }
  @Get('me')
  @TokenRequired()
  me() {
    return {};
  }
  @Get('forgotten')
  forgotten() {
    return { forgotten: true };
  }
}

@Module({ imports: [ApoJwtModule.forRoot({ ...BASE })], controllers: [OrdersController, SiteController] })
class CoverageApp {}

/** Routes a controller inherits are routes Nest serves: the coverage check must see them too. */
class BaseReportsController {
  @Get('inherited')
  inherited() {
    return { inherited: true };
  }
  @Get('overridden')
  overridden() {
    return { base: true };
  }
}

@Controller('reports')
@TokenRequired()
class ReportsController extends BaseReportsController {
  @Get('own')
  @Public()
  own() {
    return {};
  }
  @Get('overridden')
  @Public()
  override overridden() {
    return { base: false };
  }
}

@Module({
  imports: [ApoJwtModule.forRoot({ ...BASE, refresh: REFRESH }), ApoJwtAuthModule.forRoot({ login: (() => Promise.reject(new Error('unused'))) as never })],
  controllers: [ReportsController],
})
class InheritingApp {}

for (const platform of PLATFORMS) {
  describe(`nestRoutes, @nestjs/platform-${platform.name}`, () => {
    let server: RunningNest;
    before(async () => {
      server = await startNest(CoverageApp, platform);
    });
    after(() => server.close());

    test('lists every route with its decision; the coverage check names the undecided one', async () => {
      const routes = nestRoutes(server.app);
      assert.deepEqual(routes.map((route) => `${route.method} ${route.path} ${route.decided ?? 'none'}`).sort(), [
        'GET /forgotten none',
        'GET /health public',
        'GET /me decision',
        'GET /orders decision',
        'POST /orders decision',
      ]);
      assert.deepEqual(
        uncoveredRoutes(routes).map((route) => route.handlers),
        [['SiteController.forgotten()']],
      );
      assert.throws(() => assertRoutesDecided(routes), /GET \/forgotten/);
      // The public route answers without a token; the undecided one runs unchecked (requireDecision would refuse it).
      assert.equal((await request(server.url, '/health')).status, 200);
      assert.equal((await request(server.url, '/me')).status, 401);
    });
  });

  describe(`nestRoutes and inherited routes, @nestjs/platform-${platform.name}`, () => {
    let server: RunningNest;
    before(async () => {
      server = await startNest(InheritingApp, platform);
    });
    after(() => server.close());

    test("lists the routes a controller inherits (the auth endpoints are built so), each once, with the class's decision", async () => {
      const routes = nestRoutes(server.app);
      assert.deepEqual(routes.map((route) => `${route.method} ${route.path} ${route.decided ?? 'none'}`).sort(), [
        'GET /reports/inherited decision',
        'GET /reports/overridden public',
        'GET /reports/own public',
        'POST /auth/login public',
        'POST /auth/logout public',
        'POST /auth/refresh public',
      ]);
      assert.equal((await request(server.url, '/reports/inherited')).status, 401, 'the inherited route is guarded as listed');
      assert.equal((await request(server.url, '/reports/overridden')).status, 200);
    });
  });
}
