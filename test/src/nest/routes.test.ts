import 'reflect-metadata';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, Get, Module, Post } from '@nestjs/common';
import { assertRoutesDecided, uncoveredRoutes } from '@apojwt/core';
import { ApoJwtModule, PermissionRequired, Public, TokenRequired, nestRoutes } from '@apojwt/nest';
import { PLATFORMS, startNest, type RunningNest } from '../support/nest/harness.js';
import { BASE, request } from '../support/nest/kit.js';

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
}
