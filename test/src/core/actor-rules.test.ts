// Rules about who is asking (actor-rules.ts): actedBy (the current actor, or anywhere in the
// chain), notDelegated, subjectIs; combined with allOf / anyOf / not, reported in decision
// events, 403 when unmet and 401 (the rule not asked) for a bad token.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwtError, actedBy, allOf, anyOf, isRule, not, notDelegated, subjectIs, type ActorClaim, type DecisionEvent } from '@apojwt/core';
import { FrozenClock, accessHeader, accessPayload, isConfigError, makeApo, rejects, signRaw } from '../support/core.js';

const clock = new FrozenClock();
const events: DecisionEvent[] = [];
const apo = makeApo(clock, { onDecision: (event) => events.push(event) });

const ordersForAlice = { sub: 'svc:orders' } satisfies ActorClaim;
// billing exchanged the token orders had exchanged for alice: billing is the current actor.
const billingForOrders = { sub: 'svc:billing', act: { sub: 'svc:orders' } } satisfies ActorClaim;
const token = (sub: string, act?: ActorClaim) => apo.createAccessToken({ sub, permissions: ['billing:read'] }, act === undefined ? {} : { act });

const own = token('alice');
const viaOrders = token('alice', ordersForAlice);
const viaBilling = token('alice', billingForOrders);
const batch = token('svc:batch');

async function allowed(jwt: string, rule: Parameters<typeof apo.authorize>[1]): Promise<boolean> {
  try {
    await apo.authorize(jwt, rule);
    return true;
  } catch (error) {
    assert.ok(error instanceof ApoJwtError);
    assert.equal(error.code, 'ERR_PERMISSION_DENIED');
    assert.equal(error.status, 403);
    return false;
  }
}

describe('actedBy', () => {
  test('the current actor (the outermost act) must be the service named', async () => {
    const rule = actedBy('svc:orders');
    assert.equal(rule.requirement, 'actedBy("svc:orders")');
    assert.equal(await allowed(viaOrders, rule), true);
    assert.equal(await allowed(own, rule), false, 'the user in person is no actor');
    assert.equal(await allowed(viaBilling, rule), false, 'orders is in the chain, but billing presents the token');
    assert.equal(await allowed(token('svc:orders'), rule), false, "orders' own service token: orders is the subject, not an actor");
    assert.equal(await allowed(viaBilling, actedBy('svc:billing')), true);
  });

  test('{ inChain: true }: the service may be anywhere in the chain', async () => {
    const rule = actedBy('svc:orders', { inChain: true });
    assert.equal(rule.requirement, 'actedBy("svc:orders", { inChain: true })');
    assert.equal(await allowed(viaOrders, rule), true);
    assert.equal(await allowed(viaBilling, rule), true);
    assert.equal(await allowed(own, rule), false);
    assert.equal(await allowed(token('alice', { sub: 'svc:reports' }), rule), false);
    assert.equal(actedBy('svc:orders', { inChain: false }).requirement, 'actedBy("svc:orders")');
  });

  test('an actor name is compared whole: no prefix, no case folding', async () => {
    assert.equal(await allowed(token('alice', { sub: 'svc:orders-v2' }), actedBy('svc:orders')), false);
    assert.equal(await allowed(token('alice', { sub: 'SVC:ORDERS' }), actedBy('svc:orders')), false);
  });
});

describe('notDelegated and subjectIs', () => {
  test('notDelegated: no act claim, the subject presented its own token', async () => {
    assert.equal(notDelegated().requirement, 'notDelegated()');
    assert.equal(await allowed(own, notDelegated()), true);
    assert.equal(await allowed(batch, notDelegated()), true);
    assert.equal(await allowed(viaOrders, notDelegated()), false);
    assert.equal(await allowed(viaBilling, notDelegated()), false);
    assert.equal(await allowed(viaOrders, not(notDelegated())), true, 'not(notDelegated()): any delegated call');
  });

  test('subjectIs: the token’s subject, which an exchanged token keeps', async () => {
    const rule = subjectIs('svc:batch');
    assert.equal(rule.requirement, 'subjectIs("svc:batch")');
    assert.equal(await allowed(batch, rule), true);
    assert.equal(await allowed(own, rule), false);
    assert.equal(await allowed(viaOrders, subjectIs('alice')), true);
    assert.equal(await allowed(viaOrders, allOf(subjectIs('alice'), notDelegated())), false, 'alice, but not in person');
  });
});

describe('composition, reporting and refusals', () => {
  test('they combine with permission names and each other; the 403 names the whole rule and asks only for the names', async () => {
    const rule = allOf('billing:read', anyOf(actedBy('svc:orders'), subjectIs('svc:batch')));
    assert.equal(rule.requirement, 'allOf("billing:read", anyOf(actedBy("svc:orders"), subjectIs("svc:batch")))');
    assert.equal(await allowed(viaOrders, rule), true);
    assert.equal(await allowed(batch, rule), true);
    await assert.rejects(apo.authorize(own, rule), (error: unknown) => {
      assert.ok(error instanceof ApoJwtError);
      assert.equal(error.code, 'ERR_PERMISSION_DENIED');
      assert.equal(error.details.requirement, rule.requirement);
      assert.deepEqual(error.details.requiredPermissions, ['billing:read']);
      return true;
    });
    assert.equal(await allowed(apo.createAccessToken({ sub: 'svc:batch', permissions: [] }), rule), false, 'the permission still counts');
  });

  test('decision events report the rule as it reads, allowed and denied', async () => {
    events.length = 0;
    await apo.authorize(viaOrders, actedBy('svc:orders'));
    await rejects(apo.authorize(own, actedBy('svc:orders')), 'ERR_PERMISSION_DENIED');
    assert.deepEqual(
      events.map((event) => [event.outcome, event.status, event.requirement, event.sub]),
      [
        ['allow', 200, 'actedBy("svc:orders")', 'alice'],
        ['deny', 403, 'actedBy("svc:orders")', 'alice'],
      ],
    );
  });

  test('the token is verified first: a bad token is 401 whatever the rule; a malformed act claim is 401 too', async () => {
    await rejects(apo.authorize(`${viaOrders}x`, actedBy('svc:orders')), 'ERR_SIGNATURE_INVALID');
    clock.advance(3600);
    await rejects(apo.authorize(viaOrders, actedBy('svc:orders')), 'ERR_TOKEN_EXPIRED');
    clock.advance(-3600);
    // A hand-signed token whose act is not a chain of subjects: refused before any rule reads it.
    const forged = signRaw(accessHeader(apo), accessPayload(clock, { act: { sub: 'svc:orders', role: 'admin' } }));
    await rejects(apo.authorize(forged, actedBy('svc:orders')), 'ERR_CLAIM_INVALID');
    await rejects(apo.authorize(forged, notDelegated()), 'ERR_CLAIM_INVALID');
  });

  test('they are rules: frozen, accepted by the combinators, and their names checked where they are declared', () => {
    for (const rule of [actedBy('svc:orders'), notDelegated(), subjectIs('alice')]) {
      assert.ok(isRule(rule));
      assert.ok(Object.isFrozen(rule));
    }
    assert.throws(() => actedBy(''), isConfigError(/actedBy: "" refused: a subject is a non-empty string/));
    assert.throws(() => actedBy(42 as never), isConfigError(/actedBy: \(a number, not a string\) refused/));
    assert.throws(() => subjectIs('a\nb'), isConfigError(/subjectIs: "a\\nb" refused/));
    assert.throws(() => subjectIs('x'.repeat(257)), isConfigError(/at most 256 characters/));
    assert.throws(() => actedBy('svc:orders', { anywhere: true } as never), isConfigError(/unknown option "anywhere" \(inChain\)/));
    assert.throws(() => actedBy('svc:orders', { inChain: 'yes' } as never), isConfigError(/inChain must be true or false/));
    assert.throws(() => actedBy('svc:orders', null as never), isConfigError(/options must be an object/));
  });
});
