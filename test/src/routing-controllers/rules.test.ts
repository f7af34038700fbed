import 'reflect-metadata';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Get, JsonController, Param } from 'routing-controllers';
import { allOf, createApoJwt, definePolicy, permissionRequired, type ApoJwt, type JsonObject } from '@apojwt/core';
import { bearer, request } from '../support/routing-controllers/harness.js';
import { BASE } from '../support/routing-controllers/harness.js';
import { DRIVERS, routingControllersApp, type Running } from '../support/routing-controllers/app.js';

/**
 * Rules about the resource and the tenant on routing-controllers (both
 * drivers): the rule reads the method's own arguments (what `@Param` gave
 * it), the request comes from the scope, core decides; a refusal is 403
 * and the method never runs.
 */

const orders = new Map([
  ['o-1', { owner: 'alice' }],
  ['o-2', { owner: 'bob' }],
]);
const ran: string[] = [];
const ownsOrder = definePolicy('owns-order', ({ claims, args }) => orders.get(String(args[0]))?.owner === claims.sub);
const sameTenant = definePolicy('same-tenant', ({ claims, args }) => (claims.data as { tenant?: string }).tenant === args[0]);

@JsonController()
class RulesController {
  @Get('/orders/:id')
  @permissionRequired(allOf('orders:read', ownsOrder))
  show(@Param('id') id: string) {
    ran.push(`order ${id}`);
    return { id };
  }

  @permissionRequired(allOf('orders:read', sameTenant))
  @Get('/tenants/:tenant/orders')
  list(@Param('tenant') tenant: string) {
    ran.push(`tenant ${tenant}`);
    return { tenant };
  }
}

for (const driver of DRIVERS) {
  describe(`routing-controllers ${driver.name}: owner and tenant rules`, () => {
    let server: Running;
    let apo: ApoJwt<string, JsonObject, JsonObject>;
    const token = (sub: string, permissions: string[], tenant: string) => apo.createToken({ sub, permissions, data: { tenant } });
    const get = (path: string, authorization: string) => request(server.url, path, { headers: bearer(authorization) });

    before(async () => {
      apo = createApoJwt({ ...BASE, template: driver.template });
      server = await routingControllersApp(driver, apo, { controllers: [RulesController] });
    });
    after(() => server.close());

    test('the owner: 200; a non-owner: 403; the owner without the permission: 403; the method ran once', async () => {
      ran.length = 0;
      const owner = await get('/orders/o-1', token('alice', ['orders:read'], 't1'));
      assert.equal(owner.status, 200, owner.text);
      assert.deepEqual(owner.json, { id: 'o-1' });
      const other = await get('/orders/o-1', token('bob', ['orders:read'], 't1'));
      assert.equal(other.status, 403);
      assert.deepEqual(other.json, { error: 'ERR_PERMISSION_DENIED', message: other.json['message'] });
      assert.match(String(other.headers['www-authenticate']), /insufficient_scope/);
      assert.equal((await get('/orders/o-1', token('alice', [], 't1'))).status, 403);
      assert.deepEqual(ran, ['order o-1']);
    });

    test("the token's tenant: 200 on its own tenant, 403 on another", async () => {
      ran.length = 0;
      assert.equal((await get('/tenants/t1/orders', token('alice', ['orders:read'], 't1'))).status, 200);
      const elsewhere = await get('/tenants/t2/orders', token('alice', ['orders:read'], 't1'));
      assert.equal(elsewhere.status, 403);
      assert.equal(elsewhere.json['error'], 'ERR_PERMISSION_DENIED');
      assert.deepEqual(ran, ['tenant t1']);
    });
  });
}
