// fastifyRequest: a decorated Fastify controller unit-tested without a server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt } from '@apojwt/core';
import { fastifyTemplate } from '@apojwt/fastify';
import { fastifyRequest, testIssuer, type FakeFastifyReply, type FakeFastifyRequest } from '@apojwt/testing';

const issuer = testIssuer();
const apo = new ApoJwt({ template: fastifyTemplate(), ...issuer.verifierOptions() });

class OrdersController {
  calls = 0;
  @apo.decorators.tokenRequired()
  profile(request: FakeFastifyRequest, reply: FakeFastifyReply): FakeFastifyReply {
    this.calls += 1;
    return reply.code(200).send({ sub: request['tokenSubject'] });
  }
}

test("fastifyRequest: request.raw is a real IncomingMessage that the Fastify template's isRequest takes", () => {
  const call = fastifyRequest({ url: '/orders?page=2', body: { a: 1 } });
  assert.equal(fastifyTemplate().isRequest?.(call.args), true);
  assert.deepEqual(call.request.query, { page: '2' });
  assert.deepEqual(call.request.body, { a: 1 });
});

test('fastifyRequest: allowed, the reply carries the handler’s answer; refused, 401 and no handler; a second send throws', async () => {
  const controller = new OrdersController();
  const ok = fastifyRequest({ token: issuer.token({ sub: 'ada' }) });
  await controller.profile(ok.request, ok.reply);
  assert.deepEqual(ok.answer(), { status: 200, headers: {}, body: { sub: 'ada' }, ended: true });

  const forged = fastifyRequest({ token: testIssuer().token({ sub: 'ada' }) });
  await controller.profile(forged.request, forged.reply);
  assert.equal(forged.answer().status, 401);
  assert.deepEqual(forged.answer().body, { error: 'ERR_SIGNATURE_INVALID', message: 'the token signature is invalid' });
  assert.equal(controller.calls, 1);
  assert.throws(() => forged.reply.send('again'), /twice/);
});
