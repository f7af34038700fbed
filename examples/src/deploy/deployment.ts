import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The three running services, however they were started, and the demo's levers on them. */
export interface Deployment {
  readonly description: string;
  readonly urls: { auth: string; orders: string; billing: string };
  /** Moves every service's clock forward. */
  advanceClock(ms: number): Promise<void>;
  /** Rotates the auth service's signing key; returns the new kid. */
  rotateKey(): Promise<string>;
  /** Retires a key on the auth service; returns the kids left. */
  retireKey(kid: string): Promise<string[]>;
  /** Waits until a revocation made by one service has reached the others (pub/sub delivery between processes). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function listen(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function closeServer(server: Server): Promise<void> {
  const closed = once(server, 'close');
  server.close();
  server.closeAllConnections();
  await closed;
}
