import { once } from 'node:events';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { VerifierOptions } from '../services/verifier-options.js';
import type { DemoMail } from '../accounts/outbox.js';

/** The services that verify the auth service's tokens, in the order the demo starts and lists them. */
export const VERIFIERS = ['orders', 'billing', 'catalog', 'shipping'] as const;
export type VerifierName = (typeof VERIFIERS)[number];
export type ServiceName = 'auth' | VerifierName;

/** Orders calls billing on behalf of the user (services/billing-client.ts): it is given billing's URL, so it starts after billing. */
export const STARTS_AFTER_BILLING: readonly VerifierName[] = ['orders'];

/** The verifiers in the order they can start: those that call no other service, then those that call billing. */
export function startWaves(): VerifierName[][] {
  return [VERIFIERS.filter((name) => !STARTS_AFTER_BILLING.includes(name)), [...STARTS_AFTER_BILLING]];
}

/** The five running services, however they were started, and the demo's levers on them. */
export interface Deployment {
  readonly description: string;
  readonly urls: Readonly<Record<ServiceName, string>>;
  /** Moves every service's clock forward. */
  advanceClock(ms: number): Promise<void>;
  /** Rotates the auth service's signing key; returns the new kid. */
  rotateKey(): Promise<string>;
  /** Retires a key on the auth service; returns the kids left. */
  retireKey(kid: string): Promise<string[]>;
  /** Where the auth service keeps its accounts (PGlite, or the DATABASE_URL server). */
  readonly accounts: string;
  /** The last mail the auth service's demo outbox holds for an address: how the demo reads its mail (accounts/outbox.ts). */
  readMail(to: string): Promise<DemoMail | undefined>;
  /** Waits until a revocation made by one service has reached the others (pub/sub delivery between processes). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** One service serving on 127.0.0.1, whatever its framework. */
export interface RunningService {
  readonly url: string;
  close(): Promise<void>;
}

/** How a verifying service that starts its own server is started (the Nest one: services/shipping.ts). */
export type StartVerifier = (options: VerifierOptions) => Promise<RunningService>;

/** Serves a Node request listener (an Express app, a Koa app's callback) on a free port. */
export async function listen(handler: RequestListener): Promise<RunningService> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Fastify starts its own server: `listen` answers with the address it serves on. */
export async function listenFastify(app: FastifyInstance): Promise<RunningService> {
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}
