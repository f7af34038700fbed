import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { eventually } from './redis-server.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/**
 * Redis topologies of a test's own, on free loopback ports in a temp dir: a
 * three-master Redis Cluster, and one master + one replica + three
 * sentinels. `dispose` kills every process and removes the dir; processes
 * still alive when the test process exits are killed too.
 */

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

class Processes {
  readonly dir = mkdtempSync(join(tmpdir(), 'apojwt-topology-'));
  private readonly children: ChildProcess[] = [];

  /** A redis-server on `port`, its files under its own directory; `sentinelConfig` makes it a sentinel with that (writable) configuration. */
  async server(port: number, args: readonly string[], sentinelConfig?: string): Promise<void> {
    const dir = join(this.dir, String(port));
    mkdirSync(dir, { recursive: true });
    const base = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
    let argv = [...base, '--save', '', '--appendonly', 'no', ...args];
    if (sentinelConfig !== undefined) {
      writeFileSync(join(dir, 'sentinel.conf'), sentinelConfig);
      argv = [join(dir, 'sentinel.conf'), '--sentinel', ...base];
    }
    const child = spawn('redis-server', argv, { stdio: 'ignore' });
    this.children.push(child);
    running.add(child);
    child.once('exit', () => running.delete(child));
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await eventually(async () => {
        try {
          if (probe.status !== 'ready') await probe.connect();
          return (await probe.ping()) === 'PONG';
        } catch {
          return false;
        }
      }, `redis on ${port} answers`);
    } finally {
      probe.disconnect();
    }
  }

  async dispose(): Promise<void> {
    await Promise.all(
      this.children.map((child) => {
        if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        return exited;
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface OwnCluster {
  /** Where a client starts: every master. */
  readonly nodes: readonly { host: string; port: number }[];
  dispose(): Promise<void>;
}

/** Three masters, no replicas, made with `redis-cli --cluster create`; resolves once every node reports cluster_state:ok. */
export async function startCluster(): Promise<OwnCluster> {
  const processes = new Processes();
  try {
    const ports = [await freePort(), await freePort(), await freePort()];
    for (const port of ports) await processes.server(port, ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000']);
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: 20_000 });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    for (const port of ports) {
      const node = new Redis({ port, host: '127.0.0.1' });
      try {
        await eventually(async () => ((await node.cluster('INFO')) as string).includes('cluster_state:ok'), `cluster node ${port} is ok`, 20_000);
      } finally {
        node.disconnect();
      }
    }
    return { nodes: ports.map((port) => ({ host: '127.0.0.1', port })), dispose: () => processes.dispose() };
  } catch (error) {
    await processes.dispose();
    throw error;
  }
}

export interface OwnSentinels {
  readonly name: string;
  readonly sentinels: readonly { host: string; port: number }[];
  readonly masterPort: number;
  readonly replicaPort: number;
  /** The replica's link to the master, when asked for: freeze it and the replica falls behind (no error, only silence). */
  readonly replicaLink: TcpProxy | undefined;
  /** SENTINEL FAILOVER, then waits until every sentinel names the replica as master. */
  failover(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * One master, one replica of it and three sentinels watching them; resolves
 * once each sentinel sees the replica. `replicaLink: true` makes the replica
 * replicate through a TCP proxy the test can freeze.
 */
export async function startSentinels(options: { replicaLink?: boolean } = {}): Promise<OwnSentinels> {
  const processes = new Processes();
  const name = 'apojwt';
  let replicaLink: TcpProxy | undefined;
  const dispose = async (): Promise<void> => {
    await replicaLink?.close();
    await processes.dispose();
  };
  try {
    const masterPort = await freePort();
    const replicaPort = await freePort();
    await processes.server(masterPort, []);
    if (options.replicaLink === true) replicaLink = await startTcpProxy({ host: '127.0.0.1', port: masterPort });
    const upstream = replicaLink === undefined ? masterPort : Number(new URL(replicaLink.url).port);
    await processes.server(replicaPort, ['--replicaof', '127.0.0.1', String(upstream)]);
    const master = new Redis({ port: masterPort, host: '127.0.0.1' });
    try {
      // WAIT counts only a replica that finished its first sync.
      await eventually(async () => (await master.info('replication')).includes('state=online'), 'the replica is in sync', 20_000);
    } finally {
      master.disconnect();
    }
    const sentinelPorts = [await freePort(), await freePort(), await freePort()];
    for (const port of sentinelPorts) {
      const config = [`sentinel monitor ${name} 127.0.0.1 ${masterPort} 2`, `sentinel down-after-milliseconds ${name} 1000`, `sentinel failover-timeout ${name} 60000`];
      await processes.server(port, [], config.join('\n') + '\n');
    }
    const sentinels = sentinelPorts.map((port) => ({ host: '127.0.0.1', port }));
    const ask = async <T>(port: number, question: (sentinel: Redis) => Promise<T>): Promise<T> => {
      const sentinel = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
      sentinel.on('error', () => undefined);
      try {
        return await question(sentinel);
      } finally {
        sentinel.disconnect();
      }
    };
    const replicaSeen = (port: number): Promise<boolean> =>
      ask(port, async (sentinel) => {
        const replicas = (await sentinel.call('SENTINEL', 'REPLICAS', name)) as string[][];
        return replicas.some((fields) => {
          const flags = fields[fields.indexOf('flags') + 1] ?? '';
          return fields[fields.indexOf('port') + 1] === String(replicaPort) && !flags.includes('down') && !flags.includes('disconnected');
        });
      });
    for (const port of sentinelPorts) await eventually(() => replicaSeen(port), `sentinel ${port} sees the replica`, 20_000);
    const masterIs = (port: number, expected: number): Promise<boolean> =>
      ask(port, async (sentinel) => ((await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[])[1] === String(expected));
    return {
      name,
      sentinels,
      masterPort,
      replicaPort,
      replicaLink,
      async failover() {
        await ask(sentinelPorts[0]!, (sentinel) => sentinel.call('SENTINEL', 'FAILOVER', name));
        for (const port of sentinelPorts) await eventually(() => masterIs(port, replicaPort), `sentinel ${port} names the new master`, 20_000);
      },
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
