// The template conformance suite (@apojwt/conformance) on Koa 3 and 2,
// TC39 and legacy decorators; koaTemplate's own options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwtConfigError } from '@apojwt/core';
import { koaTemplate } from '@apojwt/koa';
import { runTemplateConformance } from '@apojwt/conformance';
import { KOA_2, KOA_3 } from '../support/koa.js';

runTemplateConformance(KOA_3);
runTemplateConformance(KOA_2);

/** Options found wrong when the object is made, with a message naming the option: never at the first request. */
const configError = (pattern: RegExp) => (error: unknown) => error instanceof ApoJwtConfigError && pattern.test(error.message);

test("Koa template options: a framework's errors mode, misspelt options and non-token cookie names are refused", () => {
  // Each framework has its own mode name; the other's used to be silently taken as 'respond'.
  assert.throws(() => koaTemplate({ errors: 'next' as never }), configError(/errors must be 'respond' or 'throw'/));
  // A misspelt option used to be ignored: the cookie was then never read.
  assert.throws(() => koaTemplate({ refreshcookie: 'sid' } as never), configError(/unknown template option "refreshcookie"/));
  // Cookie names outside RFC 6265's token set: never matched by a browser's cookie, and a quote in one broke the challenge's quoted error_description.
  for (const cookie of ['tök', 'a b', 'a;b', '', 'a"b']) {
    assert.throws(() => koaTemplate({ refreshCookie: cookie }), configError(/refreshCookie must be a cookie name/), cookie);
  }
  assert.throws(() => koaTemplate({ name: '' }), configError(/name must be a non-empty string/));
  // Valid options still pass.
  assert.equal(koaTemplate({ errors: 'throw', cookie: undefined }).frameworkErrors, true);
});
