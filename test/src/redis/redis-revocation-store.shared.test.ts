import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { ApoJwt, ApoJwtError, jwksResponse } from '@apojwt/core';
import { createRedisStores, RedisRevocationStore, type RedisStores } from '@apojwt/redis';
import { apoError, keyPairFor } from '../support/helpers.js';
import { eventually, redisTestFile } from '../support/redis-server.js';

const redis = redisTestFile();

const base = { iss: 'auth', serverAudience: 'orders', algorithm: 'ES256' } as const;

async function service(prefix: string, keys: { privateKey?: true }): Promise<{ apo: ApoJwt; stores: RedisStores }> {
  const stores = redis.stores({ prefix });
  await stores.ready();
  const keyOptions = keys.privateKey ? { privateKey: { key: keyPairFor('ES256').privateKey, kid: 'k1' } } : { publicKeys: [{ key: keyPairFor('ES256').publicKey, kid: 'k1' }] };
  const apo = new ApoJwt({ ...base, ...keyOptions, revocationStore: stores.revocationStore, rotationStore: stores.rotationStore });
  return { apo, stores };
}

async function isRejected(apo: ApoJwt, token: string, code: string): Promise<boolean> {
  try {
    await apo.verify(token);
    return false;
  } catch (error) {
    return error instanceof ApoJwtError && error.code === code;
  }
}

test("two verifiers sharing Redis see each other's revocations, cached tokens included", async () => {
  const prefix = `t-${randomUUID()}:`;
  const { apo: issuer } = await service(prefix, { privateKey: true });
  const { apo: a } = await service(prefix, {});
  const { apo: b } = await service(prefix, {});
  const t1 = issuer.createToken({ sub: 'alice' });
  const t2 = issuer.createToken({ sub: 'bob' });
  const t3 = issuer.createToken({ sub: 'bob' });
  for (const token of [t1, t2, t3]) {
    assert.ok((await a.verify(token)).sub);
    assert.ok((await b.verify(token)).sub); // now in both verified caches
  }

  await a.revoke(t1);
  await assert.rejects(a.verify(t1), apoError('ERR_TOKEN_REVOKED', 401)); // its own revocation: at once
  await eventually(() => isRejected(b, t1, 'ERR_TOKEN_REVOKED'), "b sees a's revocation");

  await b.revokeSubject('bob');
  await assert.rejects(b.verify(t2), apoError('ERR_TOKEN_REVOKED', 401));
  await eventually(() => isRejected(a, t3, 'ERR_TOKEN_REVOKED'), "a sees b's subject revocation");
  await assert.rejects(a.verify(t2), apoError('ERR_TOKEN_REVOKED', 401));

  // A verifier started afterwards reads the revocations from Redis before it serves.
  const { apo: late } = await service(prefix, {});
  await assert.rejects(late.verify(t1), apoError('ERR_TOKEN_REVOKED', 401));
  await assert.rejects(late.verify(t3), apoError('ERR_TOKEN_REVOKED', 401));
  assert.equal((await late.verify(issuer.createToken({ sub: 'carol' }))).sub, 'carol');
});

test('a verifier in another process (keys from JWKS over HTTP) shares revocations both ways', async () => {
  const prefix = `t-${randomUUID()}:`;
  const { apo: issuer } = await service(prefix, { privateKey: true });
  const server: Server = createServer((_req, res) => {
    const answer = jwksResponse(issuer);
    res.writeHead(answer.status, answer.headers).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  const script = fileURLToPath(new URL('../support/verifier-process.js', import.meta.url));
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, REDIS_URL: redis.url, APOJWT_PREFIX: prefix, APOJWT_JWKS_URI: jwksUri },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const answers = new Map<number, (answer: Record<string, unknown>) => void>();
  const readyAnswer = new Promise<Record<string, unknown>>((resolve) => answers.set(0, resolve));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const answer = JSON.parse(line) as Record<string, unknown>;
    answers.get(answer['id'] as number)?.(answer);
  });
  let nextId = 1;
  const ask = (op: string, arg: string): Promise<Record<string, unknown>> => {
    const id = nextId++;
    const answered = new Promise<Record<string, unknown>>((resolve) => answers.set(id, resolve));
    child.stdin!.write(JSON.stringify({ id, op, arg }) + '\n');
    return answered;
  };
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    assert.equal((await readyAnswer)['ready'], true);
    const mine = issuer.createToken({ sub: 'dave' });
    const theirs = issuer.createToken({ sub: 'erin' });
    assert.deepEqual(await ask('verify', mine), { id: 1, ok: true, sub: 'dave' });
    assert.deepEqual(await ask('verify', theirs), { id: 2, ok: true, sub: 'erin' });

    await issuer.revoke(mine); // this process revokes; the child must see it
    await eventually(async () => (await ask('verify', mine))['code'] === 'ERR_TOKEN_REVOKED', 'the child sees the revocation');
    const answer = await ask('verify', mine);
    assert.equal(answer['status'], 401);

    assert.deepEqual((await ask('revoke', theirs))['ok'], true); // the child revokes; this process must see it
    await eventually(() => isRejected(issuer, theirs, 'ERR_TOKEN_REVOKED'), "this process sees the child's revocation");
    await assert.rejects(issuer.verify(theirs), apoError('ERR_TOKEN_REVOKED', 401));
  } finally {
    child.stdin!.end(JSON.stringify({ id: 999, op: 'exit', arg: '' }) + '\n');
    await exited;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('entries expire with their tokens: keys carry a TTL and expired entries are pruned', async () => {
  const prefix = `t-${randomUUID()}:`;
  const store = new RedisRevocationStore({ redis: redis.url, prefix });
  const client = new Redis(redis.url);
  try {
    await store.ready();
    const now = Math.floor(Date.now() / 1000);
    await store.revokeToken('old-jti', now + 10, now);
    await store.revokeSubject('sub-1', now, now + 10, now);
    assert.ok((await client.ttl(`{${prefix}}rev:jti`)) > 0);
    assert.ok((await client.ttl(`{${prefix}}rev:sub:at`)) > 0);
    // Later on, another write prunes what expired in between.
    await store.revokeToken('new-jti', now + 1000, now + 20);
    await store.revokeSubject('sub-2', now + 20, now + 1000, now + 20);
    assert.deepEqual(await client.zrange(`{${prefix}}rev:jti`, 0, -1), ['new-jti']);
    assert.deepEqual(await client.hkeys(`{${prefix}}rev:sub:at`), ['sub-2']);
    assert.equal(store.isRevoked({ jti: 'old-jti', sub: 'x', iat: now }, now + 20), false);
    assert.equal(store.isRevoked({ jti: 'new-jti', sub: 'x', iat: now }, now + 20), true);
  } finally {
    await store.close();
    client.disconnect();
  }
});

test('before the first sync (Redis unreachable) verification is 503; options are validated', async () => {
  assert.throws(
    () => createRedisStores({ redis: 'http://127.0.0.1:1' }),
    (error: unknown) => error instanceof TypeError && /redis:\/\//.test((error as Error).message),
  );
  assert.throws(
    () => new RedisRevocationStore({ redis: redis.url, heartbeat: 0 }),
    (error: unknown) => error instanceof TypeError && /heartbeat/.test((error as Error).message),
  );
  const stores = createRedisStores({ redis: 'redis://127.0.0.1:1', prefix: 'never:' });
  try {
    await assert.rejects(stores.ready(300), apoError('ERR_STORE_UNAVAILABLE', 503));
    const apo = new ApoJwt({ ...base, privateKey: { key: keyPairFor('ES256').privateKey, kid: 'k1' }, revocationStore: stores.revocationStore });
    await assert.rejects(apo.verify(apo.createToken({ sub: 'u' })), apoError('ERR_STORE_UNAVAILABLE', 503));
  } finally {
    await stores.close();
  }
  await assert.rejects(stores.ready(), apoError('ERR_STORE_UNAVAILABLE', 503));
});
