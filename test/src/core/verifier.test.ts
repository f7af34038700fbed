// The synchronous fast path: `tryVerifySync`, and the decorators' guard
// answering a verified-cache hit without promises. Both must give exactly
// verify's answer (same claims, same rejections), never skip revocation, and
// leave an asynchronous revocation store in charge.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, MemoryRevocationStore, allOf, definePolicy, type ApoJwtError, type InjectedValues, type RevocationQuery, type RevocationStore, type Template } from '@apojwt/core';
import { FrozenClock, isRejection, makeApo, rejects } from '../support/core.js';

/** An asynchronous store (say, a remote one): answers with promises, counts questions. */
class AsyncStore implements RevocationStore {
  readonly inner = new MemoryRevocationStore();
  questions = 0;
  async isRevoked(query: RevocationQuery, now: number): Promise<boolean> {
    this.questions++;
    return this.inner.isRevoked(query, now);
  }
  async revokeToken(jti: string, expiresAt: number, now: number): Promise<void> {
    this.inner.revokeToken(jti, expiresAt, now);
  }
  async revokeSubject(sub: string, at: number, expiresAt: number, now: number): Promise<void> {
    this.inner.revokeSubject(sub, at, expiresAt, now);
  }
  async revokeFamily(fam: string, expiresAt: number, now: number): Promise<void> {
    this.inner.revokeFamily(fam, expiresAt, now);
  }
}

/** A synchronous store that can be taken down. */
class SwitchableStore extends MemoryRevocationStore {
  down = false;
  override isRevoked(query: RevocationQuery, now: number): boolean {
    if (this.down) throw new Error('connection refused');
    return super.isRevoked(query, now);
  }
}

/** Fails the test if a promise rejection goes unhandled while `fn` runs (and a few ticks after). */
async function noUnhandledRejection(fn: () => Promise<void>): Promise<void> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await fn();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', listener);
  }
  assert.deepEqual(seen, []);
}

describe('tryVerifySync', () => {
  test('undefined until verify has cached the token, then the very claims verify returns', async () => {
    const apo = makeApo(new FrozenClock());
    const token = apo.createToken({ sub: 'u', permissions: ['orders:read'] });
    assert.equal(apo.tryVerifySync(token), undefined);
    const claims = await apo.verify(token);
    assert.equal(apo.tryVerifySync(token), claims);
    assert.equal(apo.tryVerifySync(Buffer.from(token).toString()), claims, 'a fresh equal string is a hit');
  });

  test('undefined with the cache off', async () => {
    const apo = makeApo(new FrozenClock(), { cache: false });
    const token = apo.createToken({ sub: 'u' });
    await apo.verify(token);
    assert.equal(apo.tryVerifySync(token), undefined);
  });

  test('never answers for a token verify has not verified: forged, tampered, not a string', async () => {
    const apo = makeApo(new FrozenClock());
    const token = apo.createToken({ sub: 'u', permissions: ['orders:read'] });
    await apo.verify(token);
    const [h, p, sig] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, perms: ['*'] })).toString('base64url')}.${sig}`;
    assert.equal(apo.tryVerifySync(forged), undefined);
    await rejects(apo.verify(forged), 'ERR_SIGNATURE_INVALID');
    assert.equal(apo.tryVerifySync(`${token} `), undefined);
    assert.equal(apo.tryVerifySync(42 as unknown as string), undefined);
  });

  test('a revoked token (by jti, by subject) throws ERR_TOKEN_REVOKED, as verify rejects it', async () => {
    const apo = makeApo(new FrozenClock());
    const token = apo.createToken({ sub: 'u' });
    const other = apo.createToken({ sub: 'v' });
    await apo.verify(token);
    await apo.verify(other);
    await apo.revoke(token);
    assert.throws(() => apo.tryVerifySync(token), isRejection('ERR_TOKEN_REVOKED'));
    await rejects(apo.verify(token), 'ERR_TOKEN_REVOKED');
    await apo.revokeSubject('v');
    assert.throws(() => apo.tryVerifySync(other), isRejection('ERR_TOKEN_REVOKED'));
    await rejects(apo.verify(other), 'ERR_TOKEN_REVOKED');
  });

  test('an expired token is never answered (clock tolerance as verify applies it)', async () => {
    const clock = new FrozenClock();
    const apo = makeApo(clock, { expPeriod: 60, clockTolerance: 5 });
    const token = apo.createToken({ sub: 'u' });
    await apo.verify(token);
    clock.advance(64);
    assert.ok(apo.tryVerifySync(token));
    assert.ok(await apo.verify(token));
    clock.advance(1);
    assert.equal(apo.tryVerifySync(token), undefined);
    await rejects(apo.verify(token), 'ERR_TOKEN_EXPIRED');
    assert.equal(apo.tryVerifySync(token), undefined);
  });

  test('a synchronous store that cannot answer: ERR_STORE_UNAVAILABLE, or the claims with failOpen, as verify', async () => {
    const clock = new FrozenClock();
    const store = new SwitchableStore();
    const closed = makeApo(clock, { revocationStore: store });
    const open = makeApo(clock, { revocationStore: store, failOpen: true });
    const token = closed.createToken({ sub: 'u' });
    await closed.verify(token);
    const claims = await open.verify(token);
    store.down = true;
    assert.throws(() => closed.tryVerifySync(token), isRejection('ERR_STORE_UNAVAILABLE'));
    await rejects(closed.verify(token), 'ERR_STORE_UNAVAILABLE');
    assert.equal(open.tryVerifySync(token), claims);
    assert.equal(await open.verify(token), claims);
  });

  test('an asynchronous store stays in charge: undefined even for a cached token, verify decides', async () => {
    await noUnhandledRejection(async () => {
      const store = new AsyncStore();
      const apo = makeApo(new FrozenClock(), { revocationStore: store });
      const token = apo.createToken({ sub: 'u' });
      const claims = await apo.verify(token);
      assert.equal(apo.tryVerifySync(token), undefined);
      assert.equal(await apo.verify(token), claims);
      await apo.revoke(token);
      assert.equal(apo.tryVerifySync(token), undefined, 'a revoked answer arriving later is not lost: verify rejects');
      await rejects(apo.verify(token), 'ERR_TOKEN_REVOKED');
    });
  });
});

describe('guard fast path (decorators)', () => {
  interface FakeRequest {
    token?: string;
    attached?: InjectedValues;
  }
  function plainTemplate(rejections: ApoJwtError[]): Template {
    return {
      name: 'plain-fast-path',
      tokenFinder: (req: FakeRequest) => req.token,
      refreshFinder: () => undefined,
      exceptionHandler(error: ApoJwtError) {
        rejections.push(error);
        return 'rejected';
      },
      attach(args, values) {
        (args[0] as FakeRequest).attached = values;
      },
    };
  }

  function controller(apo: ApoJwt, calls: FakeRequest[]) {
    class Orders {
      @apo.decorators.permissionRequired('orders:read')
      list(req: FakeRequest) {
        calls.push(req);
        return 'listed';
      }
    }
    return new Orders();
  }

  test('a cache hit answers like the first request: same values attached, the method’s own value at once', async () => {
    const rejections: ApoJwtError[] = [];
    const calls: FakeRequest[] = [];
    const apo = makeApo(new FrozenClock(), { template: plainTemplate(rejections) });
    const orders = controller(apo, calls);
    const token = apo.createToken({ sub: 'u', permissions: ['orders:read'], data: { tenant: 't1' } });
    const first: FakeRequest = { token };
    const second: FakeRequest = { token };
    assert.equal(await orders.list(first), 'listed');
    const answered: unknown = orders.list(second);
    assert.equal(answered, 'listed', 'no promise on a cache hit');
    assert.deepEqual(second.attached, first.attached);
    assert.equal(second.attached?.tokenSubject, 'u');
    assert.deepEqual(rejections, []);
  });

  test('a rule of synchronous policies keeps a cache hit synchronous: the handler has run when the call returns; an async policy defers it', async () => {
    const rejections: ApoJwtError[] = [];
    const calls: FakeRequest[] = [];
    const apo = makeApo(new FrozenClock(), { template: plainTemplate(rejections) });
    const sameTenant = definePolicy('same-tenant', ({ claims }) => (claims.data as { tenant?: string }).tenant === 't1');
    const loaded = definePolicy('loaded', async () => true);
    class Orders {
      @apo.decorators.permissionRequired(allOf('orders:read', sameTenant))
      sync(req: FakeRequest) {
        calls.push(req);
        return 'sync';
      }
      @apo.decorators.permissionRequired(allOf('orders:read', loaded))
      later(req: FakeRequest) {
        calls.push(req);
        return 'later';
      }
    }
    const orders = new Orders();
    const token = apo.createToken({ sub: 'u', permissions: ['orders:read'], data: { tenant: 't1' } });
    await apo.verify(token);
    const hit = orders.sync({ token });
    assert.equal(calls.length, 1, 'the handler ran before the call returned');
    assert.equal(await hit, 'sync');
    const deferred = orders.later({ token });
    assert.equal(calls.length, 1, 'an async policy is awaited first');
    assert.equal(await deferred, 'later');
    assert.equal(calls.length, 2);
    assert.deepEqual(rejections, []);
  });

  test('on a hit: revoked → 401 ERR_TOKEN_REVOKED, missing permission → 403, handler never runs', async () => {
    const rejections: ApoJwtError[] = [];
    const calls: FakeRequest[] = [];
    const apo = makeApo(new FrozenClock(), { template: plainTemplate(rejections) });
    const orders = controller(apo, calls);
    const reader = apo.createToken({ sub: 'u', permissions: ['orders:read'] });
    const writer = apo.createToken({ sub: 'w', permissions: ['orders:write'] });
    await apo.verify(reader);
    await apo.verify(writer);
    await apo.revoke(reader);
    assert.equal(await orders.list({ token: reader }), 'rejected');
    assert.equal(await orders.list({ token: writer }), 'rejected');
    assert.deepEqual(
      rejections.map((e) => [e.code, e.status]),
      [
        ['ERR_TOKEN_REVOKED', 401],
        ['ERR_PERMISSION_DENIED', 403],
      ],
    );
    assert.equal(calls.length, 0);
  });

  test('a handler throwing on the synchronous path rejects the returned promise', async () => {
    const apo = makeApo(new FrozenClock(), { template: plainTemplate([]) });
    class Failing {
      @apo.decorators.tokenRequired()
      run(_req: FakeRequest): string {
        throw new RangeError('handler failed');
      }
    }
    const token = apo.createToken({ sub: 'u' });
    await apo.verify(token);
    const result: unknown = new Failing().run({ token });
    assert.ok(result instanceof Promise);
    await assert.rejects(result, RangeError);
  });

  test('with an asynchronous store, every request asks it exactly once and its answer decides', async () => {
    await noUnhandledRejection(async () => {
      const rejections: ApoJwtError[] = [];
      const calls: FakeRequest[] = [];
      const store = new AsyncStore();
      const apo = makeApo(new FrozenClock(), { template: plainTemplate(rejections), revocationStore: store });
      const orders = controller(apo, calls);
      const token = apo.createToken({ sub: 'u', permissions: ['orders:read'] });
      assert.equal(await orders.list({ token }), 'listed');
      assert.equal(await orders.list({ token }), 'listed');
      assert.equal(store.questions, 2);
      await apo.revokeSubject('u');
      assert.equal(await orders.list({ token }), 'rejected');
      assert.equal(store.questions, 3);
      assert.equal(rejections[0]?.code, 'ERR_TOKEN_REVOKED');
      assert.equal(calls.length, 2);
    });
  });

  test('an instance whose authorize is overridden is always asked through it', async () => {
    const seen: string[] = [];
    class Audited extends ApoJwt {
      override async authorize(...args: Parameters<ApoJwt['authorize']>): ReturnType<ApoJwt['authorize']> {
        seen.push('authorize');
        return super.authorize(...args);
      }
    }
    const clock = new FrozenClock();
    const rejections: ApoJwtError[] = [];
    const apo = new Audited({ secret: 'audited-secret-0123456789-abcdefgh', iss: 'i', serverAudience: 'a', now: clock.now, template: plainTemplate(rejections) });
    const orders = controller(apo, []);
    const token = apo.createToken({ sub: 'u', permissions: ['orders:read'] });
    await orders.list({ token });
    await orders.list({ token });
    assert.deepEqual(seen, ['authorize', 'authorize']);
  });
});
