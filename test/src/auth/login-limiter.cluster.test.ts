// LoginLimiter on a three-master Redis Cluster: rate-limiter-flexible sends one
// key per command, so the counts need no hash tag and spread over the masters.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { ApoJwt, ApoJwtError } from '@apojwt/core';
import { LoginLimiter, hashPassword, passwordLogin } from '@apojwt/auth';
import { startCluster, type OwnCluster } from '../support/redis-topology.js';

let cluster: OwnCluster | undefined;
const clients: Cluster[] = [];
before(async () => {
  cluster = await startCluster();
});
after(async () => {
  for (const client of clients) client.disconnect();
  await cluster?.dispose();
});

function clusterClient(seed: number): Cluster {
  const client = new Cluster([cluster!.nodes[seed]!], { redisOptions: { maxRetriesPerRequest: 1 } });
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}

const cost = 4;
const passwordHash = hashPassword('alice-pw', { cost });
const limited = (error: unknown) => error instanceof ApoJwtError && error.code === 'ERR_RATE_LIMITED' && error.status === 429;
const invalid = (error: unknown) => error instanceof ApoJwtError && error.code === 'ERR_CREDENTIALS_INVALID' && error.status === 401;

async function service(limiter: LoginLimiter) {
  const user = { sub: 'a', passwordHash: await passwordHash };
  return new ApoJwt({ secret: 's'.repeat(32), iss: 'auth', serverAudience: 'api' }).configLogin(passwordLogin({ getUser: (n) => (n === 'alice' ? user : undefined), cost, limiter }));
}

test('cluster: two services reaching the cluster through different masters share the account count, the lockout and the reset', async () => {
  const prefix = `test:${randomUUID()}:`;
  const rule = { perAccount: { attempts: 3, windowSeconds: 60, lockoutSeconds: 120 }, perIp: { attempts: 50, windowSeconds: 60, lockoutSeconds: 60 }, prefix };
  const one = await service(new LoginLimiter({ ...rule, redis: clusterClient(0) }));
  const two = await service(new LoginLimiter({ ...rule, redis: clusterClient(1) }));
  await assert.rejects(one.login('alice', 'bad', { ip: '10.0.0.1' }), invalid);
  await two.login('alice', 'alice-pw', { ip: '10.0.0.1' }); // a success resets the account's count, everywhere
  await assert.rejects(one.login('alice', 'bad', { ip: '10.0.0.1' }), invalid);
  await assert.rejects(two.login('alice', 'bad', { ip: '10.0.0.2' }), invalid);
  await assert.rejects(one.login('alice', 'bad', { ip: '10.0.0.3' }), invalid);
  await assert.rejects(two.login('alice', 'alice-pw', { ip: '10.0.0.4' }), limited);
  await assert.rejects(one.login('alice', 'alice-pw', { ip: '10.0.0.4' }), limited);
});
