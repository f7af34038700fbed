import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The protocol between a benchmark server process and its runner: the
 * server prints `{ port }` once it listens; SIGUSR2 starts a measurement,
 * SIGUSR1 prints `{ requests, cpuMicros }` since then; SIGTERM closes it.
 * CPU time per request is what a busy shared machine disturbs far less
 * than requests per second.
 */
export function serve(server: Server, close: () => Promise<unknown> = () => new Promise((done) => server.close(done))): void {
  let requests = 0;
  let start = process.cpuUsage();
  server.on('request', () => requests++);
  process.on('SIGUSR2', () => {
    requests = 0;
    start = process.cpuUsage();
  });
  process.on('SIGUSR1', () => {
    const used = process.cpuUsage(start);
    process.stdout.write(`${JSON.stringify({ requests, cpuMicros: used.user + used.system })}\n`);
  });
  process.on('SIGTERM', () => void close().then(() => process.exit(0)));
  // Announced last: a signal that arrives before its handler is installed kills the process.
  const announce = () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
  if (server.listening) announce();
  else server.once('listening', announce);
}

/** The case named on the command line, refused (exit 2) unless it is one of `known`. */
export function caseFromArgv<T extends string>(known: readonly T[]): T {
  const which = process.argv[2] as T;
  if (!known.includes(which)) {
    console.error(`usage: node ${process.argv[1] ?? 'server.js'} <${known.join('|')}>`);
    process.exit(2);
  }
  return which;
}
