import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKeys, ApoJwt, ApoJwtError, MemoryApiKeyStore, definePolicy, permissionRequired, type ApiKeyStore } from '@apojwt/core';
import { apoError, configError, failOnUnhandledRejections } from '../../support/helpers.js';

/** ApiKeys (api-keys.ts): its numbered verification steps, the local cache, the management calls, its options. */
const T0 = 1_800_000_000;
const unhandled = failOnUnhandledRejections();

/** A memory store that counts lookups, so a test sees which verifications reached it. */
function countingStore(): MemoryApiKeyStore & { lookups: number } {
  const store = new MemoryApiKeyStore() as MemoryApiKeyStore & { lookups: number };
  store.lookups = 0;
  const get = store.get.bind(store);
  store.get = (id) => {
    store.lookups++;
    return get(id);
  };
  return store;
}

function keysAt(options: ConstructorParameters<typeof ApiKeys>[0] = {}) {
  const clock = { ms: T0 * 1000 };
  return { keys: new ApiKeys({ now: () => clock.ms, ...options }), clock };
}

test('steps 1–5 in order: form, lookup, hash, revoked, expired; revoked and expired only for the right secret', async () => {
  const { keys, clock } = keysAt();
  const created = await keys.create({ subject: 'svc', permissions: ['orders:read'], expiresAt: T0 + 10, name: 'reporting' });
  const claims = await keys.verify(created.key);
  assert.deepEqual({ ...claims, perms: [...claims.perms] }, { kind: 'apiKey', sub: 'svc', perms: ['orders:read'], keyId: created.id, name: 'reporting', exp: T0 + 10, data: {} });
  assert.ok(Object.isFrozen(claims) && Object.isFrozen(claims.perms));
  await keys.revoke(created.id);
  await assert.rejects(keys.verify(created.key), apoError('ERR_API_KEY_REVOKED', 401));
  // Another store that holds the same id would answer 401 INVALID, never REVOKED, for another secret: see key-hash.test.ts.
  const expiring = await keys.create({ subject: 'svc', permissions: [], expiresAt: T0 + 10 });
  clock.ms = (T0 + 9) * 1000;
  await keys.verify(expiring.key);
  clock.ms = (T0 + 10) * 1000;
  await assert.rejects(keys.verify(expiring.key), apoError('ERR_API_KEY_EXPIRED', 401));
});

test('no error message names the key or its secret', async () => {
  const { keys, clock } = keysAt();
  const created = await keys.create({ subject: 'svc', permissions: [], expiresAt: T0 + 5 });
  const messages: string[] = [];
  const collect = async (key: string) => {
    try {
      await keys.verify(key);
    } catch (error) {
      messages.push((error as Error).message, String((error as Error).stack));
    }
  };
  // A mistyped last character (never the one it was: a key ending in 'x' stays a typo).
  await collect(created.key.slice(0, -1) + (created.key.endsWith('x') ? 'y' : 'x'));
  await collect(created.key.replace('apo_live_', 'apo_test_'));
  clock.ms = (T0 + 5) * 1000;
  await collect(created.key);
  await keys.revoke(created.id);
  await collect(created.key);
  assert.equal(messages.length, 8);
  for (const message of messages) assert.ok(!message.includes(created.key.slice('apo_live_'.length + 17, -6)), message);
});

test('the local cache: a hit does not ask the store; an entry is read again after ttlSeconds (the staleness bound across instances)', async () => {
  const store = countingStore();
  const here = keysAt({ store, cache: { ttlSeconds: 10 } });
  const elsewhere = keysAt({ store });
  const created = await elsewhere.keys.create({ subject: 'svc', permissions: [] });
  await here.keys.verify(created.key);
  await here.keys.verify(created.key);
  assert.equal(store.lookups, 1, 'the second verification is a cache hit');
  // Revoked on another instance: this one serves its entry until it is ttlSeconds old, then reads the store again.
  await elsewhere.keys.revoke(created.id);
  here.clock.ms = (T0 + 9) * 1000;
  assert.equal((await here.keys.verify(created.key)).sub, 'svc', 'within the bound, the cached answer');
  here.clock.ms = (T0 + 10) * 1000;
  await assert.rejects(here.keys.verify(created.key), apoError('ERR_API_KEY_REVOKED', 401));
  // Expiry is checked on every hit: it is exact, whatever the cache holds.
  const expiring = await here.keys.create({ subject: 'svc', permissions: [], expiresAt: T0 + 12 });
  await here.keys.verify(expiring.key);
  here.clock.ms = (T0 + 12) * 1000;
  await assert.rejects(here.keys.verify(expiring.key), apoError('ERR_API_KEY_EXPIRED', 401));
  // A wrong secret under a cached id is refused on the hit too.
  const other = await here.keys.create({ subject: 'svc', permissions: [] });
  await here.keys.verify(other.key);
  await assert.rejects(new ApiKeys({ store, pepper: 'p'.repeat(32) }).verify(other.key), apoError('ERR_API_KEY_INVALID', 401));
});

test('unknown ids are cached for missTtlSeconds: the same unknown key does not reach the store again; a key made elsewhere is accepted once the miss is that old', async () => {
  const store = countingStore();
  const here = keysAt({ store, cache: { ttlSeconds: 10, missTtlSeconds: 2 } });
  // A well-formed key of another store: its record is added to this store later, as another instance's create would.
  const otherStore = new MemoryApiKeyStore();
  const made = await new ApiKeys({ store: otherStore }).create({ subject: 'svc', permissions: ['orders:read'] });
  for (let i = 0; i < 5; i++) await assert.rejects(here.keys.verify(made.key), apoError('ERR_API_KEY_INVALID', 401));
  assert.equal(store.lookups, 1, 'one store lookup for five presentations of the same unknown key');
  // Created elsewhere now: refused as unknown while the miss is under missTtlSeconds old, then read again.
  await store.insert((await otherStore.get(made.id))!);
  here.clock.ms = (T0 + 1) * 1000;
  await assert.rejects(here.keys.verify(made.key), apoError('ERR_API_KEY_INVALID', 401));
  assert.equal(store.lookups, 1);
  here.clock.ms = (T0 + 2) * 1000;
  assert.equal((await here.keys.verify(made.key)).keyId, made.id);
  assert.equal(store.lookups, 2);
  // A key created on this instance is accepted at once, beside cached misses.
  const own = await here.keys.create({ subject: 'svc', permissions: [] });
  assert.equal((await here.keys.verify(own.key)).keyId, own.id);
});

test('the miss cache is its own LRU: a flood of unknown ids never pushes a real key out; a store that failed caches nothing', async () => {
  const store = countingStore();
  const here = keysAt({ store, cache: { max: 2 } });
  const real = await here.keys.create({ subject: 'svc', permissions: [] });
  await here.keys.verify(real.key);
  const otherKeys = new ApiKeys({ store: new MemoryApiKeyStore() });
  for (let i = 0; i < 5; i++) await assert.rejects(here.keys.verify((await otherKeys.create({ subject: 'x', permissions: [] })).key), apoError('ERR_API_KEY_INVALID', 401));
  store.lookups = 0;
  await here.keys.verify(real.key);
  assert.equal(store.lookups, 0, 'the real key is still a cache hit');
  // Defaults: missTtlSeconds 2, and never longer than ttlSeconds.
  const unknown = (await otherKeys.create({ subject: 'x', permissions: [] })).key;
  const defaults = keysAt({ store });
  await assert.rejects(defaults.keys.verify(unknown), apoError('ERR_API_KEY_INVALID', 401));
  defaults.clock.ms = (T0 + 1) * 1000;
  await assert.rejects(defaults.keys.verify(unknown), apoError('ERR_API_KEY_INVALID', 401));
  assert.equal(store.lookups, 1);
  defaults.clock.ms = (T0 + 2) * 1000;
  await assert.rejects(defaults.keys.verify(unknown), apoError('ERR_API_KEY_INVALID', 401));
  assert.equal(store.lookups, 2, 'read again after 2 s');
  // cache: false caches no miss either.
  const uncached = keysAt({ store, cache: false });
  store.lookups = 0;
  await assert.rejects(uncached.keys.verify(unknown), apoError('ERR_API_KEY_INVALID', 401));
  await assert.rejects(uncached.keys.verify(unknown), apoError('ERR_API_KEY_INVALID', 401));
  assert.equal(store.lookups, 2);
  // A lookup that failed (503) is not a miss: the next one asks the store again.
  let down = true;
  const flaky = countingStore();
  const get = flaky.get.bind(flaky);
  // A store answering asynchronously, as Redis does; down first.
  flaky.get = ((id: string) => (down ? Promise.reject(new Error('connection refused')) : Promise.resolve(get(id)))) as never;
  const overFlaky = keysAt({ store: flaky });
  const key = (await overFlaky.keys.create({ subject: 'svc', permissions: [] })).key;
  await assert.rejects(overFlaky.keys.verify(key), apoError('ERR_STORE_UNAVAILABLE', 503));
  down = false;
  assert.equal((await overFlaky.keys.verify(key)).sub, 'svc');
});

test('cache: false asks the store every time; the cache is bounded (least recently used first)', async () => {
  const store = countingStore();
  const { keys } = keysAt({ store, cache: false });
  const created = await keys.create({ subject: 'svc', permissions: [] });
  await keys.verify(created.key);
  await keys.verify(created.key);
  assert.equal(store.lookups, 2);
  const bounded = keysAt({ store, cache: { max: 1 } }).keys;
  const a = await bounded.create({ subject: 'svc', permissions: [] });
  const b = await bounded.create({ subject: 'svc', permissions: [] });
  store.lookups = 0;
  await bounded.verify(a.key);
  await bounded.verify(b.key);
  await bounded.verify(a.key);
  assert.equal(store.lookups, 3, 'one entry only: b pushed a out');
});

test('a store that cannot answer: 503 ERR_STORE_UNAVAILABLE (thrown or rejected), the key never accepted; a failed last-use write fails nothing', async () => {
  const failing = (how: 'throw' | 'reject'): ApiKeyStore => {
    const store = new MemoryApiKeyStore();
    const fail = () => {
      const error = new Error('connect ECONNREFUSED 10.0.0.1:6379');
      if (how === 'throw') throw error;
      return Promise.reject(error);
    };
    return Object.assign(store, { get: fail, insert: fail, listBySubject: fail, revoke: fail, expire: fail, touch: fail }) as ApiKeyStore;
  };
  const { key } = await new ApiKeys().create({ subject: 'svc', permissions: [] });
  for (const how of ['throw', 'reject'] as const) {
    const keys = new ApiKeys({ store: failing(how) });
    await assert.rejects(keys.verify(key), apoError('ERR_STORE_UNAVAILABLE', 503));
    await assert.rejects(keys.create({ subject: 'svc', permissions: [] }), apoError('ERR_STORE_UNAVAILABLE', 503));
    await assert.rejects(keys.list('svc'), apoError('ERR_STORE_UNAVAILABLE', 503));
    await assert.rejects(keys.revoke('x'.repeat(16)), apoError('ERR_STORE_UNAVAILABLE', 503));
  }
  // Only the last-use write fails: the request is not held up or refused, and nothing is left unhandled.
  for (const how of ['throw', 'reject'] as const) {
    const store = new MemoryApiKeyStore();
    const keys = new ApiKeys({ store });
    const created = await keys.create({ subject: 'svc', permissions: [] });
    store.touch = () => (how === 'throw' ? assert.fail('down') : (Promise.reject(new Error('down')) as never));
    assert.equal((await keys.verify(created.key)).sub, 'svc');
  }
  await new Promise((resolve) => setImmediate(resolve));
  unhandled.check();
});

test('create checks its input; list and get never show a hash or a key', async () => {
  const { keys } = keysAt();
  for (const [input, fragment] of [
    [{ subject: '', permissions: [] }, 'create subject'],
    [{ subject: 's', permissions: 'orders:read' }, 'create permissions'],
    [{ subject: 's', permissions: ['has space'] }, 'create permissions'],
    [{ subject: 's', permissions: [], expiresAt: T0 }, 'create expiresAt'],
    [{ subject: 's', permissions: [], expiresAt: (T0 + 60) * 1000 }, 'not milliseconds'],
    [{ subject: 's', permissions: [], expiresAt: T0 + 0.5 }, 'create expiresAt'],
    [{ subject: 's', permissions: [], name: '' }, 'create name'],
    [{ subject: 's', permissions: [], owner: 'x' }, 'unknown create option "owner"'],
  ] as const) {
    await assert.rejects(keys.create(input as never), configError(fragment), JSON.stringify(input));
  }
  const created = await keys.create({ subject: 's', permissions: ['b', 'a', 'b'] });
  assert.deepEqual(created.permissions, ['b', 'a'], 'duplicates dropped, order kept');
  const listed = await keys.list('s');
  const fetched = await keys.get(created.id);
  for (const info of [...listed, fetched]) {
    assert.deepEqual(Object.keys(info!).sort(), ['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'permissions', 'replacedBy', 'revoked', 'subject']);
  }
  assert.equal(await keys.get('n'.repeat(16)), undefined);
  await assert.rejects(keys.list(''), configError('list needs a subject'));
});

test('rotate: the new key keeps subject, permissions, name and expiry; overlap 0 ends the old key now; a key that ended cannot be rotated', async () => {
  const { keys, clock } = keysAt();
  const old = await keys.create({ subject: 's', permissions: ['p'], name: 'ci', expiresAt: T0 + 86_400 });
  const fresh = await keys.rotate(old.id, { overlapSeconds: 0 });
  assert.deepEqual([fresh.subject, [...fresh.permissions], fresh.name, fresh.expiresAt], ['s', ['p'], 'ci', T0 + 86_400]);
  await assert.rejects(keys.verify(old.key), apoError('ERR_API_KEY_EXPIRED', 401));
  await assert.rejects(keys.rotate(old.id), apoError('ERR_API_KEY_EXPIRED', 401));
  await assert.rejects(keys.rotate('u'.repeat(16)), apoError('ERR_API_KEY_INVALID', 401));
  // The default overlap is an hour.
  const next = await keys.rotate(fresh.id);
  clock.ms = (T0 + 3599) * 1000;
  await keys.verify(fresh.key);
  clock.ms = (T0 + 3600) * 1000;
  await assert.rejects(keys.verify(fresh.key), apoError('ERR_API_KEY_EXPIRED', 401));
  await keys.revoke(next.id);
  await assert.rejects(keys.rotate(next.id), apoError('ERR_API_KEY_REVOKED', 401));
  await assert.rejects(keys.rotate(old.id, { overlap: 5 } as never), configError('unknown rotate option "overlap"'));
  await assert.rejects(keys.rotate(old.id, { overlapSeconds: -1 }), configError('rotate overlapSeconds'));
});

test('options are checked once, when made', () => {
  assert.throws(() => new ApiKeys({ stor: {} } as never), configError('unknown apiKeys option "stor"'));
  assert.throws(() => new ApiKeys({ store: { get() {} } as never }), configError('apiKeys store must implement ApiKeyStore'));
  assert.throws(() => new ApiKeys({ cache: { ttlSeconds: 301 } }), configError('apiKeys cache ttlSeconds'));
  assert.throws(() => new ApiKeys({ cache: { max: 0 } }), configError('apiKeys cache max'));
  assert.throws(() => new ApiKeys({ cache: { ttlSeconds: 5, missTtlSeconds: 6 } }), configError('apiKeys cache missTtlSeconds'));
  assert.throws(() => new ApiKeys({ cache: { missTtlSeconds: 0 } }), configError('apiKeys cache missTtlSeconds'));
  assert.doesNotThrow(() => new ApiKeys({ cache: { ttlSeconds: 1 } }), 'the default miss ttl follows a shorter ttlSeconds');
  assert.throws(() => new ApiKeys({ cache: true as never }), configError('apiKeys cache must be'));
  assert.throws(() => new ApiKeys({ lastUsedInterval: 0 }), configError('apiKeys lastUsedInterval'));
  assert.throws(() => new ApoJwt({ iss: 'a', serverAudience: 'b', secret: 's'.repeat(32), apiKeys: { prefix: 'X' } }), configError('apiKeys prefix'));
});

test('ApoJwt.authorizeApiKey: the same permission rules as a token (admin, wildcards, implications, rules)', async () => {
  const apo = new ApoJwt({
    iss: 'a',
    serverAudience: 'b',
    secret: 's'.repeat(32),
    adminPermission: 'admin',
    implications: { 'orders:write': ['orders:read'] },
    now: () => T0 * 1000,
    apiKeys: {},
  });
  const key = async (permissions: string[]) => (await apo.apiKeys!.create({ subject: 'svc', permissions })).key;
  assert.equal((await apo.authorizeApiKey(await key(['admin']), 'billing:refund')).sub, 'svc');
  assert.equal((await apo.authorizeApiKey(await key(['orders:*']), 'orders:cancel')).sub, 'svc');
  assert.deepEqual([...(await apo.authorizeApiKey(await key(['orders:write']), 'orders:read')).perms], ['orders:write', 'orders:read']);
  await assert.rejects(apo.authorizeApiKey(await key(['orders:read']), 'orders:write'), (error: unknown) => {
    apoError('ERR_PERMISSION_DENIED', 403)(error);
    assert.deepEqual((error as ApoJwtError).details.schemes, ['ApiKey'], 'challenged under the key scheme');
    return true;
  });
  const kinds: string[] = [];
  const rule = definePolicy('service-only', ({ claims }) => {
    kinds.push((claims as unknown as { kind: string }).kind);
    return claims.sub === 'svc';
  });
  assert.equal((await apo.authorizeApiKey(await key([]), rule)).sub, 'svc');
  assert.deepEqual(kinds, ['apiKey']);
  const noKeys = new ApoJwt({ iss: 'a', serverAudience: 'b', secret: 's'.repeat(32) });
  await assert.rejects(noKeys.authorizeApiKey('k'), configError('the instance has none'));
});

test('routes that accept keys are declared against an instance that has them; accept is checked where the route is declared', () => {
  const noKeys = new ApoJwt({ iss: 'a', serverAudience: 'b', secret: 's'.repeat(32) });
  assert.throws(() => permissionRequired('orders:read', { apo: noKeys, accept: ['bearer', 'apiKey'] }), configError('the instance has no API keys'));
  assert.throws(() => noKeys.permissionRequired('orders:read', { accept: ['apiKey'] }), configError('the instance has no API keys'));
  assert.throws(() => noKeys.tokenRequired({ acept: ['apiKey'] } as never), configError('unknown middleware option "acept"'));
  assert.throws(() => noKeys.decorators.permissionRequired('orders:read', { apo: noKeys } as never), configError('unknown decorator option "apo"'));
  // Bearer only needs no API keys: the default, written out.
  assert.equal(typeof noKeys.permissionRequired('orders:read', { accept: ['bearer'] }), 'function');
  assert.equal(typeof permissionRequired('orders:read', { accept: ['bearer'] }), 'function');
});
