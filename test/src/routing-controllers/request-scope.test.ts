import 'reflect-metadata';
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getMetadataArgsStorage, Get, JsonController, UseBefore } from 'routing-controllers';
import { createApoJwt, tokenRequired, TokenSubject, type ApoJwt, type JsonObject } from '@apojwt/core';
import { ApoJwtErrorHandler, ApoJwtRequestScope } from '@apojwt/routing-controllers';
import { request, bearer } from '../support/routing-controllers/harness.js';
import { BASE } from '../support/routing-controllers/harness.js';
import { DRIVERS, routingControllersApp, type Running } from '../support/routing-controllers/app.js';
import { captureConsoleErrors } from '../support/routing-controllers/console-errors.js';

class AuditService {
  @tokenRequired()
  async actor(@TokenSubject() sub?: string): Promise<string | undefined> {
    return sub;
  }
}
const audit = new AuditService();
const seen: (string | undefined)[] = [];

/**
 * A per-action middleware, on either driver: it runs inside the scope, so a
 * decorated service it calls checks this request. On Express it returns
 * nothing and hands a failure to next() itself: routing-controllers 0.11 both
 * handles a rejected promise of a @UseBefore middleware and returns it to
 * Express 5, which handles it again (any error, apojwt's or not).
 */
class AuditMiddleware {
  use(...args: unknown[]): unknown {
    const next = args[args.length - 1] as (error?: unknown) => unknown;
    const checked = audit.actor().then((actor) => {
      seen.push(actor);
    });
    if (args.length === 2) return checked.then(() => next());
    checked.then(() => next(), next);
    return undefined;
  }
}

@JsonController('/scoped')
class ScopedController {
  @Get('/audited')
  @UseBefore(AuditMiddleware)
  audited() {
    return { ok: true };
  }
}

test('the scope is the innermost global before middleware; the Express error handler the first after one', () => {
  const byTarget = (target: abstract new (...args: never[]) => unknown) => getMetadataArgsStorage().middlewares.find((m) => m.target === target);
  assert.deepEqual({ ...byTarget(ApoJwtRequestScope) }, { target: ApoJwtRequestScope, type: 'before', global: true, priority: Number.MIN_SAFE_INTEGER });
  assert.deepEqual({ ...byTarget(ApoJwtErrorHandler) }, { target: ApoJwtErrorHandler, type: 'after', global: true, priority: Number.MAX_SAFE_INTEGER });
});

for (const driver of DRIVERS) {
  describe(`routing-controllers ${driver.name}: request scope`, () => {
    let server: Running;
    let apo: ApoJwt<string, JsonObject, JsonObject, false>;
    const logged = captureConsoleErrors();

    before(async () => {
      apo = createApoJwt({ ...BASE, template: driver.template });
      server = await routingControllersApp(driver, apo, { controllers: [ScopedController] });
    });
    after(() => server.close());
    afterEach(() => assert.deepEqual(logged.take(), []));

    test('a @UseBefore middleware calling a decorated service: checked against this request, refusals answered', async () => {
      seen.length = 0;
      const token = apo.createToken({ sub: 'auditor-1' }) as string;
      const allowed = await request(server.url, '/scoped/audited', { headers: bearer(token) });
      assert.equal(allowed.status, 200, allowed.text);
      assert.deepEqual(seen, ['auditor-1']);
      const refused = await request(server.url, '/scoped/audited');
      assert.equal(refused.status, 401);
      assert.equal(refused.json['error'], 'ERR_TOKEN_MISSING');
      assert.equal(refused.headers['www-authenticate'], 'Bearer');
      assert.deepEqual(seen, ['auditor-1']);
    });
  });
}
