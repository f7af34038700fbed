import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKeys, ApoJwtError, type ApiKeyStore, type ApoJwtErrorCode, type StoredApiKey } from '@apojwt/core';

/** One API-key store under test, fresh for each test (a new key prefix on a shared server). */
export interface ApiKeyStoreUnderTest {
  readonly store: ApiKeyStore;
  /** Called after each test, passed or failed. */
  close?(): void | Promise<void>;
}

/**
 * The contract every API-key store must keep, as one node:test suite: the
 * store's own calls, then core's `ApiKeys` over it (create, verify, revoke,
 * rotate, last-used), on a frozen clock.
 */
export function runApiKeyStoreConformance(name: string, makeStore: () => ApiKeyStoreUnderTest | Promise<ApiKeyStoreUnderTest>): void {
  const withStore = async (body: (store: ApiKeyStore) => Promise<void>): Promise<void> => {
    const underTest = await makeStore();
    try {
      await body(underTest.store);
    } finally {
      await underTest.close?.();
    }
  };
  const now = 1_800_000_000;
  const record = (overrides: Partial<StoredApiKey> = {}): StoredApiKey => ({
    id: 'AAAAAAAAAAAAAAA1',
    hash: 'aGFzaA',
    subject: 'client-a',
    permissions: ['orders:read', 'orders:write'],
    name: 'CI deploys',
    createdAt: now,
    expiresAt: now + 3600,
    lastUsedAt: undefined,
    revoked: false,
    replacedBy: undefined,
    ...overrides,
  });
  /** A manager over the store with a clock the test moves. */
  const manager = (store: ApiKeyStore) => {
    const clock = { ms: now * 1000 };
    return { keys: new ApiKeys({ store, now: () => clock.ms, cache: false }), clock };
  };

  describe(`${name}: API key store conformance`, () => {
    test('a key inserted is read back field for field; an unknown id is undefined', () =>
      withStore(async (store) => {
        await store.insert(record());
        const read = await store.get('AAAAAAAAAAAAAAA1');
        assert.deepEqual({ ...read, permissions: [...(read?.permissions ?? [])] }, { ...record(), permissions: ['orders:read', 'orders:write'] });
        assert.equal(await store.get('AAAAAAAAAAAAAAA2'), undefined);
        await store.insert(record({ id: 'AAAAAAAAAAAAAAA3', name: undefined, expiresAt: undefined }));
        const bare = await store.get('AAAAAAAAAAAAAAA3');
        assert.equal(bare?.name, undefined);
        assert.equal(bare?.expiresAt, undefined, 'a key without expiry never expires');
      }));

    test('an id already present is refused, and the first key is kept', () =>
      withStore(async (store) => {
        await store.insert(record());
        await assert.rejects(Promise.resolve().then(() => store.insert(record({ hash: 'b3RoZXI', subject: 'intruder' }))));
        assert.equal((await store.get('AAAAAAAAAAAAAAA1'))?.hash, 'aGFzaA');
        assert.deepEqual(await store.listBySubject('intruder'), []);
      }));

    test('listBySubject gives one subject its keys, oldest first, revoked ones included', () =>
      withStore(async (store) => {
        await store.insert(record({ id: 'BBBBBBBBBBBBBBB2', createdAt: now + 5 }));
        await store.insert(record({ id: 'BBBBBBBBBBBBBBB1', createdAt: now }));
        await store.insert(record({ id: 'CCCCCCCCCCCCCCC1', subject: 'client-b' }));
        await store.revoke('BBBBBBBBBBBBBBB2');
        const listed = await store.listBySubject('client-a');
        assert.deepEqual(
          listed.map((key) => [key.id, key.revoked]),
          [
            ['BBBBBBBBBBBBBBB1', false],
            ['BBBBBBBBBBBBBBB2', true],
          ],
        );
        assert.deepEqual(await store.listBySubject('nobody'), []);
      }));

    test('revoke marks the key; an unknown id answers false', () =>
      withStore(async (store) => {
        await store.insert(record());
        assert.equal(await store.revoke('AAAAAAAAAAAAAAA1'), true);
        assert.equal((await store.get('AAAAAAAAAAAAAAA1'))?.revoked, true);
        assert.equal(await store.revoke('AAAAAAAAAAAAAAA9'), false);
      }));

    test('expire ends a key earlier, never later, and records its replacement', () =>
      withStore(async (store) => {
        await store.insert(record());
        assert.equal(await store.expire('AAAAAAAAAAAAAAA1', now + 60, 'NEWNEWNEWNEWNEW1'), true);
        assert.equal((await store.get('AAAAAAAAAAAAAAA1'))?.expiresAt, now + 60);
        assert.equal((await store.get('AAAAAAAAAAAAAAA1'))?.replacedBy, 'NEWNEWNEWNEWNEW1');
        await store.expire('AAAAAAAAAAAAAAA1', now + 600, undefined);
        assert.equal((await store.get('AAAAAAAAAAAAAAA1'))?.expiresAt, now + 60, 'a later end never lengthens the key');
        await store.insert(record({ id: 'AAAAAAAAAAAAAAA2', expiresAt: undefined }));
        await store.expire('AAAAAAAAAAAAAAA2', now + 30, undefined);
        assert.equal((await store.get('AAAAAAAAAAAAAAA2'))?.expiresAt, now + 30, 'a key without expiry gets one');
        assert.equal(await store.expire('AAAAAAAAAAAAAAA9', now, undefined), false);
      }));

    test('touch writes lastUsedAt at most once per interval', () =>
      withStore(async (store) => {
        await store.insert(record());
        assert.equal(await store.touch('AAAAAAAAAAAAAAA1', now, 60), true);
        assert.equal(await store.touch('AAAAAAAAAAAAAAA1', now + 59, 60), false);
        assert.equal((await store.get('AAAAAAAAAAAAAAA1'))?.lastUsedAt, now);
        assert.equal(await store.touch('AAAAAAAAAAAAAAA1', now + 60, 60), true);
        assert.equal((await store.get('AAAAAAAAAAAAAAA1'))?.lastUsedAt, now + 60);
        assert.equal(await store.touch('AAAAAAAAAAAAAAA9', now, 60), false);
      }));

    test('concurrent touches within one interval: exactly one writes', () =>
      withStore(async (store) => {
        await store.insert(record());
        const answers = await Promise.all(Array.from({ length: 20 }, () => Promise.resolve().then(() => store.touch('AAAAAAAAAAAAAAA1', now, 60))));
        assert.equal(answers.filter(Boolean).length, 1);
      }));

    test('through ApiKeys: created, verified, listed without secrets, revoked', () =>
      withStore(async (store) => {
        const { keys } = manager(store);
        const created = await keys.create({ subject: 'client-a', permissions: ['orders:read'], name: 'reporting' });
        assert.match(created.key, /^apo_live_[0-9A-Za-z]{16}_[0-9A-Za-z]{49}$/);
        const claims = await keys.verify(created.key);
        assert.deepEqual([claims.kind, claims.sub, [...claims.perms], claims.keyId], ['apiKey', 'client-a', ['orders:read'], created.id]);
        const listed = await keys.list('client-a');
        assert.equal(listed.length, 1);
        assert.ok(!JSON.stringify(listed).includes(created.key.slice(-20)), 'list never shows the key');
        assert.ok(!('hash' in (listed[0] as object)) && !('key' in (listed[0] as object)), 'nor its hash');
        const stored = await store.get(created.id);
        assert.ok(stored !== undefined && !JSON.stringify(stored).includes(created.key.slice(-20)), 'the store holds no key text');
        assert.equal(await keys.revoke(created.id), true);
        await assert.rejects(keys.verify(created.key), code('ERR_API_KEY_REVOKED'));
      }));

    test('through ApiKeys: rotation keeps both keys valid for the overlap, then only the new one', () =>
      withStore(async (store) => {
        const { keys, clock } = manager(store);
        const old = await keys.create({ subject: 'client-a', permissions: ['orders:read'] });
        const fresh = await keys.rotate(old.id, { overlapSeconds: 300 });
        assert.notEqual(fresh.id, old.id);
        assert.equal((await keys.verify(old.key)).sub, 'client-a');
        assert.equal((await keys.verify(fresh.key)).sub, 'client-a');
        clock.ms += 300_000;
        await assert.rejects(keys.verify(old.key), code('ERR_API_KEY_EXPIRED'));
        assert.equal((await keys.verify(fresh.key)).sub, 'client-a');
        assert.equal((await keys.get(old.id))?.replacedBy, fresh.id);
      }));

    test('through ApiKeys: a hash that does not match, an expired key, last use once a minute', () =>
      withStore(async (store) => {
        const { keys, clock } = manager(store);
        const created = await keys.create({ subject: 'client-a', permissions: [], expiresAt: now + 120 });
        // Another pepper hashes the same key differently: a valid form and a real id whose hash does not match.
        const peppered = new ApiKeys({ store, now: () => clock.ms, cache: false, pepper: 'p'.repeat(32) });
        await assert.rejects(peppered.verify(created.key), code('ERR_API_KEY_INVALID'));
        await keys.verify(created.key);
        await eventuallyEqual(async () => (await keys.get(created.id))?.lastUsedAt, now);
        clock.ms += 30_000;
        await keys.verify(created.key);
        clock.ms += 31_000;
        await keys.verify(created.key);
        await eventuallyEqual(async () => (await keys.get(created.id))?.lastUsedAt, now + 61);
        clock.ms += 60_000;
        await assert.rejects(keys.verify(created.key), code('ERR_API_KEY_EXPIRED'));
      }));
  });
}

function code(expected: ApoJwtErrorCode): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof ApoJwtError, `expected ApoJwtError ${expected}, got ${String(error)}`);
    assert.equal(error.code, expected);
    assert.equal(error.status, 401);
    return true;
  };
}

/** last-used is written without holding up the request: a remote store's write lands a moment later. */
async function eventuallyEqual(read: () => Promise<unknown>, expected: unknown): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await read()) === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(await read(), expected);
}
