import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutgoingHttpHeaders } from 'node:http';
import { ApiKeys, ApoJwt, MemoryApiKeyStore, permissionRequired, type CreatedApiKey } from '@apojwt/core';
import type { FrameworkUnderTest, Route, Running } from './framework.js';
import { request, bearer, type Answer } from './http.js';
import { BASE, SECRET, T0, clock } from './fixtures.js';
import { stateOf } from './controllers/record.js';

const T0_SECONDS = T0 / 1000;

/**
 * API keys over real HTTP, for every template adapter: what a route that
 * accepts keys (`accept: ['bearer', 'apiKey']`) answers for a key that is
 * good, expired, revoked, rotated, of another prefix, malformed or unknown;
 * what a Bearer-only route (the default) answers for a key; the challenge
 * naming the accepted schemes; the key never in a body, a header or the
 * console; last use written at most once a minute on the frozen clock. Core
 * decides every answer; the template only reads the headers (its
 * `requestHeaders` slot) and answers.
 */
export function runApiKeyConformance(framework: FrameworkUnderTest): void {
  describe(`${framework.name}: API keys`, () => {
    const ran: string[] = [];
    const issued: string[] = [];
    const logged: string[] = [];
    const restore: (() => void)[] = [];
    let server: Running;
    let apo: ApoJwt;
    let testApo: ApoJwt;

    const get = (path: string, headers: OutgoingHttpHeaders = {}) => request(server.url, path, { headers });
    const xApiKey = (key: string) => ({ 'x-api-key': key });
    const create = async (keys: ApiKeys | undefined, input: Partial<Parameters<ApiKeys['create']>[0]> = {}): Promise<CreatedApiKey> => {
      const created = await keys!.create({ subject: 'billing-service', permissions: ['orders:read'], ...input });
      issued.push(created.key);
      return created;
    };
    const endpoint =
      (name: string) =>
      (...args: unknown[]) => {
        ran.push(name);
        const state = stateOf(args[0]);
        const claims = state['tokenClaims'] as { kind?: string; keyId?: string } | undefined;
        return { ran: name, tokenSubject: state['tokenSubject'], tokenPermissions: state['tokenPermissions'], kind: claims?.kind ?? 'bearer', keyId: claims?.keyId };
      };

    /** A refusal: status, code, the handler never ran, no key, token or secret in the answer. */
    function refused(answer: Answer, status: number, code: string): void {
      assert.equal(answer.status, status, answer.text);
      assert.equal(answer.json['error'], code);
      assert.deepEqual(ran, [], 'the handler must not run');
      for (const secret of [SECRET, ...issued]) {
        assert.ok(!answer.text.includes(secret), 'the body must not contain a key or secret');
        assert.ok(!answer.rawHeaders.includes(secret), 'the headers must not contain a key or secret');
      }
    }

    before(async () => {
      // Everything the app or a library writes to the console is kept, to be searched for keys after the suite.
      for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
        const original = console[method];
        console[method] = (...args: unknown[]) => void logged.push(args.map((arg) => (arg instanceof Error ? `${arg.message} ${arg.stack ?? ''}` : String(arg))).join(' '));
        restore.push(() => (console[method] = original));
      }
      clock.ms = T0;
      const template = framework.makeTemplate({ name: `api-keys-${framework.template}` });
      apo = new ApoJwt({ ...BASE, template, apiKeys: { store: new MemoryApiKeyStore() } });
      testApo = new ApoJwt({ ...BASE, template, apiKeys: { store: new MemoryApiKeyStore(), prefix: 'apo_test_', header: 'X-Service-Key', scheme: 'Key' } });
      class Reports {
        @permissionRequired('orders:read', { apo, accept: ['bearer', 'apiKey'] })
        read(...args: unknown[]) {
          return endpoint('decorated')(...args);
        }
      }
      const reports = new Reports();
      const both = { accept: ['bearer', 'apiKey'] } as const;
      const routes: Route[] = [
        { method: 'GET', path: '/keys/both', chain: [apo.permissionRequired('orders:read', both), endpoint('both')] },
        { method: 'GET', path: '/keys/only', chain: [apo.tokenRequired({ accept: ['apiKey'] }), endpoint('only')] },
        { method: 'GET', path: '/keys/bearer-only', chain: [apo.permissionRequired('orders:read'), endpoint('bearerOnly')] },
        { method: 'GET', path: '/keys/write', chain: [apo.permissionRequired('orders:write', both), endpoint('write')] },
        { method: 'GET', path: '/keys/decorated', chain: [(...a: unknown[]) => reports.read(...a)] },
        { method: 'GET', path: '/keys/test-env', chain: [testApo.permissionRequired('orders:read', both), endpoint('testEnv')] },
      ];
      server = await framework.serve(routes);
    });

    after(async () => {
      await server.close();
      for (const undo of restore) undo();
      for (const line of logged) for (const key of issued) assert.ok(!line.includes(key), 'a key was written to the console');
    });

    beforeEach(() => {
      ran.length = 0;
      clock.ms = T0;
    });

    test("a valid key in X-API-Key or Authorization: ApiKey is accepted; subject and permissions injected as a token's, claims of kind apiKey", async () => {
      const created = await create(apo.apiKeys);
      for (const headers of [xApiKey(created.key), { authorization: `ApiKey ${created.key}` }, { authorization: `apikey ${created.key}` }]) {
        for (const path of ['/keys/both', '/keys/only', '/keys/decorated']) {
          ran.length = 0;
          const answer = await get(path, headers);
          assert.equal(answer.status, 200, `${path}: ${answer.text}`);
          assert.equal(answer.json['tokenSubject'], 'billing-service');
          assert.deepEqual(answer.json['tokenPermissions'], ['orders:read']);
          assert.equal(answer.json['kind'], 'apiKey');
          assert.equal(answer.json['keyId'], created.id);
          assert.ok(!answer.text.includes(created.key), 'the key is not echoed');
        }
      }
    });

    test('a Bearer token still works on a route that also accepts keys', async () => {
      const token = apo.createToken({ sub: 'user-1', permissions: ['orders:read'] }) as string;
      const answer = await get('/keys/both', bearer(token));
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.json['tokenSubject'], 'user-1');
      assert.equal(answer.json['kind'], 'bearer');
    });

    test('no credential on a route accepting both: 401 challenged with both schemes', async () => {
      const answer = await get('/keys/both');
      refused(answer, 401, 'ERR_TOKEN_MISSING');
      assert.equal(answer.headers['www-authenticate'], 'Bearer, ApiKey');
      const keysOnly = await get('/keys/only', bearer(apo.createToken({ sub: 'user-1', permissions: ['orders:read'] }) as string));
      refused(keysOnly, 401, 'ERR_TOKEN_MISSING');
      assert.equal(keysOnly.headers['www-authenticate'], 'ApiKey', 'a keys-only route does not take a Bearer token');
    });

    test('an expired key: 401 ERR_API_KEY_EXPIRED, challenged under the key scheme', async () => {
      const created = await create(apo.apiKeys, { expiresAt: T0_SECONDS + 60 });
      assert.equal((await get('/keys/both', xApiKey(created.key))).status, 200);
      ran.length = 0;
      clock.ms = T0 + 60_000;
      const answer = await get('/keys/both', xApiKey(created.key));
      refused(answer, 401, 'ERR_API_KEY_EXPIRED');
      assert.match(String(answer.headers['www-authenticate']), /^ApiKey error="invalid_key", error_description="the API key has expired"$/);
    });

    test('a revoked key: 401 ERR_API_KEY_REVOKED at once on this instance (its cache entry dropped)', async () => {
      const created = await create(apo.apiKeys);
      assert.equal((await get('/keys/both', xApiKey(created.key))).status, 200);
      ran.length = 0;
      assert.equal(await apo.apiKeys!.revoke(created.id), true);
      refused(await get('/keys/both', xApiKey(created.key)), 401, 'ERR_API_KEY_REVOKED');
    });

    test('a rotated key: both keys valid during the overlap, the old one refused after it', async () => {
      const old = await create(apo.apiKeys);
      assert.equal((await get('/keys/both', xApiKey(old.key))).status, 200);
      const fresh = await apo.apiKeys!.rotate(old.id, { overlapSeconds: 120 });
      issued.push(fresh.key);
      clock.ms = T0 + 119_000;
      assert.equal((await get('/keys/both', xApiKey(old.key))).status, 200, 'the old key during the overlap');
      assert.equal((await get('/keys/both', xApiKey(fresh.key))).json['keyId'], fresh.id, 'the new key');
      ran.length = 0;
      clock.ms = T0 + 120_000;
      refused(await get('/keys/both', xApiKey(old.key)), 401, 'ERR_API_KEY_EXPIRED');
      assert.equal((await get('/keys/both', xApiKey(fresh.key))).status, 200, 'the new key after the overlap');
    });

    test('a key of another prefix, a malformed key, a broken checksum, an unknown key: 401 ERR_API_KEY_INVALID', async () => {
      const testKey = await create(testApo.apiKeys);
      const liveKey = await create(apo.apiKeys);
      const unknown = await create(new ApiKeys({ store: new MemoryApiKeyStore(), now: BASE.now }));
      const last = liveKey.key.at(-1) === 'a' ? 'b' : 'a';
      const cases: [string, string, OutgoingHttpHeaders][] = [
        ['another prefix (apo_test_ on the live service)', '/keys/both', xApiKey(testKey.key)],
        ['another prefix (apo_live_ on the test service)', '/keys/test-env', { 'x-service-key': liveKey.key }],
        ['too short', '/keys/both', xApiKey('apo_live_abc')],
        ['not a key at all', '/keys/both', xApiKey('hello world')],
        ['a broken checksum', '/keys/both', xApiKey(liveKey.key.slice(0, -1) + last)],
        ['a character outside base62', '/keys/both', xApiKey(liveKey.key.slice(0, 20) + '-' + liveKey.key.slice(21))],
        ['very long', '/keys/both', xApiKey('apo_live_' + 'a'.repeat(5000))],
        ['unknown to the store', '/keys/both', xApiKey(unknown.key)],
      ];
      for (const [name, path, headers] of cases) {
        ran.length = 0;
        const answer = await get(path, headers);
        assert.equal(answer.status, 401, `${name}: ${answer.text}`);
        refused(answer, 401, 'ERR_API_KEY_INVALID');
      }
      // The configured header and scheme of the test service.
      assert.equal((await get('/keys/test-env', { 'x-service-key': testKey.key })).status, 200);
      assert.equal((await get('/keys/test-env', { authorization: `Key ${testKey.key}` })).status, 200);
    });

    test('a key sent to a Bearer-only route (the default) is not accepted: 401 with a Bearer challenge, never a crash', async () => {
      const created = await create(apo.apiKeys);
      for (const headers of [xApiKey(created.key), { authorization: `ApiKey ${created.key}` }]) {
        ran.length = 0;
        const answer = await get('/keys/bearer-only', headers);
        refused(answer, 401, 'ERR_TOKEN_MISSING');
        assert.equal(answer.headers['www-authenticate'], 'Bearer');
      }
    });

    test("a key without the route's permission: 403 insufficient_scope under the key scheme", async () => {
      const created = await create(apo.apiKeys);
      const answer = await get('/keys/write', xApiKey(created.key));
      refused(answer, 403, 'ERR_PERMISSION_DENIED');
      assert.match(String(answer.headers['www-authenticate']), /^ApiKey error="insufficient_scope", .*scope="orders:write"$/);
    });

    test('two credentials (a token and a key, or two keys): 400 ERR_REQUEST_MALFORMED', async () => {
      const created = await create(apo.apiKeys);
      const token = apo.createToken({ sub: 'user-1', permissions: ['orders:read'] }) as string;
      refused(await get('/keys/both', { ...bearer(token), ...xApiKey(created.key) }), 400, 'ERR_REQUEST_MALFORMED');
      refused(await get('/keys/both', { 'x-api-key': [created.key, created.key] } as unknown as OutgoingHttpHeaders), 400, 'ERR_REQUEST_MALFORMED');
      refused(await get('/keys/both', { ...xApiKey(created.key), authorization: `ApiKey ${created.key}` }), 400, 'ERR_REQUEST_MALFORMED');
      refused(await get('/keys/both', { authorization: 'ApiKey' }), 400, 'ERR_REQUEST_MALFORMED');
    });

    test('last use is written at most once a minute per key (frozen clock)', async () => {
      const created = await create(apo.apiKeys);
      const lastUsed = async () => (await apo.apiKeys!.get(created.id))?.lastUsedAt;
      assert.equal(await lastUsed(), undefined);
      const seen: (number | undefined)[] = [];
      for (const offset of [0, 1, 30, 59, 60, 61, 119, 125]) {
        clock.ms = T0 + offset * 1000;
        assert.equal((await get('/keys/both', xApiKey(created.key))).status, 200);
        seen.push((await lastUsed()) === undefined ? undefined : ((await lastUsed()) as number) - T0_SECONDS);
      }
      assert.deepEqual(seen, [0, 0, 0, 0, 60, 60, 60, 125]);
    });
  });
}
