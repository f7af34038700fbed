import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, ApoJwtConfigError, createApoJwt, refresh, setDefaultApoJwt } from '@apojwt/core';

/** `@refresh()` on an instance without refresh tokens is the app's set-up mistake: said at set-up, naming the public call. */

const OPTIONS = { secret: 'refresh-enabled-secret-0123456789-abcdefghij', iss: 'i', serverAudience: 'a' };
const names = (error: unknown) => error instanceof ApoJwtConfigError && /configRefresh/.test(error.message) && !/consumeRefresh/.test(error.message);

test('a pinned instance: @refresh({ apo }), apo.decorators.refresh() and apo.refresh() refuse at set-up', () => {
  const apo = new ApoJwt(OPTIONS);
  assert.throws(() => refresh({ apo }), names);
  assert.throws(() => apo.decorators.refresh(), names);
  assert.throws(() => apo.refresh(), names);
  assert.doesNotThrow(() => new ApoJwt(OPTIONS).configRefresh({ refreshSecret: 'r'.repeat(40) }).refresh());
});

test('a standalone @refresh() meets its instance at the request: the same message, not an internal method', async () => {
  const apo = createApoJwt({ ...OPTIONS, tokenFinder: () => undefined, refreshFinder: () => 'a.b.c', exceptionHandler: () => 'answered' });
  class Session {
    @refresh()
    renew(..._args: unknown[]) {
      return 'renewed';
    }
  }
  try {
    await assert.rejects(Promise.resolve(new Session().renew({})), names);
  } finally {
    setDefaultApoJwt(undefined);
  }
  assert.equal(apo.refreshEnabled, false);
});
