import 'reflect-metadata';
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BadRequestError, Get, JsonController } from 'routing-controllers';
import { createApoJwt, type ApoJwt, type JsonObject } from '@apojwt/core';
import { request } from '../support/routing-controllers/harness.js';
import { BASE } from '../support/routing-controllers/harness.js';
import { DRIVERS, routingControllersApp, type Running } from '../support/routing-controllers/app.js';
import { captureConsoleErrors } from '../support/routing-controllers/console-errors.js';

let apo: ApoJwt<string, JsonObject, JsonObject, false>;

@JsonController('/errors')
class ErrorsController {
  // routing-controllers' own error: not apojwt's to answer.
  @Get('/bad-request')
  badRequest(): never {
    throw new BadRequestError('the app refused this');
  }

  // An ApoJwtError the app's own code throws (not through a decorator): answered with core's status, body and challenge.
  @Get('/own-check')
  async ownCheck() {
    return apo.authorize('abc.def.ghi');
  }
}

for (const driver of DRIVERS) {
  describe(`routing-controllers ${driver.name}: refusal answers`, () => {
    let server: Running;
    const logged = captureConsoleErrors();

    before(async () => {
      apo = createApoJwt({ ...BASE, template: driver.template });
      server = await routingControllersApp(driver, apo, { controllers: [ErrorsController] });
    });
    after(() => server.close());
    afterEach(() => assert.deepEqual(logged.take(), []));

    test("another error goes on to the app's own error handling", async () => {
      const answer = await request(server.url, '/errors/bad-request');
      assert.equal(answer.status, 400);
      assert.deepEqual(answer.json, { handledBy: 'app' });
      assert.equal(answer.headers['www-authenticate'], undefined);
    });

    test("an ApoJwtError thrown by the app's own code: core's status, challenge and { error, message }", async () => {
      const answer = await request(server.url, '/errors/own-check');
      assert.equal(answer.status, 401);
      assert.deepEqual(Object.keys(answer.json).sort(), ['error', 'message']);
      assert.equal(answer.json['error'], 'ERR_TOKEN_MALFORMED');
      assert.match(String(answer.headers['www-authenticate']), /^Bearer error="invalid_token"/);
    });
  });
}
