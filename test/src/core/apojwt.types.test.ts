// createToken's TypeScript result follows the configuration (without a
// declared Register): checked at compile time, confirmed at run time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, createApoJwt, type TokenPair } from '@apojwt/core';
import { AUD, FrozenClock, ISS, REFRESH_SECRET, SECRET } from '../support/core.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const typeCheck = <T extends true>(): boolean => true;

test('createToken returns string without refresh, TokenPair with it', () => {
  const clock = new FrozenClock();
  const base = { secret: SECRET, iss: ISS, serverAudience: AUD, now: clock.now };
  const plain = new ApoJwt(base);
  const configured = new ApoJwt(base).configRefresh({ refreshSecret: REFRESH_SECRET });
  const viaOption = createApoJwt({ ...base, refresh: { refreshSecret: REFRESH_SECRET } });
  const viaFactory = createApoJwt(base);
  const a = plain.createToken();
  const b = configured.createToken();
  const c = viaOption.createToken();
  const d = viaFactory.createToken();
  assert.ok(typeCheck<Equal<typeof a, string>>() && typeCheck<Equal<typeof b, TokenPair>>());
  assert.ok(typeCheck<Equal<typeof c, TokenPair>>() && typeCheck<Equal<typeof d, string>>());
  // Without a Register, names are plain strings: anything compiles.
  assert.ok(
    typeCheck<
      Equal<
        Parameters<typeof plain.authorize>[1],
        import('@apojwt/core').PermissionRequirement<string> | import('@apojwt/core').CompiledRequirement | import('@apojwt/core').Rule | undefined
      >
    >(),
  );
  assert.equal(typeof a, 'string');
  assert.equal(typeof b.accessToken, 'string');
  assert.equal(typeof c.refreshToken, 'string');
  assert.equal(typeof d, 'string');
});
