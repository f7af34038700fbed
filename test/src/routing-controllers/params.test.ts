import 'reflect-metadata';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ctx, Get, JsonController, Param, Req } from 'routing-controllers';
import { createApoJwt, permissionRequired, TokenSubject as coreTokenSubject, type ApoJwt, type JsonObject } from '@apojwt/core';
import { TokenClaims, TokenData, TokenPermissions, TokenSubject } from '@apojwt/routing-controllers';
import { request, bearer } from '../support/routing-controllers/harness.js';
import { BASE, T0, clock, payloadOf } from '../support/routing-controllers/harness.js';
import { DRIVERS, routingControllersApp, type Running } from '../support/routing-controllers/app.js';
import { captureConsoleErrors } from '../support/routing-controllers/console-errors.js';

@JsonController('/markers')
class MarkersController {
  // Markers before, between and after routing-controllers' own parameters.
  @Get('/held/:id')
  @permissionRequired('orders:read')
  held(
    @TokenSubject() sub: string,
    @Param('id') id: string,
    @TokenPermissions() perms: readonly string[],
    @Req() req: unknown,
    @TokenData() data: JsonObject,
    @TokenClaims() claims: { jti: string },
  ) {
    return { sub, id, perms, data, jti: claims.jti, hasRequest: typeof req === 'object' && req !== null };
  }

  // Koa's context: the values are in ctx.state.
  @Get('/ctx')
  @permissionRequired('orders:read')
  ctx(@Ctx() ctx: { state: Record<string, unknown> } | undefined) {
    return { sub: ctx?.state['tokenSubject'] ?? null };
  }

  // Core's marker alone, before a routing-controllers parameter.
  @Get('/core/:id')
  @permissionRequired('orders:read')
  core(@coreTokenSubject() sub: string, @Param('id') id: string) {
    return { sub: sub ?? null, id: id ?? null };
  }
}

for (const driver of DRIVERS) {
  describe(`routing-controllers ${driver.name}: parameter markers`, () => {
    let server: Running;
    let apo: ApoJwt<string, JsonObject, JsonObject, false>;
    const logged = captureConsoleErrors();

    before(async () => {
      apo = createApoJwt({ ...BASE, template: driver.template });
      server = await routingControllersApp(driver, apo, { controllers: [MarkersController] });
    });
    after(() => server.close());
    beforeEach(() => {
      clock.ms = T0;
    });
    afterEach(() => assert.deepEqual(logged.take(), []));

    test("each marker keeps its position among routing-controllers' parameters", async () => {
      const token = apo.createToken({ sub: 'user-1', permissions: ['orders:read'], data: { tenant: 't1' } }) as string;
      const answer = await request(server.url, '/markers/held/7', { headers: bearer(token) });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.json, { sub: 'user-1', id: '7', perms: ['orders:read'], data: { tenant: 't1' }, jti: payloadOf(token)['jti'], hasRequest: true });
    });

    if (driver.template === 'koa') {
      test('@Ctx(): the verified values are in ctx.state', async () => {
        const token = apo.createToken({ sub: 'user-1', permissions: ['orders:read'] }) as string;
        assert.deepEqual((await request(server.url, '/markers/ctx', { headers: bearer(token) })).json, { sub: 'user-1' });
        const refused = await request(server.url, '/markers/ctx', { headers: bearer(apo.createToken({ sub: 'user-1' }) as string) });
        assert.equal(refused.status, 403);
      });
    }

    test("core's own marker before a routing-controllers parameter loses its place (why this package has its own)", async () => {
      const token = apo.createToken({ sub: 'user-1', permissions: ['orders:read'] }) as string;
      const answer = await request(server.url, '/markers/core/7', { headers: bearer(token) });
      // routing-controllers called core(id): the subject then took the id's place.
      assert.deepEqual(answer.json, { sub: 'user-1', id: null });
    });
  });
}
