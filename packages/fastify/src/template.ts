import {
  ApoJwtConfigError,
  DEFAULT_REFRESH_COOKIE,
  checkTemplateOptions,
  bearerTokenFinder,
  findCookie,
  frameworkError,
  toHttpErrorResponse,
  type ApoJwtError,
  type InjectedValues,
  type Template,
} from '@apojwt/core';
import { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { attachToRequest } from './attach.js';
import { toPreHandler } from './pre-handler.js';

export interface FastifyTemplateOptions {
  /** Registered name; default 'fastify'. */
  name?: string;
  /** Also accept the access token from this cookie (header and cookie must agree). Default: header only. */
  cookie?: string;
  /** The refresh token's httpOnly cookie. Default `apojwt_refresh`. */
  refreshCookie?: string;
  /**
   * 'respond' (default): answer the error here. 'throw': throw it (with
   * `statusCode`, `headers`, `expose`) so the app's `setErrorHandler`, or
   * Fastify's default one, answers.
   */
  errors?: 'respond' | 'throw';
}

type Headers = Record<string, string | string[]>;

function isReply(value: unknown): value is FastifyReply {
  return typeof value === 'object' && value !== null && typeof (value as { send?: unknown }).send === 'function' && typeof (value as { code?: unknown }).code === 'function';
}

/**
 * The Fastify binding: where the token is, where claims go (the request),
 * how an error is answered. Status and body come from core. Credentials are
 * read from Node's raw header list, never from `request.cookies`, so
 * @fastify/cookie is optional and two Authorization headers are still seen.
 */
export function fastifyTemplate(options: FastifyTemplateOptions = {}): Template {
  checkTemplateOptions(options, ['respond', 'throw']);
  const bearer = { cookie: options.cookie };
  const refreshCookie = options.refreshCookie ?? DEFAULT_REFRESH_COOKIE;
  const toFramework = options.errors === 'throw';
  return Object.freeze({
    name: options.name ?? 'fastify',
    refreshCookie,
    frameworkErrors: toFramework,
    tokenFinder: bearerTokenFinder((request: FastifyRequest) => request.raw.rawHeaders, bearer),
    refreshFinder: (request: FastifyRequest) => findCookie(request.raw.rawHeaders, refreshCookie),
    requestHeaders: (args: readonly unknown[]) => (args[0] as FastifyRequest).raw.rawHeaders,
    // The token finder above reads the Authorization header alone unless a cookie is also accepted.
    tokenFromAuthorizationHeader: options.cookie === undefined,
    exceptionHandler(this: { realm?: string } | undefined, error: ApoJwtError, _request: FastifyRequest, reply: FastifyReply | undefined): FastifyReply {
      // A method routed as `(request) => controller.method(request)` has no reply to answer with: Fastify answers the thrown error
      // (its error handling reads `statusCode` and `headers`).
      if (toFramework || !isReply(reply)) throw frameworkError(error, this?.realm);
      const answer = toHttpErrorResponse(error, this?.realm);
      // Returned, so a handler's promise resolves to the reply: Fastify's rule
      // for async handlers that called reply.send, so it does not send again.
      return reply.code(answer.status).headers(answer.headers).send(answer.body);
    },
    handlerArguments: '(request, reply)',
    // Fastify's `raw` is Node's request itself, one step below IncomingMessage.prototype: `instanceof` answers at the first step,
    // inlined, where remembering the prototype (Express's and Koa's test) reads it through a runtime call.
    isRequest: (args: readonly unknown[]) => (args[0] as { raw?: unknown } | undefined)?.raw instanceof IncomingMessage,
    // `apo.permissionRequired(...)` is then a Fastify preHandler as it is.
    middleware: toPreHandler,
    routeOf: (args: readonly unknown[]) => {
      const request = args[0] as Partial<FastifyRequest>;
      const url = request.routeOptions?.url;
      return typeof url === 'string' ? `${request.method} ${url}` : undefined;
    },
    attach(args: readonly unknown[], values: InjectedValues): void {
      attachToRequest(args[0] as Record<string, unknown>, values);
    },
    respond(args: readonly unknown[], status: number, headers: Headers, body: unknown): FastifyReply {
      if (!isReply(args[1])) throw new ApoJwtConfigError("an apojwt endpoint needs Fastify's (request, reply): route it as fastify.post(path, handler)");
      const reply = args[1].code(status).headers(headers);
      return body === undefined ? reply.send() : reply.send(body);
    },
    // `request.ip` follows the app's `trustProxy`; `request.body` is what Fastify's content-type parser produced.
    request(args: readonly unknown[]) {
      const request = args[0] as FastifyRequest;
      return { req: request.raw, ip: request.ip, body: request.body };
    },
  });
}
