import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Koa from 'koa';
import { ApoJwt, ApoJwtError, STATUS_BY_CODE, accessTokenMissing, toHttpErrorResponse, type ApoJwtErrorCode, type RevocationStore, type Template } from '@apojwt/core';
import { expressTemplate } from '@apojwt/express';
import { koaTemplate } from '@apojwt/koa';
import { AUD, ISS, SECRET } from '../support/core.js';

/**
 * The body and the challenge a client sees are fixed per error code. Custom
 * code (a key resolver, a store) may write anything into its error message,
 * for example the attacker's own `kid`; that text stays on the error, for the
 * server's log, and never reaches the response.
 */

const ATTACKER = 'attacker-text-7Qx <script>alert(1)</script>';
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** An RS256 token whose kid is the attacker's text (the resolver answers before any signature check). */
const HOSTILE_KID_TOKEN = `${b64({ alg: 'RS256', typ: 'at+jwt', kid: ATTACKER })}.${b64({ sub: 'u' })}.c2ln`;

/** A key resolver that quotes the kid it was asked for, as a careless one would. */
const chattyResolver = {
  resolve(kid: string | undefined): never {
    throw new ApoJwtError('ERR_KEY_UNKNOWN', `no key named "${String(kid)}" in vault`);
  },
};

/** A revocation store whose errors quote what it was asked (a claim) and its own internals. */
function chattyStore(code: ApoJwtErrorCode): RevocationStore {
  const refuse = (query: { sub: string }): never => {
    throw new ApoJwtError(code, `store at 10.0.0.5:6379 failed for subject ${query.sub}: ${ATTACKER}`);
  };
  return {
    isRevoked: refuse,
    revokeToken() {},
    revokeSubject() {},
    revokeFamily() {},
  };
}

interface Served {
  name: string;
  url: string;
  server: Server;
}

let ran = 0;
const served: Served[] = [];

async function serve(name: string, apo: ApoJwt<string>, kind: 'express' | 'koa'): Promise<void> {
  let server: Server;
  if (kind === 'express') {
    const app = express();
    app.get('/orders', apo.tokenRequired(), (_req, res) => {
      ran += 1;
      res.json({});
    });
    server = app.listen(0, '127.0.0.1');
  } else {
    const app = new Koa();
    app.silent = true;
    app.use(apo.tokenRequired());
    app.use((ctx) => {
      ran += 1;
      ctx.body = {};
    });
    server = app.listen(0, '127.0.0.1');
  }
  await once(server, 'listening');
  served.push({ name, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders` });
}

const TEMPLATES: Record<'express' | 'koa', (options: { name: string }) => Template> = { express: expressTemplate, koa: koaTemplate };
const CASES = [
  { name: 'resolver', code: 'ERR_KEY_UNKNOWN' as const },
  { name: 'store-down', code: 'ERR_STORE_UNAVAILABLE' as const },
  { name: 'store-revoked', code: 'ERR_TOKEN_REVOKED' as const },
];

function makeApo(kind: 'express' | 'koa', name: string, code: ApoJwtErrorCode): ApoJwt<string> {
  const template = TEMPLATES[kind]({ name: `http-error-${kind}-${name}` });
  if (name === 'resolver') return new ApoJwt({ algorithm: 'RS256', iss: ISS, serverAudience: AUD, template, keyResolver: chattyResolver });
  return new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, template, cache: false, revocationStore: chattyStore(code) });
}

describe('response bodies and challenges are fixed per error code', () => {
  const tokens: Record<string, string> = {};

  before(async () => {
    for (const kind of ['express', 'koa'] as const) {
      for (const { name, code } of CASES) {
        const apo = makeApo(kind, name, code);
        tokens[`${kind}-${name}`] = name === 'resolver' ? HOSTILE_KID_TOKEN : apo.createToken({ sub: `victim-${ATTACKER}` });
        await serve(`${kind}-${name}`, apo, kind);
      }
    }
  });

  after(async () => {
    for (const { server } of served) {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    }
  });

  beforeEach(() => {
    ran = 0;
  });

  for (const kind of ['express', 'koa'] as const) {
    for (const { name, code } of CASES) {
      test(`${kind}: a ${name} message with attacker text gives ${code} with the fixed message only`, async () => {
        const entry = served.find((s) => s.name === `${kind}-${name}`) as Served;
        const response = await fetch(entry.url, { headers: { authorization: `Bearer ${tokens[`${kind}-${name}`] as string}` } });
        const text = await response.text();
        const body = JSON.parse(text) as Record<string, unknown>;
        const challenge = response.headers.get('www-authenticate') ?? '';
        assert.equal(response.status, STATUS_BY_CODE[code], text);
        assert.equal(body['error'], code);
        assert.equal(ran, 0, 'the handler must not run');
        for (const leaked of ['attacker-text', '<script>', '10.0.0.5', 'vault', 'victim']) {
          assert.ok(!text.includes(leaked), `the body must not echo "${leaked}": ${text}`);
          assert.ok(!challenge.includes(leaked), `the challenge must not echo "${leaked}": ${challenge}`);
        }
        const fixed = toHttpErrorResponse(new ApoJwtError(code, 'anything at all')).body.message;
        assert.equal(body['message'], fixed, 'the body message is the fixed one for the code');
        if (STATUS_BY_CODE[code] === 401) assert.equal(challenge, `Bearer error="invalid_token", error_description="${fixed}"`);
      });
    }
  }
});

describe('toHttpErrorResponse', () => {
  test('every code has one fixed, non-empty message in RFC 6750 error_description characters', () => {
    for (const code of Object.keys(STATUS_BY_CODE) as ApoJwtErrorCode[]) {
      const a = toHttpErrorResponse(new ApoJwtError(code, `first ${ATTACKER}`));
      const b = toHttpErrorResponse(new ApoJwtError(code, 'second'));
      assert.equal(a.body.message, b.body.message, code);
      assert.equal(a.status, STATUS_BY_CODE[code]);
      assert.match(a.body.message, /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/, code);
      assert.ok(!JSON.stringify(a).includes('attacker'), code);
    }
  });

  test('the detail stays on the error for the server log', () => {
    const cause = new Error(`socket closed by ${ATTACKER}`);
    const error = new ApoJwtError('ERR_STORE_UNAVAILABLE', `the store said: ${ATTACKER}`, {}, { cause });
    const answer = toHttpErrorResponse(error);
    assert.equal(error.message, `the store said: ${ATTACKER}`);
    assert.equal(error.cause, cause);
    assert.ok(!answer.body.message.includes('attacker'));
  });
});

test('accessTokenMissing: the one "no access token" refusal every adapter throws, 401 with a bare challenge', () => {
  const error = accessTokenMissing();
  assert.ok(error instanceof ApoJwtError);
  assert.equal(error.code, 'ERR_TOKEN_MISSING');
  assert.equal(error.message, 'no access token was sent');
  const answer = toHttpErrorResponse(error);
  assert.equal(answer.status, 401);
  assert.equal(answer.headers['WWW-Authenticate'] ?? answer.headers['www-authenticate'], 'Bearer');
  assert.notEqual(accessTokenMissing(), error, 'a new error each time: its stack is the caller’s');
});
