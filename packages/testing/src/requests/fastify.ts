import type { IncomingMessage } from 'node:http';
import { fakeIncomingMessage, type FakeAnswer, type FakeRequestInit } from './message.js';

/** The part of Fastify's request the template and a handler read. */
export interface FakeFastifyRequest extends Record<string, unknown> {
  readonly raw: IncomingMessage;
  readonly headers: IncomingMessage['headers'];
  readonly method: string;
  readonly url: string;
  readonly ip: string;
  readonly body: unknown;
  readonly params: Record<string, string>;
  readonly query: Record<string, string>;
}

/** The part of Fastify's reply the template uses: `code`, `header`, `headers`, `send`. */
export interface FakeFastifyReply {
  readonly statusCode: number;
  readonly sent: boolean;
  code(status: number): FakeFastifyReply;
  status(status: number): FakeFastifyReply;
  header(name: string, value: string | readonly string[]): FakeFastifyReply;
  headers(values: Record<string, string | readonly string[]>): FakeFastifyReply;
  getHeader(name: string): string | readonly string[] | undefined;
  send(payload?: unknown): FakeFastifyReply;
}

export interface FakeFastify {
  readonly request: FakeFastifyRequest;
  readonly reply: FakeFastifyReply;
  /** `[request, reply]`, to spread into a decorated method. */
  readonly args: readonly [FakeFastifyRequest, FakeFastifyReply];
  answer(): FakeAnswer;
}

/**
 * Fastify's `(request, reply)`: `request.raw` is Node's own IncomingMessage
 * (the Fastify template's `isRequest` holds), and the reply records what
 * was sent.
 */
export function fastifyRequest(init: FakeRequestInit = {}): FakeFastify {
  const raw = fakeIncomingMessage(init);
  const url = new URL(raw.url ?? '/', 'http://localhost');
  const request: FakeFastifyRequest = {
    raw,
    headers: raw.headers,
    method: raw.method ?? 'GET',
    url: raw.url ?? '/',
    ip: init.ip ?? '127.0.0.1',
    body: init.body,
    params: {},
    query: Object.fromEntries(url.searchParams),
  };
  let statusCode = 200;
  let sent = false;
  let payload: unknown;
  const headers: Record<string, string | readonly string[]> = {};
  const reply: FakeFastifyReply = {
    get statusCode() {
      return statusCode;
    },
    get sent() {
      return sent;
    },
    code(status) {
      statusCode = status;
      return reply;
    },
    status(status) {
      return reply.code(status);
    },
    header(name, value) {
      headers[name.toLowerCase()] = value;
      return reply;
    },
    headers(values) {
      for (const [name, value] of Object.entries(values)) reply.header(name, value);
      return reply;
    },
    getHeader: (name) => headers[name.toLowerCase()],
    send(body) {
      if (sent) throw new Error('fake Fastify reply: send() was called twice');
      sent = true;
      payload = body;
      return reply;
    },
  };
  return Object.freeze({
    request,
    reply,
    args: [request, reply] as const,
    answer: () => Object.freeze({ status: statusCode, headers: { ...headers } as FakeAnswer['headers'], body: payload, ended: sent }),
  });
}
