import { ApoJwtConfigError, ApoJwtError, authErrorResponse, type AuthResponse } from '@apojwt/core';
import { listAccountRoutes, type AccountEndpoints, type AccountRoute } from '@apojwt/postgres';
import type { FastifyError, FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

// `@apojwt/fastify/accounts`: the account routes of @apojwt/postgres, apart
// from the main entry so that a service that only verifies tokens never
// loads the account layer. Translation only: the route table decides every answer.

export interface FastifyAccountRoutesOptions extends AccountEndpoints {
  /** Largest body Fastify's parser reads for these routes, in bytes (1 to 1 MiB); default 16 KiB, as the login endpoint. A larger one is 413 ERR_BODY_TOO_LARGE. */
  readonly bodyLimit?: number;
}

const DEFAULT_BODY_LIMIT = 16 * 1024;
const MAX_BODY_LIMIT = 1024 * 1024;
const KNOWN = ['accounts', 'twoFactor', 'bodyLimit'];

function checkOptions(options: unknown): { endpoints: AccountEndpoints; bodyLimit: number } {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('accountRoutes options must be an object with accounts and/or twoFactor');
  // Fastify passes its own keys (prefix, logLevel) to a plugin's options only when the app set them: not ours to check.
  const { prefix: _prefix, logLevel: _logLevel, logSerializers: _serializers, ...own } = options as Record<string, unknown>;
  for (const key of Object.keys(own)) {
    if (!KNOWN.includes(key)) throw new ApoJwtConfigError(`unknown accountRoutes option "${key}" (known: ${KNOWN.join(', ')}, and Fastify's prefix)`);
  }
  const { accounts, twoFactor, bodyLimit = DEFAULT_BODY_LIMIT } = own as FastifyAccountRoutesOptions;
  if (typeof bodyLimit !== 'number' || !Number.isInteger(bodyLimit) || bodyLimit < 1 || bodyLimit > MAX_BODY_LIMIT) {
    throw new ApoJwtConfigError(`accountRoutes: bodyLimit must be a whole number of bytes from 1 to ${MAX_BODY_LIMIT}`);
  }
  return { endpoints: { ...(accounts !== undefined && { accounts }), ...(twoFactor !== undefined && { twoFactor }) }, bodyLimit };
}

function send(reply: FastifyReply, answer: AuthResponse): FastifyReply {
  reply.code(answer.status).headers(answer.headers);
  // Fastify appends Set-Cookie values, so a cookie set by another hook (@fastify/cookie's) stays.
  if (answer.cookies.length > 0) reply.header('set-cookie', answer.cookies);
  // Returned, so the async handler resolves to the reply and Fastify sends nothing more.
  return answer.body === undefined ? reply.send() : reply.send(answer.body);
}

/**
 * What Fastify's content-type parsers refuse (FST_ERR_CTP_*: malformed or
 * empty JSON, a body over `bodyLimit`, a media type nobody parses, a length
 * that does not match) as apojwt's error answer, so these routes answer in
 * one shape. Any other error is the app's error handler's.
 */
function parserRefusal(error: FastifyError): ApoJwtError | undefined {
  if (typeof error.code !== 'string' || !error.code.startsWith('FST_ERR_CTP_')) return undefined;
  if (error.statusCode === 413) return new ApoJwtError('ERR_BODY_TOO_LARGE', 'the request body is larger than the account routes read', {}, { cause: error });
  if (error.statusCode === 400 || error.statusCode === 415) return new ApoJwtError('ERR_BODY_INVALID', 'the request body is not one JSON value', {}, { cause: error });
  return undefined;
}

function register(fastify: FastifyInstance, route: AccountRoute, bodyLimit: number): void {
  fastify.route({
    method: route.method,
    url: route.path,
    bodyLimit,
    errorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
      const refusal = parserRefusal(error);
      // Thrown on: Fastify hands it to the enclosing context's error handler.
      if (refusal === undefined) throw error;
      return send(reply, authErrorResponse(refusal, [], undefined));
    },
    async handler(request: FastifyRequest, reply: FastifyReply) {
      const answer = await route.answer({
        rawHeaders: request.raw.rawHeaders,
        body: route.readsBody ? request.body : undefined,
        id: (request.params as { id?: string } | undefined)?.id,
        ip: request.ip,
      });
      return send(reply, answer);
    },
  });
}

const plugin: FastifyPluginCallback<FastifyAccountRoutesOptions> = (fastify, options, done) => {
  // A callback plugin reports failure through done: a throw here would escape Fastify's boot and crash the process.
  try {
    const { endpoints, bodyLimit } = checkOptions(options);
    for (const route of listAccountRoutes(endpoints)) register(fastify, route, bodyLimit);
  } catch (error) {
    done(error as Error);
    return;
  }
  done();
};

/**
 * `fastify.register(accountRoutes, { accounts, twoFactor })`: each route of
 * `listAccountRoutes` on Fastify's router, under the `prefix` the app
 * registers it with. Bodies are Fastify's JSON parser's (`bodyLimit`,
 * default 16 KiB); the client IP is `request.ip` (the app's `trustProxy`
 * applies). Encapsulated, so its error mapping reaches only these routes.
 */
export const accountRoutes = fp(plugin, { fastify: '5.x', name: '@apojwt/fastify/accounts', encapsulate: true });
