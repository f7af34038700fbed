// actor.ts: the one shape of an RFC 8693 §4.1 actor chain, and reading it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_ACTOR_DEPTH, actorChain, isActorClaim, type ActorClaim } from '@apojwt/core';

const chain = (n: number): ActorClaim => (n === 1 ? { sub: 'a1' } : { sub: `a${n}`, act: chain(n - 1) });

test('isActorClaim: { sub, act? } with non-empty subjects, nested at most MAX_ACTOR_DEPTH deep', () => {
  assert.equal(MAX_ACTOR_DEPTH, 8);
  assert.equal(isActorClaim({ sub: 'orders' }), true);
  assert.equal(isActorClaim(chain(MAX_ACTOR_DEPTH)), true);
  assert.equal(isActorClaim(chain(MAX_ACTOR_DEPTH + 1)), false);
  for (const bad of [undefined, null, 'x', [], {}, { sub: '' }, { sub: 1 }, { sub: 'a', extra: 1 }, { sub: 'a', act: null }, { sub: 'a', act: { sub: 'b', act: 'c' } }]) {
    assert.equal(isActorClaim(bad), false, JSON.stringify(bad));
  }
});

test('actorChain: the current actor first, then each one it acted for', () => {
  assert.deepEqual(actorChain(undefined), []);
  assert.deepEqual(actorChain({ sub: 'orders', act: { sub: 'gateway' } }), ['orders', 'gateway']);
});
