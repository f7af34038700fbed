import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on a free loopback port in front of a real server, for network
 * partitions: `freeze()` stops forwarding in both directions while every
 * socket stays open (a cut cable, a dead peer behind a NAT: the client sees
 * no error, only silence). `thaw()` delivers what was held back, as TCP
 * retransmission would once the path heals.
 */
export interface TcpProxy {
  readonly url: string;
  freeze(): void;
  /** Freezes right after the next server reply containing `fragment` reached the client. */
  freezeAfterReply(fragment: string): Promise<void>;
  thaw(): void;
  close(): Promise<void>;
}

interface Pipe {
  readonly from: Socket;
  readonly to: Socket;
  readonly held: Buffer[];
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let frozen = false;
  let watch: { fragment: string; done(): void } | undefined;
  const pipes = new Set<Pipe>();
  const sockets = new Set<Socket>();

  const forward = (pipe: Pipe, chunk: Buffer, fromServer: boolean): void => {
    if (frozen) {
      pipe.held.push(chunk);
      return;
    }
    pipe.to.write(chunk);
    if (fromServer && watch !== undefined && chunk.toString('latin1').toLowerCase().includes(watch.fragment)) {
      frozen = true;
      const { done } = watch;
      watch = undefined;
      done();
    }
  };

  const server: Server = createServer((client) => {
    const upstream = createConnection(target);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    const up: Pipe = { from: client, to: upstream, held: [] };
    const down: Pipe = { from: upstream, to: client, held: [] };
    pipes.add(up).add(down);
    client.on('close', () => {
      pipes.delete(up);
      pipes.delete(down);
    });
    client.on('data', (chunk: Buffer) => forward(up, chunk, false));
    upstream.on('data', (chunk: Buffer) => forward(down, chunk, true));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  return {
    url: `redis://127.0.0.1:${port}`,
    freeze() {
      frozen = true;
    },
    freezeAfterReply(fragment) {
      return new Promise<void>((resolve) => {
        watch = { fragment: fragment.toLowerCase(), done: resolve };
      });
    },
    thaw() {
      frozen = false;
      for (const pipe of pipes) {
        for (const chunk of pipe.held.splice(0)) if (!pipe.to.destroyed) pipe.to.write(chunk);
      }
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
