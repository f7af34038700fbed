// Revocations per second through @apojwt/redis on one redis-server and on a
// three-master Redis Cluster (made here with `redis-cli --cluster create`),
// same run, alternating rounds. Each revocation is one script on the master of
// the prefix's slot plus the publication (PUBLISH on one server, SPUBLISH on
// the cluster); every store also keeps its mirror, so verification costs the
// same everywhere (no round trip) and is not measured here.
//
//   node microservices/revocation-cluster.mjs
// Knobs: ROUNDS (default 4), DURATION (s per round, default 2), CONCURRENCY (default 50).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { createRedisStores } from '@apojwt/redis';

const ROUNDS = Number(process.env.ROUNDS ?? 4);
const DURATION = Number(process.env.DURATION ?? 2);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 50);

const dir = mkdtempSync(join(tmpdir(), 'apojwt-bench-cluster-'));
const children = [];
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function redisServer(extra) {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', mkdtempSync(join(dir, 'n-')), ...extra], {
    stdio: 'ignore',
  });
  children.push(child);
  const probe = new Redis({ port, host: '127.0.0.1', retryStrategy: () => 50 });
  probe.on('error', () => undefined);
  await probe.ping();
  probe.disconnect();
  return port;
}

async function startCluster() {
  const ports = [];
  for (let i = 0; i < 3; i++) ports.push(await redisServer(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf']));
  const created = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
  if (created.status !== 0) throw new Error(created.stdout + created.stderr);
  for (const port of ports) {
    const node = new Redis({ port, host: '127.0.0.1' });
    while (!(await node.cluster('INFO')).includes('cluster_state:ok')) await new Promise((resolve) => setTimeout(resolve, 100));
    node.disconnect();
  }
  return ports;
}

/** Prefixes whose slots three different masters serve, so that three groups of services write to three masters. */
async function prefixesOnThreeMasters(cluster) {
  const byOwner = new Map();
  for (let i = 0; byOwner.size < 3; i++) {
    const prefix = `bench-${i}:`;
    const slot = await cluster.cluster('KEYSLOT', `{${prefix}}rev:jti`);
    const owner = cluster.slots[slot][0];
    if (!byOwner.has(owner)) byOwner.set(owner, prefix);
  }
  return [...byOwner.values()];
}

/** Revocations per second: CONCURRENCY loops, each revoking one new jti after another, over `stores` in turn. */
async function revocationsPerSecond(storesList) {
  let count = 0;
  const until = performance.now() + DURATION * 1000;
  const now = Math.floor(Date.now() / 1000);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      const { revocationStore } = storesList[worker % storesList.length];
      for (let i = 0; performance.now() < until; i++) {
        await revocationStore.revokeToken(`w${worker}-${i}-${Math.random()}`, now + 600, now);
        count += 1;
      }
    }),
  );
  return count / DURATION;
}

const singlePort = await redisServer([]);
const clusterPorts = await startCluster();
const single = createRedisStores({ redis: `redis://127.0.0.1:${singlePort}`, prefix: 'bench:', maxEntries: 10_000_000 });
const cluster = new Cluster([{ host: '127.0.0.1', port: clusterPorts[0] }]);
cluster.on('error', () => undefined);
await new Promise((resolve) => cluster.once('ready', resolve));
const onePrefix = createRedisStores({ redis: cluster, prefix: 'bench:', maxEntries: 10_000_000 });
const threePrefixes = (await prefixesOnThreeMasters(cluster)).map((prefix) => createRedisStores({ redis: cluster, prefix, maxEntries: 10_000_000 }));
for (const stores of [single, onePrefix, ...threePrefixes]) await stores.ready();

const contenders = [
  ['one redis-server, one prefix', [single]],
  ['cluster (3 masters), one prefix', [onePrefix]],
  ['cluster (3 masters), 3 prefixes on 3 masters', threePrefixes],
];
const results = new Map(contenders.map(([name]) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? contenders : [...contenders].reverse();
  for (const [name, stores] of order) results.get(name).push(await revocationsPerSecond(stores));
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const base = median(results.get(contenders[0][0]));
console.log(`| contender | median revocations/s | best | × one server (median) |`);
console.log(`|---|---:|---:|---:|`);
for (const [name] of contenders) {
  const values = results.get(name);
  console.log(`| ${name} | ${Math.round(median(values))} | ${Math.round(Math.max(...values))} | ${(median(values) / base).toFixed(2)} |`);
}
for (const stores of [single, onePrefix, ...threePrefixes]) await stores.close();
cluster.disconnect();
process.exit(0);
