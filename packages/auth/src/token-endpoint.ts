import { ApoJwtConfigError, oauthErrorResponse, respondingTemplate, sendAuthResponse, type AnyApoJwt, type Middleware, type Template } from '@apojwt/core';
import { knownKeys } from '@apojwt/core';
import { bodyLimitOption, readBodyText } from './json-body.js';
import { createTokenHandler, type TokenHandlerOptions } from './token-handler.js';
import type { GrantHandler } from './token-answer.js';

export interface TokenEndpointOptions extends Omit<TokenHandlerOptions, 'apo'> {
  /** Largest body read when no body parser ran, in bytes; default 16 KiB (larger: 413, invalid_request). */
  bodyLimit?: number;
}

/**
 * `POST /auth/token` as framework middleware over the instance's template
 * (Express, Koa, Fastify). Translation only: the template says where the
 * body, headers and IP are and how to answer; `createTokenHandler` decides.
 * A body a parser already read is taken as it left it (form or JSON object);
 * otherwise the raw body is read here and parsed by its Content-Type.
 */
export function tokenEndpoint(apo: AnyApoJwt, options: TokenEndpointOptions, grants?: Readonly<Record<string, GrantHandler>>): Middleware {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('token endpoint options must be an object');
  knownKeys('token endpoint', options, ['clients', 'limiter', 'assertionAudience', 'cost', 'exchange', 'bodyLimit']);
  const { bodyLimit, ...handlerOptions } = options;
  const limit = bodyLimitOption(bodyLimit);
  const template = respondingTemplate(apo, 'the token endpoint');
  if (template.request === undefined) throw new ApoJwtConfigError('the token endpoint needs a template with request() (express, koa, fastify)');
  const read = template.request as NonNullable<Template['request']>;
  const handler = createTokenHandler({ apo, ...handlerOptions }, grants);

  return async function token(...args: unknown[]): Promise<unknown> {
    const { req, ip, body } = read(args);
    let answer;
    try {
      // Express 4's body parsers leave `{}` on a body they did not parse: only a consumed stream means a parser ran.
      const parsed = body !== undefined && req.readableEnded ? body : await readBodyText(req, { limit });
      answer = await handler.token({
        body: parsed,
        ...(typeof req.headers['content-type'] === 'string' && { contentType: req.headers['content-type'] }),
        ...(typeof req.headers.authorization === 'string' && { authorization: req.headers.authorization }),
        ...(typeof ip === 'string' && { ip }),
      });
    } catch (error) {
      answer = oauthErrorResponse(error, apo.realm);
    }
    return sendAuthResponse(apo, template, args, answer);
  };
}
