import type { IncomingMessage, ServerResponse } from 'node:http';
import { runInRequestScope } from '@apojwt/core';
import { expressRequest } from './express.js';
import type { FakeAnswer, FakeRequestInit } from './message.js';

export interface FakeNest {
  /** The request `@Req()` would give on @nestjs/platform-express: Node's IncomingMessage. */
  readonly request: IncomingMessage & Record<string, unknown>;
  readonly response: ServerResponse;
  /**
   * Runs `fn` (a call of a controller method with the values Nest would
   * inject) inside the request scope @apojwt/nest's interceptor enters for
   * each request, refusals thrown. A refused call rejects with the
   * `ApoJwtError` Nest's exception filter answers (`status`, `statusCode`,
   * `headers`); an allowed one resolves to what the method returned.
   */
  run<T>(fn: () => T | Promise<T>): Promise<T>;
  /** What was written to the response (only code that uses `@Res()` writes there). */
  answer(): FakeAnswer;
}

/**
 * A Nest request for a unit test without a server. Nest never hands a
 * controller method its platform's request (the Nest template's `isRequest`
 * is always false); decorated methods find it in the request scope, so this
 * fake is the scope plus the request and response that go into it.
 */
export function nestRequest(init: FakeRequestInit = {}): FakeNest {
  const { req, res, answer } = expressRequest(init);
  return Object.freeze({
    request: req,
    response: res,
    answer,
    async run<T>(fn: () => T | Promise<T>): Promise<T> {
      return runInRequestScope([req, res], async () => await fn(), 'throw');
    },
  });
}
