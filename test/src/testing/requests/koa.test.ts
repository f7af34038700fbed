// koaRequest: a decorated Koa controller unit-tested without a server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt } from '@apojwt/core';
import { koaTemplate } from '@apojwt/koa';
import { koaRequest, testIssuer, type FakeKoaContext } from '@apojwt/testing';

const issuer = testIssuer({ algorithm: 'ES256' });
const apo = new ApoJwt({ template: koaTemplate(), ...issuer.verifierOptions() });

class OrdersController {
  calls = 0;
  @apo.decorators.permissionRequired({ any: ['orders:read', 'admin'] })
  async list(ctx: FakeKoaContext): Promise<void> {
    this.calls += 1;
    ctx.body = { for: ctx.state['tokenSubject'] };
  }
}

test("koaRequest: a context on a real IncomingMessage that the Koa template's isRequest takes; Koa's 404 default", () => {
  const call = koaRequest();
  assert.equal(koaTemplate().isRequest?.(call.args), true);
  assert.equal(call.ctx.status, 404);
  call.ctx.body = 'x';
  assert.equal(call.ctx.status, 200);
});

test('koaRequest: allowed, the claims are in ctx.state and the body is recorded; refused, 401 / 403 and no handler', async () => {
  const controller = new OrdersController();
  const ok = koaRequest({ token: issuer.token({ sub: 'ada', perms: ['orders:read'] }) });
  await controller.list(ok.ctx);
  assert.deepEqual(ok.answer().body, { for: 'ada' });
  assert.equal(ok.answer().status, 200);
  assert.equal(controller.calls, 1);

  const expired = koaRequest({ token: issuer.token({ exp: issuer.clock.seconds() - 1 }) });
  await controller.list(expired.ctx);
  assert.equal(expired.answer().status, 401);
  assert.deepEqual(expired.answer().body, { error: 'ERR_TOKEN_EXPIRED', message: 'the token has expired' });
  assert.match(String(expired.answer().headers['www-authenticate']), /error="invalid_token"/);

  const weak = koaRequest({ token: issuer.token({ perms: [] }) });
  await controller.list(weak.ctx);
  assert.equal(weak.answer().status, 403);
  assert.equal(controller.calls, 1);
});
