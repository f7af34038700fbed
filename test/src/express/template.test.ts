// The template conformance suite (@apojwt/conformance) on Express 5 and 4,
// TC39 and legacy decorators; expressTemplate's own options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwtConfigError } from '@apojwt/core';
import { expressTemplate } from '@apojwt/express';
import { runTemplateConformance } from '@apojwt/conformance';
import { EXPRESS_4, EXPRESS_5 } from '../support/express.js';

runTemplateConformance(EXPRESS_5);
runTemplateConformance(EXPRESS_4);

/** Options found wrong when the object is made, with a message naming the option: never at the first request. */
const configError = (pattern: RegExp) => (error: unknown) => error instanceof ApoJwtConfigError && pattern.test(error.message);

test("Express template options: a framework's errors mode, misspelt options and non-token cookie names are refused", () => {
  // Each framework has its own mode name; the other's used to be silently taken as 'respond'.
  assert.throws(() => expressTemplate({ errors: 'throw' as never }), configError(/errors must be 'respond' or 'next'/));
  // A misspelt option used to be ignored: the cookie was then never read.
  assert.throws(() => expressTemplate({ cookies: 'access_token' } as never), configError(/unknown template option "cookies"/));
  // Cookie names outside RFC 6265's token set: never matched by a browser's cookie, and a quote in one broke the challenge's quoted error_description.
  for (const cookie of ['tök', 'a b', 'a;b', '', 'a"b']) {
    assert.throws(() => expressTemplate({ cookie }), configError(/cookie must be a cookie name/), cookie);
  }
  assert.throws(() => expressTemplate(null as never), configError(/template options must be an object/));
  // Valid options still pass.
  assert.equal(expressTemplate({ name: 'x', cookie: 'access_token', refreshCookie: '__Host-sid', errors: 'next' }).name, 'x');
});
