import { test } from 'node:test';
import '@apojwt/express';
import '@apojwt/koa';
import '@apojwt/fastify';
import assert from 'node:assert/strict';
import { ApoJwt, ApoJwtConfigError } from '@apojwt/core';
import { authEndpoints, passwordLogin } from '@apojwt/auth';
import { authHandlers as expressAuthHandlers } from '@apojwt/express/auth';
import { authHandlers as koaAuthHandlers } from '@apojwt/koa/auth';
import { authHandlers as fastifyAuthHandlers } from '@apojwt/fastify/auth';

/**
 * The login endpoint on an instance without a login is the app's set-up
 * mistake: said when the route is mounted (the handler is read), naming the
 * public calls, never as a 500 at the first login. Refresh and logout stay
 * usable without a login.
 */

const OPTIONS = { secret: 'auth-endpoints-secret-0123456789-abcdefghij', iss: 'i', serverAudience: 'a' };
const namesTheFix = (error: unknown) => error instanceof ApoJwtConfigError && /passwordLogin/.test(error.message) && /configLogin/.test(error.message);

for (const [name, template, handlers] of [
  ['express', 'express', expressAuthHandlers],
  ['koa', 'koa', koaAuthHandlers],
  ['fastify', 'fastify', fastifyAuthHandlers],
] as const) {
  test(`${name}: authHandlers(apo).login without a login refuses at set-up; refresh and logout work without one`, () => {
    const apo = new ApoJwt({ ...OPTIONS, template }).configRefresh({ refreshSecret: 'r'.repeat(40) });
    const auth = handlers(apo);
    assert.throws(() => auth.login, namesTheFix);
    assert.equal(typeof auth.refresh, 'function');
    assert.equal(typeof auth.logout, 'function');
    assert.throws(() => authEndpoints(apo).login, namesTheFix);
  });

  test(`${name}: with a login (the instance's, or the endpoint's own), the login handler is there`, () => {
    const withLogin = new ApoJwt({ ...OPTIONS, template, login: passwordLogin({ getUser: () => undefined, limiter: false }) });
    assert.equal(withLogin.loginEnabled, true);
    assert.equal(typeof handlers(withLogin).login, 'function');
    const own = new ApoJwt({ ...OPTIONS, template });
    assert.equal(typeof handlers(own, { login: async () => 'token' }).login, 'function');
  });
}
