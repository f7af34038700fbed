import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwtConfigError, MemoryRevocationStore, MemoryRotationStore } from '@apojwt/core';
import { runStoreConformance } from '@apojwt/conformance';

runStoreConformance('MemoryRevocationStore + MemoryRotationStore', ({ maxEntries }) => ({
  revocationStore: new MemoryRevocationStore(maxEntries === undefined ? {} : { maxEntries }),
  rotationStore: new MemoryRotationStore(maxEntries === undefined ? {} : { maxEntries }),
}));

/** Options found wrong when the object is made, with a message naming the option: never at the first request. */
const configError = (pattern: RegExp) => (error: unknown) => error instanceof ApoJwtConfigError && pattern.test(error.message);

test('memory stores: maxEntries is a whole number (a string used to turn the bound off)', async () => {
  const { MemoryRevocationStore, MemoryRotationStore } = await import('@apojwt/core');
  for (const maxEntries of ['1000', 0, -1, 1.5, Number.NaN]) {
    assert.throws(() => new MemoryRevocationStore({ maxEntries } as never), configError(/MemoryRevocationStore maxEntries must be a whole number/), String(maxEntries));
    assert.throws(() => new MemoryRotationStore({ maxEntries } as never), configError(/MemoryRotationStore maxEntries must be a whole number/), String(maxEntries));
  }
  assert.throws(() => new MemoryRevocationStore({ maxEntry: 10 } as never), configError(/unknown MemoryRevocationStore option "maxEntry"/));
  // The bound holds: with room for one, a second live revocation is refused (503), never an eviction.
  const store = new MemoryRevocationStore({ maxEntries: 1 });
  store.revokeToken('a', 100, 0);
  assert.throws(
    () => store.revokeToken('b', 100, 0),
    (error: unknown) => error instanceof Error && (error as { code?: string }).code === 'ERR_STORE_UNAVAILABLE',
  );
});
