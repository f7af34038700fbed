import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryApiKeyStore } from '@apojwt/core';
import { runApiKeyStoreConformance } from '@apojwt/conformance';
import { configError } from '../../support/helpers.js';

runApiKeyStoreConformance('MemoryApiKeyStore', () => ({ store: new MemoryApiKeyStore() }));

test('MemoryApiKeyStore: maxEntries is checked when made, and a full store refuses a new key (503) instead of dropping one', () => {
  assert.throws(() => new MemoryApiKeyStore({ maxEntries: 0 }), configError('MemoryApiKeyStore maxEntries'));
  assert.throws(() => new MemoryApiKeyStore({ maxEntry: 1 } as never), configError('unknown MemoryApiKeyStore option "maxEntry"'));
  const store = new MemoryApiKeyStore({ maxEntries: 1 });
  const record = { id: 'A'.repeat(16), hash: 'aA', subject: 's', permissions: [], createdAt: 1, revoked: false };
  store.insert(record);
  assert.throws(
    () => store.insert({ ...record, id: 'B'.repeat(16) }),
    (error: unknown) => (error as { code?: string }).code === 'ERR_STORE_UNAVAILABLE',
  );
  assert.equal(store.get('A'.repeat(16))?.subject, 's');
});
