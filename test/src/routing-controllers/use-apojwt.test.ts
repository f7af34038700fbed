import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwtErrorHandler, ApoJwtRequestScope, apoJwtMiddlewares, useApoJwt } from '@apojwt/routing-controllers';

describe('useApoJwt', () => {
  test("refuses defaultErrorHandler: true (routing-controllers' default handler cannot send the challenge)", () => {
    assert.throws(() => useApoJwt({ defaultErrorHandler: true }), { name: 'ApoJwtConfigError', message: /defaultErrorHandler: false/ });
    assert.throws(() => useApoJwt(null as never), { name: 'ApoJwtConfigError' });
  });

  test("puts apojwt's middlewares ahead of the app's and keeps the app's own checkers", () => {
    const own = () => true;
    const options = useApoJwt({ middlewares: ['./middlewares/*.js'], authorizationChecker: own });
    assert.equal(options.defaultErrorHandler, false);
    assert.equal((options.middlewares as unknown[])[0], ApoJwtRequestScope);
    assert.equal((options.middlewares as unknown[])[2], './middlewares/*.js');
    assert.equal(options.authorizationChecker, own);
    assert.equal(typeof options.currentUserChecker, 'function');
  });
});

test('apoJwtMiddlewares: the scope, then the Express error handler', () => {
  assert.deepEqual([...apoJwtMiddlewares], [ApoJwtRequestScope, ApoJwtErrorHandler]);
  assert.ok(Object.isFrozen(apoJwtMiddlewares));
});
