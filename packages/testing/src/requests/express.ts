import type { IncomingMessage, ServerResponse } from 'node:http';
import { fakeIncomingMessage, fakeServerResponse, setHeaders, type FakeAnswer, type FakeRequestInit } from './message.js';

/** Express's `(req, res, next)` for one request, with what the handler did to them. */
export interface FakeExpress {
  readonly req: IncomingMessage & Record<string, unknown>;
  readonly res: ServerResponse & Record<string, unknown>;
  readonly next: (error?: unknown) => void;
  /** `[req, res, next]`, to spread into a decorated method: `controller.show(...call.args)`. */
  readonly args: readonly [IncomingMessage, ServerResponse, (error?: unknown) => void];
  /** What was answered through `res`. */
  answer(): FakeAnswer;
  /** The arguments of each `next` call (`[undefined]` for a plain `next()`, `[error]` for `next(error)`). */
  readonly nextCalls: readonly (readonly unknown[])[];
}

/**
 * The arguments Express hands a route handler, on Node's own request and
 * response classes (the Express template's `isRequest` holds), with the
 * part of Express's response API the templates use (`status`, `set`,
 * `json`, `send`). No server, no socket: a unit test calls the handler and
 * reads `answer()`.
 */
export function expressRequest(init: FakeRequestInit = {}): FakeExpress {
  const req = fakeIncomingMessage(init) as IncomingMessage & Record<string, unknown>;
  const url = new URL(req.url ?? '/', 'http://localhost');
  Object.assign(req, { ip: init.ip ?? '127.0.0.1', body: init.body, path: url.pathname, query: Object.fromEntries(url.searchParams), params: {} });
  const { res, answer } = fakeServerResponse(req);
  const nextCalls: unknown[][] = [];
  const next = (...args: unknown[]): void => {
    nextCalls.push(args);
  };
  const express = res as ServerResponse & Record<string, unknown>;
  Object.assign(express, {
    status(code: number) {
      res.statusCode = code;
      return express;
    },
    set(headers: Record<string, string | readonly string[]>) {
      setHeaders(res, headers);
      return express;
    },
    json(body: unknown) {
      if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify(body));
      return express;
    },
    send(body: unknown) {
      if (body !== null && typeof body === 'object' && !Buffer.isBuffer(body)) return (express['json'] as (b: unknown) => unknown)(body);
      res.end(body === undefined ? undefined : String(body));
      return express;
    },
  });
  req['res'] = res;
  req['next'] = next;
  return Object.freeze({ req, res: express, next, args: [req, res, next] as const, answer, nextCalls });
}
