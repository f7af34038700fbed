// The permission matrix (SPEC §4): exact, wildcards, '*', admin, all-of, any-of.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwtConfigError, ApoJwtError, compileRequirement, grantCovers, satisfies, type PermissionRequirement } from '@apojwt/core';
import { FrozenClock, claimValues, isConfigError, makeApo, rejects } from '../support/core.js';

describe('grants against one required name', () => {
  const cases: [grant: string, required: string, covers: boolean][] = [
    ['orders:read', 'orders:read', true],
    ['orders:read', 'orders:write', false],
    ['orders:read', 'orders:read:all', false],
    ['orders:read', 'orders', false],
    ['orders:*', 'orders:read', true],
    ['orders:*', 'orders:items:write', true],
    ['orders:*', 'orders', false],
    ['orders:*', 'orders:', false],
    ['orders:*', 'ordersx:read', false],
    ['orders:*', 'order:read', false],
    ['orders:*', 'billing:orders:read', false],
    ['orders:items:*', 'orders:items:write', true],
    ['orders:items:*', 'orders:read', false],
    ['orders*', 'orders:read', false],
    ['orders:', 'orders:read', false],
    ['*', 'orders:read', true],
    ['*', 'anything', true],
    ['ORDERS:READ', 'orders:read', false],
  ];
  for (const [grant, required, covers] of cases) {
    test(`${grant} ${covers ? 'covers' : 'does not cover'} ${required}`, () => {
      assert.equal(grantCovers(grant, required, undefined), covers);
      assert.equal(satisfies([grant], compileRequirement(required)), covers);
    });
  }
  test('admin permission grants everything, only when configured', () => {
    assert.equal(satisfies(['root'], compileRequirement(['a', 'b:c']), 'root'), true);
    assert.equal(satisfies(['root'], compileRequirement('a')), false);
    assert.equal(satisfies(['root'], compileRequirement('a'), 'admin'), false);
  });
});

describe('requirements', () => {
  const held = ['orders:read', 'billing:*'];
  const cases: [PermissionRequirement, boolean][] = [
    ['orders:read', true],
    [['orders:read', 'billing:pay'], true],
    [['orders:read', 'orders:write'], false],
    [{ all: ['orders:read', 'billing:refund'] }, true],
    [{ all: ['orders:read', 'users:read'] }, false],
    [{ any: ['orders:write', 'billing:refund'] }, true],
    [{ any: ['orders:write', 'users:read'] }, false],
    [{ any: ['orders:read'] }, true],
  ];
  for (const [requirement, ok] of cases) {
    test(`${JSON.stringify(requirement)} → ${ok}`, () => assert.equal(satisfies(held, compileRequirement(requirement)), ok));
  }

  test('bad requirements are configuration errors', () => {
    const bad: unknown[] = [
      '',
      ' ',
      'orders read',
      'orders:*',
      '*',
      'a"b',
      'a\\b',
      'é',
      [],
      ['ok', ''],
      ['ok', 3],
      { any: [] },
      { all: [] },
      { any: 'orders:read' },
      { some: ['a'] },
      null,
      undefined,
      42,
    ];
    for (const requirement of bad) {
      assert.throws(() => compileRequirement(requirement as never), isConfigError(/permission/), JSON.stringify(requirement));
    }
  });

  test('a refused name is named: quoted, control characters escaped, truncated', () => {
    const named = (requirement: unknown, expected: string) =>
      assert.throws(
        () => compileRequirement(requirement as never),
        (error: unknown) => {
          assert.ok(error instanceof ApoJwtConfigError);
          assert.ok(error.message.includes(expected), `"${error.message}" lacks ${expected}`);
          return true;
        },
      );
    named('orders read', '"orders read"');
    named(['ok', 'orders:*'], '"orders:*"');
    named({ any: ['ok', 'a"b'] }, '"a\\"b"');
    named('line\nbreak\u0000', '"line\\nbreak\\u0000"');
    named(`x ${'y'.repeat(100)}`, `"x ${'y'.repeat(38)}…"`);
    named(['ok', 3], 'number');
    named(['ok', ''], '""');
    assert.throws(
      () => compileRequirement('bad\u001b[31mname' as never),
      (error: unknown) => error instanceof Error && !error.message.includes('\u001b'),
    );
  });

  test('{ all, any } together is refused, not half-applied', () => {
    assert.throws(() => compileRequirement({ all: ['users:delete'], any: ['orders:read'] } as never), isConfigError(/either \{ all \} or \{ any \}/));
  });

  test('a hand-made "compiled" requirement is not trusted', async () => {
    const clock = new FrozenClock();
    const apo = makeApo(clock);
    const token = apo.createToken({ sub: 'u', permissions: [] });
    await assert.rejects(apo.authorize(token, { mode: 'all', names: [] } as never), isConfigError(/permission requirement/));
  });
});

describe('authorize through the instance', () => {
  const clock = new FrozenClock();
  const apo = makeApo(clock, { adminPermission: 'admin' });

  test('403 ERR_PERMISSION_DENIED naming the requirement, never the grants', async () => {
    const token = apo.createToken({ sub: 'user-5531', permissions: ['orders:read', 'secret-grant-name'] });
    await assert.rejects(apo.authorize(token, 'orders:write'), (error: unknown) => {
      assert.ok(error instanceof ApoJwtError);
      assert.equal(error.code, 'ERR_PERMISSION_DENIED');
      assert.equal(error.status, 403);
      assert.deepEqual(error.details.requiredPermissions, ['orders:write']);
      for (const v of claimValues(token)) assert.ok(!error.message.includes(v));
      assert.ok(!error.message.includes('orders:read'));
      return true;
    });
    await rejects(apo.authorize(token, { any: ['users:read', 'users:write'] }), 'ERR_PERMISSION_DENIED');
    assert.equal((await apo.authorize(token, 'orders:read')).sub, 'user-5531');
    assert.equal((await apo.authorize(token)).sub, 'user-5531');
  });

  test('admin, wildcard and * tokens', async () => {
    const admin = apo.createToken({ sub: 'a', permissions: ['admin'] });
    assert.ok(await apo.authorize(admin, ['users:delete', 'orders:write']));
    const wildcard = apo.createToken({ sub: 'w', permissions: ['orders:*'] });
    assert.ok(await apo.authorize(wildcard, 'orders:items:write'));
    await rejects(apo.authorize(wildcard, 'orders'), 'ERR_PERMISSION_DENIED');
    await rejects(apo.authorize(wildcard, 'ordersx:read'), 'ERR_PERMISSION_DENIED');
    const star = apo.createToken({ sub: 's', permissions: ['*'] });
    assert.ok(await apo.authorize(star, { all: ['a', 'b:c:d'] }));
    assert.equal(apo.hasPermission({ perms: ['orders:*'] }, 'orders:read'), true);
    assert.equal(apo.hasPermission({ perms: ['orders:*'] }, 'orders'), false);
  });

  test('a compiled requirement is reused as is', async () => {
    const compiled = compileRequirement({ any: ['orders:read', 'orders:write'] });
    assert.ok(Object.isFrozen(compiled));
    const token = apo.createToken({ sub: 'u', permissions: ['orders:write'] });
    assert.ok(await apo.authorize(token, compiled));
  });

  test('the permission check runs after verification: an invalid token is 401, not 403', async () => {
    const token = apo.createToken({ sub: 'u', permissions: [] });
    await rejects(apo.authorize(`${token}x`, 'orders:read'), 'ERR_SIGNATURE_INVALID');
  });
});

test('only compileRequirement makes a compiled requirement: a spread copy or a look-alike is refused where a requirement is taken', async () => {
  const apo = makeApo(new FrozenClock());
  const token = apo.createToken({ sub: 'u', permissions: ['orders:read'] });
  const compiled = compileRequirement('refunds:approve');
  await rejects(apo.authorize(token, compiled as never), 'ERR_PERMISSION_DENIED');
  // { mode: 'all', names: [] } would be met by every token: neither a copy nor a look-alike is trusted as compiled.
  for (const lookAlike of [
    { ...compiled, names: [] },
    { mode: 'all', names: [] },
  ]) {
    await assert.rejects(apo.authorize(token, lookAlike as never), isConfigError(/permission requirement/));
  }
});
