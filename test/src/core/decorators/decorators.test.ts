import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApoJwt,
  ApoJwtConfigError,
  ApoJwtError,
  createApoJwt,
  defaultApoJwt,
  allOf,
  definePolicy,
  permissionRequired,
  publicRoute,
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

describe('class and method requirements combine by one rule', () => {
  const rejections: { error: ApoJwtError; self: unknown }[] = [];
  const apo = new ApoJwt({ ...BASE, template: plainTemplate(rejections) });
  const reader = apo.createToken({ sub: 'r', permissions: ['orders:read'] });
  const writer = apo.createToken({ sub: 'w', permissions: ['orders:write'] });
  const both = apo.createToken({ sub: 'b', permissions: ['orders:read', 'orders:write'] });

  @permissionRequired('orders:read', { apo })
  class Orders {
    list(_req: FakeRequest) {
      return 'list';
    }
    // Adds: orders:read (class) and orders:write (method).
    @permissionRequired('orders:write', { apo })
    create(_req: FakeRequest) {
      return 'create';
    }
    // Replaces, explicitly: orders:write only.
    @permissionRequired('orders:write', { apo, replacesClass: true })
    archive(_req: FakeRequest) {
      return 'archive';
    }
    // Lifts the class requirement for this method only.
    @publicRoute()
    health(_req: FakeRequest) {
      return 'health';
    }
  }
  const orders = new Orders();

  test('a method requirement adds to the class requirement', async () => {
    assert.equal(await orders.list({ token: reader }), 'list');
    assert.equal(await orders.create({ token: both }), 'create');
    rejections.length = 0;
    assert.equal(await orders.create({ token: writer }), 'rejected');
    assert.equal(await orders.create({ token: reader }), 'rejected');
    assert.deepEqual(
      rejections.map((r) => r.error.code),
      ['ERR_PERMISSION_DENIED', 'ERR_PERMISSION_DENIED'],
    );
  });

  test('replacesClass: true replaces it, for that method only', async () => {
    assert.equal(await orders.archive({ token: writer }), 'archive');
    assert.equal(await orders.archive({ token: reader }), 'rejected');
    assert.equal(await orders.list({ token: writer }), 'rejected');
  });

  test('@publicRoute() on a method lifts the class requirement: no token needed', async () => {
    assert.equal(await orders.health({}), 'health');
    assert.equal(orders.health({}), 'health'); // not wrapped: no promise, no check
  });

  test('@publicRoute() on a class: methods without a requirement are public, one with its own keeps it', async () => {
    @publicRoute()
    class Site {
      home(_req: FakeRequest) {
        return 'home';
      }
      @permissionRequired('orders:read', { apo })
      account(_req: FakeRequest) {
        return 'account';
      }
    }
    const site = new Site();
    assert.equal(site.home({}), 'home');
    assert.equal(await site.account({ token: reader }), 'account');
    assert.equal(await site.account({}), 'rejected');
  });

  test('@publicRoute() beside a requirement on the same method or class is refused, in either order', () => {
    const contradiction = (error: unknown) => error instanceof ApoJwtConfigError && /marked @publicRoute\(\) and also carries a requirement/.test(error.message);
    assert.throws(() => {
      class A {
        @publicRoute()
        @permissionRequired('orders:read', { apo })
        m() {}
      }
      return A;
    }, contradiction);
    assert.throws(() => {
      class B {
        @permissionRequired('orders:read', { apo })
        @publicRoute()
        m() {}
      }
      return B;
    }, contradiction);
    assert.throws(() => {
      @publicRoute()
      @tokenRequired({ apo })
      class C {
        m() {}
      }
      return C;
    }, contradiction);
    assert.throws(() => {
      @tokenRequired({ apo })
      @publicRoute()
      class D {
        m() {}
      }
      return D;
    }, contradiction);
  });

  test('replacesClass on a class, or not a boolean, is refused', () => {
    assert.throws(() => {
      @tokenRequired({ apo, replacesClass: true })
      class E {
        m() {}
      }
      return E;
    }, /replacesClass applies to a method decorator/);
    assert.throws(() => tokenRequired({ apo, replacesClass: 'yes' as never }), /replacesClass must be a boolean/);
  });

  test('a rule in a method decorator is given the method arguments', async () => {
    const sameId = definePolicy('same-id', ({ claims, args }) => (args[1] as string) === claims.sub);
    class Things {
      @permissionRequired(allOf('orders:read', sameId), { apo })
      get(_req: FakeRequest, id: string) {
        return id;
      }
    }
    const things = new Things();
    assert.equal(await things.get({ token: reader }, 'r'), 'r');
    assert.equal(await things.get({ token: reader }, 'someone-else'), 'rejected');
  });
});
