import 'reflect-metadata';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, Get, Module, Param } from '@nestjs/common';
import { ApoJwt, allOf, definePolicy, type JsonObject } from '@apojwt/core';
import { APOJWT, ApoJwtModule, PermissionRequired } from '@apojwt/nest';
import { PLATFORMS, startNest, type RunningNest } from '../support/nest/harness.js';
import { request, bearer } from '../support/nest/kit.js';
import { BASE } from '../support/nest/kit.js';

/**
 * Rules in @PermissionRequired over a real Nest app on both platforms: the
 * guard hands the rule the platform's request (a guard runs before Nest
 * resolves the method's arguments), core decides.
 */
const orders = new Map([
  ['o-1', { owner: 'alice' }],
  ['o-2', { owner: 'bob' }],
]);
const ran: string[] = [];
// A policy with a bug of its own: it throws something that is not an Error.
const broken = definePolicy('broken', (): boolean => {
  throw undefined;
});
const owner = definePolicy('owner', ({ claims, request }) => orders.get((request as { params: Record<string, string> }).params['id'] ?? '')?.owner === claims.sub);

@Controller('orders')
class OrdersController {
  @Get(':id')
  @PermissionRequired(allOf('orders:read', owner))
  show(@Param('id') id: string) {
    ran.push(id);
    return { id };
  }

  @Get('broken/:id')
  @PermissionRequired(allOf('orders:read', broken))
  broken(@Param('id') id: string) {
    ran.push(`broken ${id}`);
    return { id };
  }
}

@Module({ imports: [ApoJwtModule.forRoot({ ...BASE })], controllers: [OrdersController] })
class RulesApp {}

for (const platform of PLATFORMS) {
  describe(`@PermissionRequired(rule), @nestjs/platform-${platform.name}`, () => {
    let server: RunningNest;
    let apo: ApoJwt<string, JsonObject, JsonObject>;
    before(async () => {
      server = await startNest(RulesApp, platform);
      apo = server.app.get(APOJWT);
    });
    after(() => server.close());

    test('the owner holding the permission: 200; another user: 403; without the permission: 403', async () => {
      ran.length = 0;
      const ok = await request(server.url, '/orders/o-1', { headers: bearer(apo.createToken({ sub: 'alice', permissions: ['orders:read'] })) });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(ok.json, { id: 'o-1' });
      const other = await request(server.url, '/orders/o-1', { headers: bearer(apo.createToken({ sub: 'bob', permissions: ['orders:read'] })) });
      assert.equal(other.status, 403);
      assert.equal(other.json['error'], 'ERR_PERMISSION_DENIED');
      const unpermitted = await request(server.url, '/orders/o-1', { headers: bearer(apo.createToken({ sub: 'alice', permissions: [] })) });
      assert.equal(unpermitted.status, 403);
      assert.deepEqual(ran, ['o-1']);
    });

    test('a policy that throws something other than an Error: 500, and the method never runs', async () => {
      ran.length = 0;
      const answer = await request(server.url, '/orders/broken/o-1', { headers: bearer(apo.createToken({ sub: 'alice', permissions: ['orders:read'] })) });
      assert.equal(answer.status, 500, answer.text);
      assert.deepEqual(ran, []);
    });
  });
}
