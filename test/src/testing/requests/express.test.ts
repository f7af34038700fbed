// expressRequest: a decorated Express controller unit-tested without a server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApoJwt } from '@apojwt/core';
import { expressTemplate } from '@apojwt/express';
import { expressRequest, testIssuer } from '@apojwt/testing';

const issuer = testIssuer();
const apo = new ApoJwt({ template: expressTemplate(), ...issuer.verifierOptions() });

class OrdersController {
  calls = 0;
  @apo.decorators.permissionRequired('orders:read')
  list(req: IncomingMessage & { tokenSubject?: string }, res: ServerResponse & { json(body: unknown): unknown }): void {
    this.calls += 1;
    res.json({ orders: [], for: req.tokenSubject });
  }
}

test("expressRequest: real IncomingMessage/ServerResponse that the Express template's isRequest takes", () => {
  const call = expressRequest({ token: 'x.y.z' });
  assert.equal(expressTemplate().isRequest?.(call.args), true);
  assert.deepEqual(call.req.rawHeaders, ['Authorization', 'Bearer x.y.z']);
  assert.equal(call.req.headers['authorization'], 'Bearer x.y.z');
});

test('expressRequest: allowed, the handler runs with the claims attached and its answer is recorded', async () => {
  const controller = new OrdersController();
  const call = expressRequest({ token: issuer.token({ sub: 'ada', perms: ['orders:read'] }) });
  await controller.list(call.req, call.res as never);
  assert.equal(controller.calls, 1);
  const answer = call.answer();
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.body, { orders: [], for: 'ada' });
  assert.equal(answer.ended, true);
});

test('expressRequest: refused, 401 / 403 with the RFC 6750 challenge, and the handler never ran', async () => {
  const controller = new OrdersController();
  const none = expressRequest();
  await controller.list(none.req, none.res as never);
  assert.equal(none.answer().status, 401);
  assert.equal(none.answer().headers['www-authenticate'], 'Bearer');

  const weak = expressRequest({ token: issuer.token({ perms: ['orders:write'] }) });
  await controller.list(weak.req, weak.res as never);
  const answer = weak.answer();
  assert.equal(answer.status, 403);
  assert.deepEqual(answer.body, { error: 'ERR_PERMISSION_DENIED', message: 'the token does not grant the permission this route requires' });
  assert.match(String(answer.headers['www-authenticate']), /error="insufficient_scope"/);

  const twice = expressRequest({ headers: { authorization: ['Bearer a.b.c', 'Bearer d.e.f'] } });
  await controller.list(twice.req, twice.res as never);
  assert.equal(twice.answer().status, 400);
  assert.equal(controller.calls, 0);
});
