// nestRequest: a controller method with core's decorators, called as Nest calls it (its own
// parameters), finds the request in the scope the fake enters; refusals are thrown for Nest's filter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, isApoJwtError } from '@apojwt/core';
import { nestTemplate } from '@apojwt/nest';
import { nestRequest, testIssuer } from '@apojwt/testing';

const issuer = testIssuer();
const apo = new ApoJwt({ template: nestTemplate(), ...issuer.verifierOptions() });

class OrdersController {
  calls = 0;
  @apo.decorators.permissionRequired('orders:read')
  show(id: string): { id: string } {
    this.calls += 1;
    return { id };
  }
}

test('nestRequest: allowed, the method runs with its own arguments and the claims land on the request', async () => {
  const controller = new OrdersController();
  const call = nestRequest({ token: issuer.token({ sub: 'ada', perms: ['orders:read'] }) });
  assert.deepEqual(await call.run(() => controller.show('7')), { id: '7' });
  assert.equal(call.request['tokenSubject'], 'ada');
  assert.equal(controller.calls, 1);
});

test('nestRequest: refused, the call rejects with the status Nest answers and the method never ran', async () => {
  const controller = new OrdersController();
  const weak = nestRequest({ token: issuer.token({ perms: ['billing:read'] }) });
  await assert.rejects(
    weak.run(() => controller.show('7')),
    (error: unknown) => isApoJwtError(error) && error.status === 403 && (error as unknown as { statusCode: number }).statusCode === 403,
  );
  const none = nestRequest();
  await assert.rejects(
    none.run(() => controller.show('7')),
    (error: unknown) => isApoJwtError(error) && error.code === 'ERR_TOKEN_MISSING',
  );
  assert.equal(controller.calls, 0);
  // Outside the fake's scope there is no request to check: the app's mistake, said as a TypeError.
  await assert.rejects(async () => controller.show('7'), TypeError);
});
