import { IncomingMessage, ServerResponse, type OutgoingHttpHeaders } from 'node:http';
import { Socket } from 'node:net';

/** What a fake request is made of. */
export interface FakeRequestInit {
  /** Default 'GET'. */
  method?: string;
  /** Path and query; default '/'. */
  url?: string;
  /** Request headers; a list value is sent as that many header lines (two Authorization headers, say). */
  headers?: Record<string, string | readonly string[]>;
  /** Shorthand for `Authorization: Bearer <token>`. */
  token?: string;
  /** What a body parser would have produced (Express `req.body`, Koa `ctx.request.body`, Fastify `request.body`). */
  body?: unknown;
  /** The client IP the framework would report; default '127.0.0.1'. */
  ip?: string;
}

/** What the code under test answered through the fake response. */
export interface FakeAnswer {
  /** The status set, 200 when none was. */
  readonly status: number;
  /** Response headers, names in lower case. */
  readonly headers: OutgoingHttpHeaders;
  /** The body sent: parsed JSON when it was JSON, the text otherwise, undefined when none. */
  readonly body: unknown;
  /** True once the response was ended. */
  readonly ended: boolean;
}

/**
 * A real `IncomingMessage` on an unconnected socket: `instanceof` holds and
 * core's finders read `rawHeaders` exactly as they do on a live request.
 */
export function fakeIncomingMessage(init: FakeRequestInit): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.method = (init.method ?? 'GET').toUpperCase();
  req.url = init.url ?? '/';
  const raw: string[] = [];
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    for (const line of typeof value === 'string' ? [value] : value) raw.push(name, line);
  }
  if (init.token !== undefined) raw.push('Authorization', `Bearer ${init.token}`);
  // Node's own header parsing (what its HTTP parser calls): `headers` then
  // joins, drops or lists duplicates exactly as on a live request.
  (req as unknown as { _addHeaderLines(lines: string[], n: number): void })._addHeaderLines(raw, raw.length);
  req.rawHeaders = raw;
  // The body was already read (or never sent): the stream has no more data.
  req.push(null);
  return req;
}

/** A real `ServerResponse` for `req` that records what was written instead of sending it. */
export function fakeServerResponse(req: IncomingMessage): { res: ServerResponse; answer(): FakeAnswer } {
  const res = new ServerResponse(req);
  const chunks: Buffer[] = [];
  let ended = false;
  const keep = (chunk: unknown): void => {
    if (typeof chunk === 'string') chunks.push(Buffer.from(chunk));
    else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
  };
  // Own properties over the prototype's: nothing goes to the (unconnected) socket.
  Object.assign(res, {
    write(chunk: unknown): boolean {
      keep(chunk);
      return true;
    },
    end(chunk?: unknown): ServerResponse {
      if (typeof chunk !== 'function') keep(chunk);
      ended = true;
      return res;
    },
  });
  return {
    res,
    answer: () => Object.freeze({ status: res.statusCode, headers: res.getHeaders(), body: decode(Buffer.concat(chunks), res.getHeader('content-type')), ended }),
  };
}

export function decode(bytes: Buffer, contentType: unknown): unknown {
  if (bytes.length === 0) return undefined;
  const text = bytes.toString('utf8');
  if (typeof contentType === 'string' && contentType.includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** Header values as a framework's `set(headers)` takes them. */
export function setHeaders(res: ServerResponse, headers: Record<string, string | number | readonly string[]>): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, typeof value === 'number' ? String(value) : value);
}
