import type { IncomingMessage, ServerResponse } from 'node:http';
import { fakeIncomingMessage, fakeServerResponse, setHeaders, type FakeAnswer, type FakeRequestInit } from './message.js';

/** The part of Koa's context the templates and a handler use. */
export interface FakeKoaContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly request: { body: unknown; readonly headers: IncomingMessage['headers'] };
  readonly state: Record<string, unknown>;
  readonly method: string;
  readonly path: string;
  readonly ip: string;
  status: number;
  body: unknown;
  set(field: string | Record<string, string | readonly string[]>, value?: string | readonly string[]): void;
  get(field: string): string;
}

export interface FakeKoa {
  readonly ctx: FakeKoaContext;
  /** A `next` that records that it was called. */
  readonly next: () => Promise<void>;
  /** `[ctx, next]`, to spread into a decorated method. */
  readonly args: readonly [FakeKoaContext, () => Promise<void>];
  /** Status, headers and body as Koa would send them (a body object as JSON). */
  answer(): FakeAnswer;
  /** How many times `next` was called. */
  nextCount(): number;
}

/**
 * Koa's `(ctx, next)` for one request: `ctx.req` is Node's own
 * IncomingMessage (the Koa template's `isRequest` holds) and `ctx.status`,
 * `ctx.body`, `ctx.set` behave as Koa's do for what apojwt writes.
 */
export function koaRequest(init: FakeRequestInit = {}): FakeKoa {
  const req = fakeIncomingMessage(init);
  const { res } = fakeServerResponse(req);
  let calls = 0;
  const url = new URL(req.url ?? '/', 'http://localhost');
  let explicitStatus: number | undefined;
  let body: unknown;
  const ctx: FakeKoaContext = {
    req,
    res,
    request: { body: init.body, headers: req.headers },
    state: {},
    method: req.method ?? 'GET',
    path: url.pathname,
    ip: init.ip ?? '127.0.0.1',
    // Koa: 404 until a body or a status is set; setting a body makes it 200.
    get status() {
      return explicitStatus ?? (body === undefined ? 404 : 200);
    },
    set status(code: number) {
      explicitStatus = code;
    },
    get body() {
      return body;
    },
    set body(value: unknown) {
      body = value;
    },
    set(field, value) {
      if (typeof field === 'string') setHeaders(res, { [field]: value ?? '' });
      else setHeaders(res, field);
    },
    get(field: string): string {
      const value = req.headers[field.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : (value ?? '');
    },
  };
  const next = async (): Promise<void> => {
    calls += 1;
  };
  return Object.freeze({
    ctx,
    next,
    args: [ctx, next] as const,
    nextCount: () => calls,
    answer: () => Object.freeze({ status: ctx.status, headers: res.getHeaders(), body, ended: body !== undefined || explicitStatus !== undefined }),
  });
}
