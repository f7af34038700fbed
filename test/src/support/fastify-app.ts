import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';

/** What a Fastify app logged, line by line (JSON), to show it never warned about a second send. */
export class LogLines extends Writable {
  readonly lines: Record<string, unknown>[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    for (const text of chunk.toString('utf8').split('\n')) if (text.trim() !== '') this.lines.push(JSON.parse(text) as Record<string, unknown>);
    callback();
  }

  /** Warnings and errors: a double send logs "Reply was already sent" at warn level. */
  get problems(): string[] {
    return this.lines.filter((line) => Number(line['level']) >= 40).map((line) => String(line['msg'] ?? (line['err'] as { message?: string } | undefined)?.message));
  }
}

/** Listens on 127.0.0.1, a free port; `close` ends open connections too. */
export async function start(app: FastifyInstance): Promise<{ url: string; close(): Promise<void> }> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}
