import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwtError, type RevocationQuery, type RevocationStore, type RotationStore } from '@apojwt/core';

/** One pair of stores under test, fresh for each test (a new key prefix on a shared server). */
export interface StoresUnderTest {
  readonly revocationStore: RevocationStore;
  readonly rotationStore: RotationStore;
  /** Called after each test, passed or failed. */
  close?(): void | Promise<void>;
}

export interface StoreFactoryOptions {
  /** The bound to give the stores (entries per kind), for the tests of a full store; absent: the store's default. */
  readonly maxEntries?: number;
}

export interface StoreConformanceOptions {
  /**
   * Whether the rotation store honours `maxEntries`. A store whose memory is
   * another server's (Redis and its `maxmemory`) says false, and the test of
   * a full rotation store is left out for it.
   */
  readonly rotationStoreBounded?: boolean;
}

/**
 * The contract every revocation and rotation store must keep, as one
 * node:test suite: call it from the test file of each implementation with a
 * factory of fresh stores. Times are explicit seconds (the stores take `now`
 * as an argument), so nothing here waits for the clock.
 */
export function runStoreConformance(name: string, makeStores: (options: StoreFactoryOptions) => StoresUnderTest | Promise<StoresUnderTest>, options: StoreConformanceOptions = {}): void {
  const withStores = async (factoryOptions: StoreFactoryOptions, body: (stores: StoresUnderTest) => Promise<void>): Promise<void> => {
    const stores = await makeStores(factoryOptions);
    try {
      await body(stores);
    } finally {
      await stores.close?.();
    }
  };
  const now = Math.floor(Date.now() / 1000);
  const query = (overrides: Partial<RevocationQuery>): RevocationQuery => ({ jti: undefined, sub: 'nobody', iat: now, ...overrides });

  describe(`${name}: store conformance`, () => {
    test('revocation by jti covers that token only', () =>
      withStores({}, async ({ revocationStore: store }) => {
        await store.revokeToken('jti-1', now + 60, now);
        assert.equal(await store.isRevoked(query({ jti: 'jti-1' }), now), true);
        assert.equal(await store.isRevoked(query({ jti: 'jti-2' }), now), false);
        assert.equal(await store.isRevoked(query({}), now), false, 'a token without jti is not revoked by a jti entry');
      }));

    test('revocation by subject covers tokens issued at or before the instant (same second included), not after', () =>
      withStores({}, async ({ revocationStore: store }) => {
        await store.revokeSubject('alice', now, now + 60, now);
        assert.equal(await store.isRevoked(query({ sub: 'alice', iat: now - 30 }), now), true);
        assert.equal(await store.isRevoked(query({ sub: 'alice', iat: now }), now), true);
        assert.equal(await store.isRevoked(query({ sub: 'alice', iat: now + 1 }), now + 1), false, 'a login after the revocation works');
        assert.equal(await store.isRevoked(query({ sub: 'bob', iat: now - 30 }), now), false);
        // An older instant written later never moves the revocation back.
        await store.revokeSubject('alice', now - 100, now + 60, now);
        assert.equal(await store.isRevoked(query({ sub: 'alice', iat: now }), now), true);
        // A later one moves it forward.
        await store.revokeSubject('alice', now + 5, now + 60, now + 5);
        assert.equal(await store.isRevoked(query({ sub: 'alice', iat: now + 5 }), now + 5), true);
      }));

    test('revocation by refresh family covers every token of the family', () =>
      withStores({}, async ({ revocationStore: store }) => {
        await store.revokeFamily('fam-1', now + 60, now);
        assert.equal(await store.isRevoked(query({ fam: 'fam-1', jti: 'any' }), now), true);
        assert.equal(await store.isRevoked(query({ fam: 'fam-2', jti: 'any' }), now), false);
        assert.equal(await store.isRevoked(query({ jti: 'any' }), now), false, 'a token outside any family');
      }));

    test('entries expire with the tokens they describe, and a later write never shortens one', () =>
      withStores({}, async ({ revocationStore: store }) => {
        await store.revokeToken('jti-short', now + 10, now);
        await store.revokeSubject('carol', now, now + 10, now);
        await store.revokeFamily('fam-short', now + 10, now);
        assert.equal(await store.isRevoked(query({ jti: 'jti-short' }), now + 9), true);
        assert.equal(await store.isRevoked(query({ jti: 'jti-short' }), now + 10), false);
        assert.equal(await store.isRevoked(query({ sub: 'carol', iat: now }), now + 10), false);
        assert.equal(await store.isRevoked(query({ fam: 'fam-short' }), now + 10), false);
        await store.revokeToken('jti-long', now + 100, now);
        await store.revokeToken('jti-long', now + 20, now);
        assert.equal(await store.isRevoked(query({ jti: 'jti-long' }), now + 50), true);
      }));

    test("consume is single use: the first call sees the token fresh, later ones get the first use's instant", () =>
      withStores({}, async ({ rotationStore: store }) => {
        assert.equal(await store.consume('refresh-1', now + 600, now), undefined);
        assert.equal(await store.consume('refresh-1', now + 600, now + 5), now);
        assert.equal(await store.consume('refresh-1', now + 600, now + 9), now);
        assert.equal(await store.consume('refresh-2', now + 600, now + 5), undefined, 'another token is unaffected');
      }));

    test('concurrent consumes of one token: exactly one wins', () =>
      withStores({}, async ({ rotationStore: store }) => {
        const answers = await Promise.all(Array.from({ length: 25 }, () => Promise.resolve().then(() => store.consume('refresh-race', now + 600, now))));
        assert.equal(answers.filter((answer) => answer === undefined).length, 1);
        assert.ok(answers.every((answer) => answer === undefined || answer === now));
      }));

    test('a full revocation store refuses the new entry (ERR_STORE_UNAVAILABLE) and forgets none', () =>
      withStores({ maxEntries: 2 }, async ({ revocationStore: store }) => {
        await store.revokeToken('full-a', now + 600, now);
        await store.revokeToken('full-b', now + 600, now);
        await assert.rejects(
          Promise.resolve().then(() => store.revokeToken('full-c', now + 600, now)),
          unavailable,
        );
        assert.equal(await store.isRevoked(query({ jti: 'full-a' }), now), true);
        assert.equal(await store.isRevoked(query({ jti: 'full-b' }), now), true);
        // Expired entries make room.
        await store.revokeToken('full-d', now + 1_000, now + 700);
        assert.equal(await store.isRevoked(query({ jti: 'full-d' }), now + 700), true);
      }));

    if (options.rotationStoreBounded !== false) {
      test('a full rotation store refuses to consume (ERR_STORE_UNAVAILABLE) rather than forget a used token', () =>
        withStores({ maxEntries: 2 }, async ({ rotationStore: store }) => {
          assert.equal(await store.consume('used-a', now + 600, now), undefined);
          assert.equal(await store.consume('used-b', now + 600, now), undefined);
          await assert.rejects(
            Promise.resolve().then(() => store.consume('used-c', now + 600, now)),
            unavailable,
          );
          assert.equal(await store.consume('used-a', now + 600, now), now);
        }));
    }
  });
}

function unavailable(error: unknown): boolean {
  assert.ok(error instanceof ApoJwtError, `expected ApoJwtError ERR_STORE_UNAVAILABLE, got ${String(error)}`);
  assert.equal(error.code, 'ERR_STORE_UNAVAILABLE');
  assert.equal(error.status, 503);
  return true;
}
