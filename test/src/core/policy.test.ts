// Rules about the resource and the tenant (policy.ts): definePolicy, the
// combinators, sync and async evaluation, and what a denial or a throw becomes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwtError, allOf, anyOf, definePolicy, isRule, not, type PolicyContext } from '@apojwt/core';
import { FrozenClock, claimValues, isConfigError, makeApo, rejects } from '../support/core.js';

interface Order {
  owner: string;
  tenant: string;
}
const orders = new Map<string, Order>([
  ['o-1', { owner: 'alice', tenant: 'acme' }],
  ['o-2', { owner: 'bob', tenant: 'acme' }],
]);
const orderOf = (context: PolicyContext): Order | undefined => orders.get(String((context.args[0] as { orderId?: string } | undefined)?.orderId));

const owner = definePolicy('owner', (context) => orderOf(context)?.owner === context.claims.sub);
const ownerLater = definePolicy('owner-loaded', async (context) => {
  await new Promise<void>((resolve) => setImmediate(resolve)); // a resource lookup
  return orderOf(context)?.owner === context.claims.sub;
});
const sameTenant = definePolicy('same-tenant', ({ claims, args }) => (claims.data as { tenant?: string }).tenant === (args[0] as { tenant?: string }).tenant);

describe('definePolicy and the combinators', () => {
  const clock = new FrozenClock();
  const apo = makeApo(clock, { adminPermission: 'admin' });
  const alice = apo.createToken({ sub: 'alice', permissions: ['orders:read'], data: { tenant: 'acme' } });
  const bob = apo.createToken({ sub: 'bob', permissions: [], data: { tenant: 'acme' } });

  test('a policy is given the verified claims and the input; true allows, false is 403 naming the rule', async () => {
    assert.equal((await apo.authorize(alice, owner, { args: [{ orderId: 'o-1' }] })).sub, 'alice');
    await assert.rejects(apo.authorize(alice, owner, { args: [{ orderId: 'o-2' }] }), (error: unknown) => {
      assert.ok(error instanceof ApoJwtError);
      assert.equal(error.code, 'ERR_PERMISSION_DENIED');
      assert.equal(error.status, 403);
      assert.equal(error.details.requirement, 'owner');
      assert.match(error.message, /does not satisfy owner/);
      for (const value of claimValues(alice)) assert.ok(!error.message.includes(value), value);
      return true;
    });
  });

  test('async policies: allowed and denied', async () => {
    assert.ok(await apo.authorize(alice, ownerLater, { args: [{ orderId: 'o-1' }] }));
    await rejects(apo.authorize(bob, ownerLater, { args: [{ orderId: 'o-1' }] }), 'ERR_PERMISSION_DENIED');
  });

  test('allOf mixes permission names and rules; the 403 names the whole requirement, never the grants', async () => {
    const rule = allOf('orders:read', owner);
    assert.equal(rule.requirement, 'allOf("orders:read", owner)');
    assert.ok(await apo.authorize(alice, rule, { args: [{ orderId: 'o-1' }] }));
    await assert.rejects(apo.authorize(bob, rule, { args: [{ orderId: 'o-2' }] }), (error: unknown) => {
      assert.ok(error instanceof ApoJwtError);
      assert.equal(error.details.requirement, 'allOf("orders:read", owner)');
      assert.deepEqual(error.details.requiredPermissions, ['orders:read']);
      return true;
    });
  });

  test('anyOf, not, nesting, and the admin permission counting for a name', async () => {
    const ownerOrAdmin = anyOf(owner, 'admin');
    const admin = apo.createToken({ sub: 'root', permissions: ['admin'] });
    assert.ok(await apo.authorize(admin, ownerOrAdmin, { args: [{ orderId: 'o-1' }] }));
    await rejects(apo.authorize(bob, ownerOrAdmin, { args: [{ orderId: 'o-1' }] }), 'ERR_PERMISSION_DENIED');
    const notOwner = not(owner);
    assert.equal(notOwner.requirement, 'not(owner)');
    assert.ok(await apo.authorize(bob, notOwner, { args: [{ orderId: 'o-1' }] }));
    await rejects(apo.authorize(alice, notOwner, { args: [{ orderId: 'o-1' }] }), 'ERR_PERMISSION_DENIED');
    const nested = allOf(sameTenant, anyOf(ownerLater, 'orders:write'));
    assert.equal(nested.requirement, 'allOf(same-tenant, anyOf(owner-loaded, "orders:write"))');
    assert.ok(await apo.authorize(alice, nested, { args: [{ orderId: 'o-1', tenant: 'acme' }] }));
    await rejects(apo.authorize(alice, nested, { args: [{ orderId: 'o-1', tenant: 'globex' }] }), 'ERR_PERMISSION_DENIED');
  });

  test('allOf stops at the first denial, anyOf at the first grant: later policies are not asked', async () => {
    let asked = 0;
    const counting = definePolicy('counting', () => {
      asked++;
      return true;
    });
    await rejects(apo.authorize(bob, allOf('orders:read', counting)), 'ERR_PERMISSION_DENIED');
    assert.ok(await apo.authorize(alice, anyOf('orders:read', counting)));
    assert.equal(asked, 0);
    assert.ok(await apo.authorize(alice, allOf('orders:read', counting)));
    assert.equal(asked, 1);
  });

  test('a policy that throws is the application’s failure: it propagates unchanged (a 500, not a 403)', async () => {
    const bug = new RangeError('database is down');
    const broken = definePolicy('broken', () => {
      throw bug;
    });
    await assert.rejects(apo.authorize(alice, broken), (error: unknown) => error === bug);
    const brokenLater = definePolicy('broken-later', async () => Promise.reject(bug));
    await assert.rejects(apo.authorize(alice, anyOf(brokenLater, 'orders:write')), (error: unknown) => error === bug);
  });

  test('a policy that answers anything but a boolean fails closed, loudly', async () => {
    const forgot = definePolicy('forgot-return', (() => undefined) as never);
    await assert.rejects(apo.authorize(alice, forgot), isConfigError(/policy "forgot-return" must answer true or false, not undefined/));
    const truthy = definePolicy('truthy', (async () => 1) as never);
    await assert.rejects(apo.authorize(alice, truthy), isConfigError(/must answer true or false, not number/));
  });

  test('verification comes first: a bad token is 401 and the policy is not asked', async () => {
    let asked = false;
    const spy = definePolicy('spy', () => (asked = true));
    await rejects(apo.authorize(`${alice}x`, spy), 'ERR_SIGNATURE_INVALID');
    assert.equal(asked, false);
  });

  test('bad declarations are refused, naming the culprit', () => {
    assert.throws(() => definePolicy('has space', () => true), isConfigError(/name "has space" refused/));
    assert.throws(() => definePolicy('owner', 'yes' as never), isConfigError(/"owner" needs a function/));
    assert.throws(() => allOf(), isConfigError(/allOf needs at least one/));
    assert.throws(() => anyOf('ok', 'or*ders' as never), isConfigError(/anyOf: "or\*ders" is neither a rule/));
    assert.throws(() => not({ requirement: 'owner' } as never), isConfigError(/not: \(a object, not a string\) is neither/));
    assert.equal(isRule({ requirement: 'owner' }), false);
    assert.ok(isRule(owner));
    assert.ok(Object.isFrozen(owner));
  });
});
