import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Running } from './framework.js';

/**
 * Waits until `server` (already told to listen on 127.0.0.1 port 0) is
 * listening and returns its URL; `close()` drops every open connection
 * (keep-alive included) and resolves once the server is closed.
 */
export async function listen(server: Server): Promise<Running> {
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
