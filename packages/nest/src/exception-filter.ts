import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { throwError, type Observable } from 'rxjs';
import { ApoJwtError, toHttpErrorResponse } from '@apojwt/core';
import { APOJWT_MODULE_OPTIONS } from './tokens.js';
import type { ResolvedModuleOptions } from './options.js';

/**
 * Answers every ApoJwtError, from the guard or from core's own decorators,
 * as the other adapters do: core's status, RFC 6750 `WWW-Authenticate`,
 * `Retry-After` when rate limited, JSON `{ error, message }`
 * (`toHttpErrorResponse`). Written through Nest's HTTP adapter, so the same
 * on Express and Fastify. Registered globally by ApoJwtModule; every other
 * exception is left to Nest's own handling.
 */
@Catch(ApoJwtError)
export class ApoJwtExceptionFilter implements ExceptionFilter<ApoJwtError> {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(APOJWT_MODULE_OPTIONS) private readonly options: ResolvedModuleOptions,
  ) {}

  catch(error: ApoJwtError, host: ArgumentsHost): void | Observable<never> {
    // RPC and the like: the error goes back to the transport, as Nest's own RPC filter expects.
    if (host.getType() !== 'http') return throwError(() => error);
    const { httpAdapter } = this.adapterHost;
    const response = host.switchToHttp().getResponse<unknown>();
    // The handler already wrote an answer: nothing can be said any more.
    if (httpAdapter.isHeadersSent(response) === true) return;
    const answer = toHttpErrorResponse(error, this.options.apo.realm);
    for (const [name, value] of Object.entries(answer.headers)) httpAdapter.setHeader(response, name, value);
    httpAdapter.reply(response, answer.body, answer.status);
  }
}
