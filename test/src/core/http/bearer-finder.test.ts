import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, ApoJwtError, bearerTokenFinder, findBearerToken, type Template } from '@apojwt/core';
import { SECRET, ISS, AUD } from '../../support/core.js';

/**
 * bearerTokenFinder: the adapters' tokenFinder. It answers what
 * findBearerToken answers over the raw header list it is given; without a
 * cookie the instance knows it reads the Authorization header alone (what
 * lets core's guard read that header itself, test/src/core/decorators/checks.bearer-header.test.ts).
 */

const TOKEN = 'aaa.bbb.ccc';
interface Request {
  rawHeaders: string[];
}
const auth = (...values: string[]): Request => ({ rawHeaders: values.flatMap((value) => ['Authorization', value]) });

function templateWith(tokenFinder: Template['tokenFinder']): Template {
  return { name: `bearer-finder-${Math.random()}`, tokenFinder, refreshFinder: () => undefined, exceptionHandler: () => undefined, attach: () => undefined };
}

test('the same answers as findBearerToken over the request the accessor names', () => {
  const finder = bearerTokenFinder((request: Request) => request.rawHeaders);
  for (const request of [auth(`Bearer ${TOKEN}`), auth(`bearer   ${TOKEN} `), auth('Basic dXNlcjpwYXNz'), auth(TOKEN), { rawHeaders: [] }]) {
    assert.equal(finder(request), findBearerToken(request.rawHeaders), JSON.stringify(request.rawHeaders));
  }
  for (const request of [auth(`Bearer ${TOKEN}`, `Bearer ${TOKEN}`), auth(`Bearer ${TOKEN} x`), auth('Bearer')]) {
    assert.throws(
      () => finder(request),
      (error: unknown) => error instanceof ApoJwtError && error.code === 'ERR_REQUEST_MALFORMED' && !error.message.includes(TOKEN),
    );
  }
  const withCookie = bearerTokenFinder((request: Request) => request.rawHeaders, { cookie: 'access_token' });
  assert.equal(withCookie({ rawHeaders: ['Cookie', `access_token=${TOKEN}`] }), TOKEN);
});

test('an instance reads the header itself only for a header-only finder of core, and not with the tokenFinder option', () => {
  const headers = (request: Request) => request.rawHeaders;
  const make = (options: { template: Template; tokenFinder?: Template['tokenFinder'] }) => new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, ...options });
  assert.equal(make({ template: templateWith(bearerTokenFinder(headers)) }).bearerHeaders, headers);
  assert.equal(make({ template: templateWith(bearerTokenFinder(headers, { cookie: 'access_token' })) }).bearerHeaders, undefined);
  assert.equal(make({ template: templateWith((request: Request) => findBearerToken(request.rawHeaders)) }).bearerHeaders, undefined);
  assert.equal(make({ template: templateWith(bearerTokenFinder(headers)), tokenFinder: () => TOKEN }).bearerHeaders, undefined);
});
