import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApoJwt,
  ApoJwtConfigError,
  ApoJwtError,
  createApoJwt,
  defaultApoJwt,
  permissionRequired,
  setDefaultApoJwt,
  tokenRequired,
  TokenData,
  type InjectedValues,
  type Template,
} from '@apojwt/core';
// Registers the 'express' and 'koa' templates the refresh-endpoint setup test names.
import '@apojwt/express';
import '@apojwt/koa';
import { BASE } from '@apojwt/conformance';

/**
 * The decorator engine (packages/core/src/decorators/) without a framework: a
 * template whose "request" is a plain object `{ token }`. What the adapters
 * add is covered by the conformance suite over HTTP (@apojwt/conformance).
 */
interface FakeRequest {
  token?: string;
  attached?: InjectedValues;
}

function plainTemplate(rejections: { error: ApoJwtError; self: unknown }[]): Template {
  return {
    name: 'plain',
    tokenFinder: (req: FakeRequest) => req.token,
    refreshFinder: () => undefined,
    exceptionHandler(this: unknown, error: ApoJwtError) {
      rejections.push({ error, self: this });
      return 'rejected';
    },
    attach(args, values) {
      (args[0] as FakeRequest).attached = values;
    },
  };
}

const isConfigError = (error: unknown) => error instanceof ApoJwtConfigError;

describe('decorator engine', () => {
  test('a bad requirement throws when the class is defined, not at the first request', () => {
    for (const bad of ['orders read', '', 'orders:*', '"x"']) {
      assert.throws(() => {
        class Controller {
          @permissionRequired(bad)
          handle() {}
        }
        return Controller;
      }, isConfigError);
    }
    assert.throws(() => permissionRequired([]), isConfigError);
    assert.throws(() => permissionRequired({ any: [] }), isConfigError);
    assert.throws(() => permissionRequired({} as never), isConfigError);
  });

  test('on a field or an accessor the decorator refuses', () => {
    assert.throws(() => {
      class Controller {
        // @ts-expect-error: fields are not handlers
        @tokenRequired() field = 1;
      }
      return new Controller();
    }, isConfigError);
    assert.throws(() => {
      class Controller {
        @tokenRequired() get value() {
          return 1;
        }
      }
      return Controller;
    }, isConfigError);
  });

  test('this, sync return values and thrown errors pass through; values are attached', async () => {
    const rejections: { error: ApoJwtError; self: unknown }[] = [];
    const apo = new ApoJwt({ ...BASE, template: plainTemplate(rejections) });
    const failure = new Error('from the handler');
    class Controller {
      readonly name = 'ctl';
      @permissionRequired('orders:read', { apo })
      read(req: FakeRequest) {
        return `${this.name}:${req.attached?.tokenSubject}`;
      }
      @tokenRequired({ apo })
      fail(_req: FakeRequest): never {
        throw failure;
      }
    }
    const ctl = new Controller();
    const token = apo.createToken({ sub: 'u1', permissions: ['orders:read'] });
    assert.equal(await ctl.read({ token }), 'ctl:u1');
    await assert.rejects(Promise.resolve(ctl.fail({ token })), (error: unknown) => error === failure);
    assert.equal(rejections.length, 0);

    // A rejection: the exceptionHandler answers (with `this` = the instance) and the method does not run.
    assert.equal(await ctl.read({ token: apo.createToken({ sub: 'u1', permissions: [] }) }), 'rejected');
    assert.equal(rejections.length, 1);
    assert.equal(rejections[0]?.error.code, 'ERR_PERMISSION_DENIED');
    assert.equal(rejections[0]?.self, apo);
  });

  test('without an exceptionHandler the typed error propagates to the caller', async () => {
    const apo = new ApoJwt({ ...BASE, tokenFinder: (req: FakeRequest) => req.token });
    let ran = false;
    class Controller {
      @tokenRequired({ apo })
      handle(_req: FakeRequest) {
        ran = true;
      }
    }
    await assert.rejects(Promise.resolve(new Controller().handle({})), (error: unknown) => error instanceof ApoJwtError && error.code === 'ERR_TOKEN_MISSING' && error.status === 401);
    assert.equal(ran, false);
  });

  test('standalone decorators use the last createApoJwt instance, looked up per request', async () => {
    class Controller {
      @tokenRequired()
      handle(req: FakeRequest) {
        return req.attached?.tokenSubject;
      }
    }
    setDefaultApoJwt(undefined);
    await assert.rejects(Promise.resolve(new Controller().handle({ token: 'x.y.z' })), isConfigError);
    const first = createApoJwt({ ...BASE, template: plainTemplate([]) });
    const token = first.createToken({ sub: 'first' });
    assert.equal(await new Controller().handle({ token }), 'first');
    const second = createApoJwt({ ...BASE, secret: 'a-different-secret-for-the-second-instance', template: plainTemplate([]) });
    assert.equal(defaultApoJwt(), second);
    assert.equal(await new Controller().handle({ token }), 'rejected', "the second instance refuses the first one's token");
  });

  test('a requirement checks permission names at compile time when they are declared', () => {
    type Perm = 'orders:read' | 'orders:write';
    permissionRequired<Perm>('orders:read');
    permissionRequired<Perm>({ any: ['orders:read', 'orders:write'] });
    // Never called: only the compiler looks at it.
    const typo = () =>
      // @ts-expect-error: a typo in a declared permission name
      permissionRequired<Perm>('orders:reed');
    assert.equal(typeof typo, 'function');
  });

  test('parameter markers refuse a constructor parameter', () => {
    assert.throws(() => TokenData()(class {}, undefined, 0), isConfigError);
  });

  test('the refresh endpoint is refused at setup without refresh tokens or a responding template', () => {
    const noRefresh = new ApoJwt({ ...BASE, template: 'express' });
    assert.throws(() => noRefresh.refreshEndpoint(), isConfigError);
    const plain = new ApoJwt(BASE).configRefresh({ refreshSecret: 'r'.repeat(32) });
    assert.throws(() => plain.refreshEndpoint(), isConfigError);
    const bad = new ApoJwt({ ...BASE, template: 'koa' }).configRefresh({ refreshSecret: 'r'.repeat(32) });
    assert.throws(() => bad.refreshEndpoint({ cookie: { path: 'no\nnewline' } }), isConfigError);
  });
});
