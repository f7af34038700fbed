import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { ApiKeys, MemoryApiKeyStore } from '@apojwt/core';
import { apoError, configError } from '../../support/helpers.js';

/** What key-hash.ts stores, seen in the store: SHA-256 of the key, or HMAC-SHA-256 with the pepper; never the key. */
test('the store holds SHA-256 of the key (base64url), never the key', async () => {
  const store = new MemoryApiKeyStore();
  const { id, key } = await new ApiKeys({ store }).create({ subject: 's', permissions: [] });
  const stored = store.get(id)!;
  assert.equal(stored.hash, createHash('sha256').update(key).digest('base64url'));
  assert.ok(!JSON.stringify(stored).includes(key.slice(-49)));
});

test('with a pepper, HMAC-SHA-256 keyed by it: another pepper refuses every key', async () => {
  const store = new MemoryApiKeyStore();
  const pepper = 'pepper-0123456789-0123456789-abcdef';
  const { id, key } = await new ApiKeys({ store, pepper }).create({ subject: 's', permissions: [] });
  assert.equal(store.get(id)!.hash, createHmac('sha256', pepper).update(key).digest('base64url'));
  assert.equal((await new ApiKeys({ store, pepper }).verify(key)).sub, 's');
  await assert.rejects(new ApiKeys({ store, pepper: `${pepper}!` }).verify(key), apoError('ERR_API_KEY_INVALID', 401));
  await assert.rejects(new ApiKeys({ store }).verify(key), apoError('ERR_API_KEY_INVALID', 401));
});

test('a pepper shorter than 32 bytes, or not text or bytes, is refused', () => {
  assert.throws(() => new ApiKeys({ pepper: 'short' }), configError('pepper'));
  assert.throws(() => new ApiKeys({ pepper: 42 as never }), configError('pepper'));
  assert.ok(new ApiKeys({ pepper: new Uint8Array(32) }));
});
