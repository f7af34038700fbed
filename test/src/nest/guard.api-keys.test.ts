import 'reflect-metadata';
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutgoingHttpHeaders } from 'node:http';
import { Controller, Get, Module } from '@nestjs/common';
import { ApiKeys, MemoryApiKeyStore, permissionRequired, type ApoJwt, type CreatedApiKey, type JsonObject } from '@apojwt/core';
import { APOJWT, ApoJwtModule, PermissionRequired, TokenClaims, TokenPermissions, TokenRequired, TokenSubject } from '@apojwt/nest';
import { PLATFORMS, startNest, type RunningNest } from '../support/nest/harness.js';
import { BASE, SECRET, T0, bearer, clock, request, type Answer } from '../support/nest/kit.js';
import { RedisApiKeyStore } from '@apojwt/redis';
import { eventually, startOwnRedis, type OwnRedis } from '../support/redis-server.js';

/**
 * API keys on Nest, both platforms: the guard's `accept` (Nest's own
 * @PermissionRequired / @TokenRequired, method and controller level) and
 * core's decorators reading the key through the Nest template's
 * requestHeaders slot. Core picks the credential and decides; the guard
 * only carries it.
 */

const ran: string[] = [];
const answer = (name: string, sub: string, perms: readonly string[], claims: { kind?: string; keyId?: string }) => {
  ran.push(name);
  return { ran: name, tokenSubject: sub, tokenPermissions: perms, kind: claims.kind ?? 'bearer', keyId: claims.keyId };
};
const both = { accept: ['bearer', 'apiKey'] } as const;

@Controller('keys')
class KeysController {
  @Get('both')
  @PermissionRequired('orders:read', both)
  both(@TokenSubject() sub: string, @TokenPermissions() perms: readonly string[], @TokenClaims() claims: { kind?: string; keyId?: string }) {
    return answer('both', sub, perms, claims);
  }

  @Get('only')
  @TokenRequired({ accept: ['apiKey'] })
  only(@TokenSubject() sub: string, @TokenPermissions() perms: readonly string[], @TokenClaims() claims: { kind?: string }) {
    return answer('only', sub, perms, claims);
  }

  @Get('bearer-only')
  @PermissionRequired('orders:read')
  bearerOnly(@TokenSubject() sub: string, @TokenPermissions() perms: readonly string[], @TokenClaims() claims: { kind?: string }) {
    return answer('bearerOnly', sub, perms, claims);
  }

  @Get('write')
  @PermissionRequired('orders:write', both)
  write(@TokenSubject() sub: string, @TokenPermissions() perms: readonly string[], @TokenClaims() claims: { kind?: string }) {
    return answer('write', sub, perms, claims);
  }
}

/** Controller level: its accept and a method's add up as requirements do; a method without accept narrows the route to Bearer tokens. */
@Controller('reports')
@PermissionRequired('orders:read', both)
class ReportsController {
  @Get('list')
  list(@TokenSubject() sub: string, @TokenPermissions() perms: readonly string[], @TokenClaims() claims: { kind?: string }) {
    return answer('reportsList', sub, perms, claims);
  }

  @Get('bearer')
  @TokenRequired()
  bearerOnly(@TokenSubject() sub: string, @TokenPermissions() perms: readonly string[], @TokenClaims() claims: { kind?: string }) {
    return answer('reportsBearer', sub, perms, claims);
  }
}

/** Core's own decorator on a Nest controller: the key read through the Nest template. */
@Controller('core')
class CoreController {
  @Get('both')
  @permissionRequired('orders:read', both)
  both(@TokenSubject() sub: string) {
    ran.push('coreBoth');
    return { ran: 'coreBoth', tokenSubject: sub };
  }
}

@Module({
  imports: [ApoJwtModule.forRoot({ ...BASE, apiKeys: { store: new MemoryApiKeyStore() } })],
  controllers: [KeysController, ReportsController, CoreController],
})
class KeysApp {}

for (const platform of PLATFORMS) {
  describe(`API keys on Nest, @nestjs/platform-${platform.name}`, () => {
    let server: RunningNest;
    let apo: ApoJwt<string, JsonObject, JsonObject, false>;
    const issued: string[] = [];
    const logged: string[] = [];
    const restore: (() => void)[] = [];

    before(async () => {
      for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
        const original = console[method];
        console[method] = (...args: unknown[]) => void logged.push(args.map(String).join(' '));
        restore.push(() => (console[method] = original));
      }
      server = await startNest(KeysApp, platform);
      apo = server.app.get(APOJWT);
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

    const get = (path: string, headers: OutgoingHttpHeaders = {}) => request(server.url, path, { headers });
    const xApiKey = (key: string) => ({ 'x-api-key': key });
    const create = async (input: { expiresAt?: number; permissions?: string[] } = {}, keys: ApiKeys = apo.apiKeys!): Promise<CreatedApiKey> => {
      const created = await keys.create({ subject: 'billing-service', permissions: ['orders:read'], ...input });
      issued.push(created.key);
      return created;
    };
    function refused(response: Answer, status: number, code: string): void {
      assert.equal(response.status, status, response.text);
      assert.equal(response.json['error'], code);
      assert.deepEqual(ran, [], 'the handler must not run');
      for (const secret of [SECRET, ...issued]) {
        assert.ok(!response.text.includes(secret), 'the body must not contain a key or secret');
        assert.ok(!response.rawHeaders.includes(secret), 'the headers must not contain a key or secret');
      }
    }

    test('a valid key is accepted where the route says so, injected like a token (claims of kind apiKey)', async () => {
      const created = await create();
      for (const headers of [xApiKey(created.key), { authorization: `ApiKey ${created.key}` }]) {
        for (const path of ['/keys/both', '/keys/only', '/reports/list']) {
          ran.length = 0;
          const response = await get(path, headers);
          assert.equal(response.status, 200, `${path}: ${response.text}`);
          assert.equal(response.json['tokenSubject'], 'billing-service');
          assert.deepEqual(response.json['tokenPermissions'], ['orders:read']);
          assert.equal(response.json['kind'], 'apiKey');
        }
        ran.length = 0;
        const core = await get('/core/both', headers);
        assert.equal(core.status, 200, core.text);
        assert.equal(core.json['tokenSubject'], 'billing-service');
      }
      const token = apo.createToken({ sub: 'user-1', permissions: ['orders:read'] }) as string;
      assert.equal((await get('/keys/both', bearer(token))).json['kind'], 'bearer', 'a Bearer token still works');
    });

    test('a Bearer-only route refuses a key with 401 ERR_TOKEN_MISSING (Bearer challenge), as does a method without accept under a controller that has it', async () => {
      const created = await create();
      for (const path of ['/keys/bearer-only', '/reports/bearer']) {
        ran.length = 0;
        const response = await get(path, xApiKey(created.key));
        refused(response, 401, 'ERR_TOKEN_MISSING');
        assert.equal(response.headers['www-authenticate'], 'Bearer');
      }
    });

    test('no credential: the challenge names every accepted scheme; a keys-only route refuses a Bearer token', async () => {
      const response = await get('/keys/both');
      refused(response, 401, 'ERR_TOKEN_MISSING');
      assert.equal(response.headers['www-authenticate'], 'Bearer, ApiKey');
      refused(await get('/keys/only', bearer(apo.createToken({ sub: 'u', permissions: ['orders:read'] }) as string)), 401, 'ERR_TOKEN_MISSING');
    });

    test('expired, revoked, rotated past the overlap: 401 with the key code; wrong prefix, malformed, unknown: ERR_API_KEY_INVALID', async () => {
      const expiring = await create({ expiresAt: T0 / 1000 + 60 });
      const revoked = await create();
      const rotated = await create();
      const unknown = await create({}, new ApiKeys({ store: new MemoryApiKeyStore(), now: BASE.now }));
      const otherPrefix = await create({}, new ApiKeys({ store: new MemoryApiKeyStore(), prefix: 'apo_test_', now: BASE.now }));
      await apo.apiKeys!.revoke(revoked.id);
      const fresh = await apo.apiKeys!.rotate(rotated.id, { overlapSeconds: 30 });
      issued.push(fresh.key);
      assert.equal((await get('/keys/both', xApiKey(rotated.key))).status, 200, 'the old key during the overlap');
      assert.equal((await get('/keys/both', xApiKey(fresh.key))).status, 200, 'the new key during the overlap');
      ran.length = 0;
      clock.ms = T0 + 60_000;
      const cases: [string, string, string][] = [
        [expiring.key, 'ERR_API_KEY_EXPIRED', 'expired'],
        [revoked.key, 'ERR_API_KEY_REVOKED', 'revoked'],
        [rotated.key, 'ERR_API_KEY_EXPIRED', 'rotated, after the overlap'],
        [unknown.key, 'ERR_API_KEY_INVALID', 'unknown'],
        [otherPrefix.key, 'ERR_API_KEY_INVALID', 'another prefix'],
        ['apo_live_not-a-key', 'ERR_API_KEY_INVALID', 'malformed'],
      ];
      for (const [key, code, name] of cases) {
        const response = await get('/keys/both', xApiKey(key));
        assert.equal(response.json['error'], code, name);
        refused(response, 401, code);
        assert.match(String(response.headers['www-authenticate']), /^ApiKey error="invalid_key"/, name);
      }
      assert.equal((await get('/keys/both', xApiKey(fresh.key))).status, 200, 'the new key after the overlap');
    });

    test('a key without the permission: 403; a token and a key at once: 400', async () => {
      const created = await create();
      refused(await get('/keys/write', xApiKey(created.key)), 403, 'ERR_PERMISSION_DENIED');
      const token = apo.createToken({ sub: 'user-1', permissions: ['orders:read'] }) as string;
      refused(await get('/keys/both', { ...bearer(token), ...xApiKey(created.key) }), 400, 'ERR_REQUEST_MALFORMED');
    });

    test('last use written at most once a minute (frozen clock)', async () => {
      const created = await create();
      const seen: (number | undefined)[] = [];
      for (const offset of [0, 59, 60, 100, 121]) {
        clock.ms = T0 + offset * 1000;
        assert.equal((await get('/keys/both', xApiKey(created.key))).status, 200);
        const lastUsed = (await apo.apiKeys!.get(created.id))?.lastUsedAt;
        seen.push(lastUsed === undefined ? undefined : lastUsed - T0 / 1000);
      }
      assert.deepEqual(seen, [0, 0, 60, 60, 121]);
    });
  });
}

/** The same controllers over a Redis store of the test's own: Redis frozen is 503 for a key not in the local cache. */
function redisKeysApp(store: RedisApiKeyStore): unknown {
  @Module({ imports: [ApoJwtModule.forRoot({ ...BASE, apiKeys: { store } })], controllers: [KeysController] })
  class RedisKeysApp {}
  return RedisKeysApp;
}

describe('API keys on Nest with Redis frozen (SIGSTOP): 503, never accepted unchecked', () => {
  let redis: OwnRedis;
  before(async () => {
    redis = await startOwnRedis();
  });
  after(() => redis.dispose());

  for (const platform of PLATFORMS) {
    test(`@nestjs/platform-${platform.name}`, async () => {
      const store = new RedisApiKeyStore({ redis: redis.url, prefix: `nest-${platform.name}:` });
      const server = await startNest(redisKeysApp(store), platform);
      try {
        const apo = server.app.get<ApoJwt>(APOJWT);
        const created = await apo.apiKeys!.create({ subject: 'billing-service', permissions: ['orders:read'] });
        ran.length = 0;
        redis.freeze();
        let down: Answer;
        try {
          down = await request(server.url, '/keys/both', { headers: { 'x-api-key': created.key } });
        } finally {
          redis.thaw();
        }
        assert.equal(down.status, 503, down.text);
        assert.equal(down.json['error'], 'ERR_STORE_UNAVAILABLE');
        assert.ok(!down.text.includes(created.key));
        assert.deepEqual(ran, []);
        await eventually(async () => (await request(server.url, '/keys/both', { headers: { 'x-api-key': created.key } })).status === 200, 'accepted once Redis answers');
      } finally {
        await server.close();
        await store.close();
      }
    });
  }
});
