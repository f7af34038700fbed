import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Koa from 'koa';
import { ApoJwt, ApoJwtError, toHttpErrorResponse } from '@apojwt/core';
import { expressTemplate } from '@apojwt/express';
import { koaTemplate } from '@apojwt/koa';

/**
 * A custom key resolver may quote the attacker's `kid` in its error message.
 * The challenge must stay a valid RFC 6750 header: before, a quote ended
 * error_description early and a non-Latin-1 character made Node refuse the
 * header, turning a 401 into a 500 with the handler-side error. Now the
 * description is the code's fixed sentence (see test/src/core/http-error.test.ts).
 */

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const hostileKid = 'k", error="none\u2603\\';
const TOKEN = `${b64({ alg: 'RS256', typ: 'at+jwt', kid: hostileKid })}.${b64({ sub: 'u' })}.c2ln`;

function chattyApo(name: string, template: typeof expressTemplate | typeof koaTemplate): ApoJwt<string> {
  return new ApoJwt({
    algorithm: 'RS256',
    iss: 'i',
    serverAudience: 'a',
    template: template({ name }),
    keyResolver: {
      resolve(kid) {
        throw new ApoJwtError('ERR_KEY_UNKNOWN', `no key named "${String(kid)}"`);
      },
    },
  });
}

test('error_description keeps to RFC 6750 §3 characters, whatever the message holds', () => {
  const answer = toHttpErrorResponse(new ApoJwtError('ERR_KEY_UNKNOWN', `no key named "${hostileKid}"`));
  const challenge = answer.headers['WWW-Authenticate'] as string;
  assert.match(challenge, /^Bearer error="invalid_token", error_description="[\x20\x21\x23-\x5b\x5d-\x7e]*"$/);
  assert.equal(answer.status, 401);
  const scope = toHttpErrorResponse(new ApoJwtError('ERR_PERMISSION_DENIED', 'x"y', { requiredPermissions: ['a'] }));
  // The description is the code's fixed sentence: the message's quote never reaches the header.
  assert.equal(scope.headers['WWW-Authenticate'], 'Bearer error="insufficient_scope", error_description="the token does not grant the permission this route requires", scope="a"');
});

let ran = 0;
const servers: Server[] = [];
const urls: Record<string, string> = {};

async function listen(name: string, server: Server): Promise<void> {
  await once(server, 'listening');
  servers.push(server);
  urls[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`;
}

before(async () => {
  const app = express();
  app.get('/orders', chattyApo('chatty-express', expressTemplate).tokenRequired(), (_req, res) => {
    ran += 1;
    res.json({});
  });
  await listen('express', app.listen(0, '127.0.0.1'));
  const koa = new Koa();
  koa.silent = true;
  koa.use(chattyApo('chatty-koa', koaTemplate).tokenRequired());
  koa.use((ctx) => {
    ran += 1;
    ctx.body = {};
  });
  await listen('koa', koa.listen(0, '127.0.0.1'));
});

after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  }
});

for (const framework of ['express', 'koa']) {
  test(`${framework}: a resolver message quoting a hostile kid is still a 401 with a valid challenge`, async () => {
    const response = await fetch(urls[framework] as string, { headers: { authorization: `Bearer ${TOKEN}` } });
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(response.status, 401);
    assert.equal(body['error'], 'ERR_KEY_UNKNOWN');
    assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token", error_description="[\x20\x21\x23-\x5b\x5d-\x7e]*"$/);
    assert.equal(ran, 0, 'the handler must not run');
  });
}
