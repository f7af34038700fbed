import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApoJwt, ApoJwtError } from '@apojwt/core';
import { createRedisStores, type RedisStores } from '@apojwt/redis';
import { apoError, keyPairFor } from '../support/helpers.js';
import { eventually, redisTestFile } from '../support/redis-server.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const redis = redisTestFile();
const proxies: TcpProxy[] = [];
const partitioned: RedisStores[] = [];
after(async () => {
  for (const stores of partitioned) await stores.close();
  for (const proxy of proxies) await proxy.close();
});

const HEARTBEAT = 200;
// The documented bound: the mirror is trusted while Redis' last answer is younger than one heartbeat (PINGs go every half heartbeat).
const TRUST_BOUND = HEARTBEAT;

function apoOver(stores: RedisStores, keys: 'private' | 'public'): ApoJwt {
  const pair = keyPairFor('ES256');
  return new ApoJwt({
    iss: 'auth',
    serverAudience: 'orders',
    algorithm: 'ES256',
    ...(keys === 'private' ? { privateKey: { key: pair.privateKey, kid: 'k1' } } : { publicKeys: [{ key: pair.publicKey, kid: 'k1' }] }),
    revocationStore: stores.revocationStore,
  });
}

async function outcome(apo: ApoJwt, token: string): Promise<string> {
  try {
    await apo.verify(token);
    return 'accepted';
  } catch (error) {
    if (error instanceof ApoJwtError) return error.code;
    throw error;
  }
}

test('a service cut off from Redis (frozen TCP proxy) stops trusting its mirror one heartbeat after the last answer: 503, then recovery', async (t) => {
  const prefix = `t-${randomUUID()}:`;
  const { hostname, port } = new URL(redis.url);
  const proxy = await startTcpProxy({ host: hostname, port: Number(port) });
  proxies.push(proxy);

  // Service A talks to Redis directly; service B goes through the proxy.
  const aStores = redis.stores({ prefix, heartbeat: HEARTBEAT });
  const bStores = createRedisStores({ redis: proxy.url, prefix, heartbeat: HEARTBEAT });
  partitioned.push(bStores);
  await Promise.all([aStores.ready(), bStores.ready()]);
  const a = apoOver(aStores, 'private');
  const b = apoOver(bStores, 'public');
  const valid = a.createToken({ sub: 'alice' });
  const stolen = a.createToken({ sub: 'mallory' });
  assert.equal(await outcome(b, stolen), 'accepted'); // in B's verified cache from now on

  // The worst moment for B: the partition starts just after a PING answer reached it.
  await proxy.freezeAfterReply('pong');
  const partitionedAt = performance.now();
  await a.revoke(stolen);
  const revokedAt = performance.now();

  // B is checked without pause from the moment revoke() resolved on A.
  let firstRefusal: { at: number; code: string } | undefined;
  let watching = true;
  const watcher = (async () => {
    while (watching && firstRefusal === undefined) {
      const seen = await outcome(b, stolen);
      if (seen !== 'accepted') firstRefusal = { at: performance.now(), code: seen };
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();

  try {
    // Past the bound B refuses every token: it cannot know what it missed. The bound runs from
    // when B's client handled the last PONG, which a loaded machine may delay past the moment
    // the proxy froze: wait for the first refusal, and check the window below.
    await sleep(partitionedAt + TRUST_BOUND - performance.now());
    await eventually(() => firstRefusal !== undefined, 'B refuses once the mirror is past its bound', HEARTBEAT * 10);
    await assert.rejects(b.verify(stolen), apoError('ERR_STORE_UNAVAILABLE', 503));
    await assert.rejects(b.verify(valid), apoError('ERR_STORE_UNAVAILABLE', 503));
    assert.equal(bStores.revocationStore.synced, false);
  } finally {
    watching = false;
    await watcher;
    proxy.thaw();
  }
  assert.ok(firstRefusal !== undefined);
  assert.equal(firstRefusal.code, 'ERR_STORE_UNAVAILABLE');
  const window = firstRefusal.at - revokedAt;
  t.diagnostic(
    `revoked token accepted by the partitioned service for ${window.toFixed(0)} ms after revoke() resolved; first refusal ${(firstRefusal.at - partitionedAt).toFixed(0)} ms after the partition (heartbeat ${HEARTBEAT} ms, bound ${TRUST_BOUND} ms)`,
  );
  // Generous: the measured window is the bound minus the time revoke() took; ten heartbeats would mean the bound is not enforced.
  assert.ok(window < HEARTBEAT * 10, `window ${window} ms`);

  // Healed: B resyncs, sees the revocation it missed and accepts valid tokens again.
  await eventually(async () => (await outcome(b, valid)) === 'accepted', 'B recovers once the proxy forwards again');
  assert.equal(await outcome(b, stolen), 'ERR_TOKEN_REVOKED');
  assert.equal(bStores.revocationStore.synced, true);
});

test('a healthy connection keeps the mirror trusted well past the bound (the PINGs keep it fresh)', async () => {
  const stores = redis.stores({ prefix: `t-${randomUUID()}:`, heartbeat: HEARTBEAT });
  await stores.ready();
  const apo = apoOver(stores, 'private');
  const token = apo.createToken({ sub: 'alice' });
  const until = performance.now() + TRUST_BOUND * 4;
  while (performance.now() < until) {
    assert.equal(await outcome(apo, token), 'accepted');
    await sleep(HEARTBEAT / 4);
  }
});
