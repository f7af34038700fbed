import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startWaves, VERIFIERS, type Deployment, type ServiceName, type VerifierName } from './deployment.js';
import type { DemoMail } from '../accounts/outbox.js';

/** What the demo may ask a service process to do, over IPC. */
export type ControlOp = { op: 'advanceClock'; ms: number } | { op: 'rotateKey' } | { op: 'retireKey'; kid: string } | { op: 'settle' } | { op: 'accounts' } | { op: 'readMail'; to: string };
export type ControlRequest = ControlOp & { id: number };

interface Child {
  readonly name: ServiceName;
  readonly process: ChildProcess;
  readonly url: string;
  call<T>(request: ControlOp): Promise<T>;
}

/**
 * With REDIS_URL: each service in its own Node process (service-process.js),
 * sharing revocations and refresh rotation through Redis (@apojwt/redis).
 * The demo talks to them over HTTP like any client; its levers (clock, key
 * rotation) travel over the IPC channel of `fork`, not over HTTP, so no
 * service exposes a control endpoint.
 */
export async function startSeparate(redisUrl: string): Promise<Deployment> {
  // A fresh key prefix per run: runs (and test runs in parallel) never see each other's revocations.
  const env = { REDIS_URL: redisUrl, DEMO_PREFIX: `apojwt-demo:${randomUUID()}:` };
  const children: Child[] = [];
  try {
    const auth = await spawn('auth', env, children);
    const verifiers: Child[] = [];
    // Orders calls billing on behalf of the user: it starts once billing serves, and is told where (BILLING_URL).
    for (const wave of startWaves()) {
      const billingUrl = verifiers.find((child) => child.name === 'billing')?.url;
      const peers: Record<string, string> = billingUrl === undefined ? {} : { BILLING_URL: billingUrl };
      verifiers.push(...(await Promise.all(wave.map((name) => spawn(name, { ...env, AUTH_URL: auth.url, ...peers }, children)))));
    }
    // Listed in the demo's order (auth, orders, billing, catalog, shipping), whatever order they started in.
    verifiers.sort((a, b) => VERIFIERS.indexOf(a.name as VerifierName) - VERIFIERS.indexOf(b.name as VerifierName));
    const all = [auth, ...verifiers];
    const accounts = await auth.call<string>({ op: 'accounts' });
    return {
      description: `separate processes sharing Redis (${redisUrl}): ${all.map((child) => `${child.name} pid ${child.process.pid}`).join(', ')}`,
      urls: Object.fromEntries(all.map((child) => [child.name, child.url])) as Record<ServiceName, string>,
      advanceClock: async (ms) => {
        await Promise.all(children.map((child) => child.call({ op: 'advanceClock', ms })));
      },
      rotateKey: () => auth.call<string>({ op: 'rotateKey' }),
      retireKey: (kid) => auth.call<string[]>({ op: 'retireKey', kid }),
      accounts: `${accounts}, in the auth process`,
      // The outbox lives in the auth process; the demo reads it over IPC, like its other levers.
      readMail: (to) => auth.call<DemoMail | undefined>({ op: 'readMail', to }),
      // Revocations reach the other processes by Redis pub/sub, milliseconds after the revoking call.
      // Redis sent the message before it answered the revoking service, so a service that has turned
      // its event loop since has applied it: each one answers `settle` after one more turn.
      settle: async () => {
        await Promise.all(verifiers.map((child) => child.call({ op: 'settle' })));
      },
      close: () => stopAll(children),
    };
  } catch (error) {
    await stopAll(children);
    throw error;
  }
}

async function spawn(name: ServiceName, env: Record<string, string>, children: Child[]): Promise<Child> {
  const child = fork(fileURLToPath(new URL('./service-process.js', import.meta.url)), [name], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  const ready = new Promise<string>((resolve, reject) => {
    child.on('message', (message: { type?: string; url?: string; id?: number; result?: unknown; error?: string }) => {
      if (message.type === 'ready' && message.url) return resolve(message.url);
      const call = message.id === undefined ? undefined : pending.get(message.id);
      if (!call) return;
      pending.delete(message.id as number);
      if (message.error !== undefined) call.reject(new Error(message.error));
      else call.resolve(message.result);
    });
    child.once('exit', (code) => {
      reject(new Error(`the ${name} service exited (code ${code}) before it was ready`));
      for (const call of pending.values()) call.reject(new Error(`the ${name} service exited`));
    });
  });
  const entry: Child = {
    name,
    process: child,
    url: '',
    call: <T>(request: ControlOp) =>
      new Promise<T>((resolve, reject) => {
        const id = ++nextId;
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ ...request, id });
      }),
  };
  children.push(entry);
  const url = await ready;
  return Object.assign(entry, { url });
}

/** Closing the IPC channel tells a service to stop; a service that does not exit within 5 s is killed. */
async function stopAll(children: Child[]): Promise<void> {
  await Promise.all(
    children.map(async ({ process: child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      if (child.connected) child.disconnect();
      else child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    }),
  );
}
