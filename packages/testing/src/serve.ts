import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwksResponse } from '@apojwt/core';
import type { TestIssuer } from './issuer.js';

/** A server listening on 127.0.0.1; `close()` drops open connections (keep-alive too) and waits until it is closed. */
export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * Serves an app on 127.0.0.1, port 0 (a free port the system picks, so tests
 * run side by side): an Express app or `koaApp.callback()` (any Node request
 * listener), or a `node:http` server not yet listening.
 */
export async function serve(app: RequestListener | Server): Promise<RunningServer> {
  const server = typeof app === 'function' ? createServer(app) : app;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return Object.freeze({
    url: `http://127.0.0.1:${port}`,
    server,
    async close(): Promise<void> {
      if (!server.listening) return;
      server.closeAllConnections();
      const closed = once(server, 'close');
      server.close();
      await closed;
    },
  });
}

/** The issuer's public keys at `${url}/.well-known/jwks.json` (ES256 issuers), answered as core's `jwksResponse` answers it. */
export async function serveJwks(issuer: TestIssuer): Promise<RunningServer & { readonly jwksUri: string }> {
  const jwks = issuer.jwks();
  const running = await serve((req, res) => {
    if (req.method !== 'GET' || req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    const answer = jwksResponse(jwks);
    res.writeHead(answer.status, answer.headers).end(JSON.stringify(answer.body));
  });
  return Object.freeze({ ...running, jwksUri: `${running.url}/.well-known/jwks.json` });
}
