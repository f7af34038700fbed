import { ApoJwtError } from './errors.js';
import { toHttpErrorResponse } from './http-error.js';

/**
 * An `ApoJwtError` made ready for a framework's own error handling, for the
 * places where apojwt throws a refusal instead of answering it (the request
 * scope, the templates' `errors: 'next' | 'throw'` modes). Each framework reads
 * other fields: Express's final handler and Koa read `status`, `expose` and
 * `headers` (as http-errors sets them); Fastify and Nest read `statusCode`;
 * routing-controllers reads `httpCode`. All of them come from core's one
 * table, so the framework answers with the status apojwt decided.
 */
export interface FrameworkReadyError extends ApoJwtError {
  readonly headers: Record<string, string>;
  readonly statusCode: number;
  readonly httpCode: number;
  readonly expose: true;
}

/**
 * `expose: true` makes Koa (and others) send the error's `message` to the
 * client, so the error handed over carries the fixed public sentence of its
 * code; the original, whose message custom code may have written (a key
 * resolver quoting a `kid`), is its `cause`, for the server's log.
 */
export function frameworkError(error: ApoJwtError, realm: string | undefined): FrameworkReadyError {
  const answer = toHttpErrorResponse(error, realm);
  const ready = new ApoJwtError(error.code, answer.body.message, error.details, { cause: error });
  // Not enumerable: a logger serialising the error sees its code and message, not a copy of every field.
  for (const [name, value] of [
    ['headers', answer.headers],
    ['statusCode', answer.status],
    ['httpCode', answer.status],
    ['expose', true],
  ] as const) {
    Object.defineProperty(ready, name, { value, configurable: true, writable: true, enumerable: false });
  }
  return ready as FrameworkReadyError;
}
