import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { runInRequestScope } from '@apojwt/core';
import { APOJWT_MODULE_OPTIONS } from './tokens.js';
import { familyOf } from './request.js';
import type { ResolvedModuleOptions } from './options.js';

/**
 * Runs each HTTP handler (with the pipes and the interceptors after this
 * one) inside two AsyncLocalStorage scopes of core:
 *  - the request scope, refusals 'throw': core's own decorators
 *    (`@permissionRequired` from '@apojwt/core') on a controller or on a
 *    service method it calls find this request there, and throw a refusal
 *    for the exception filter instead of answering it;
 *  - after a `@Refresh()` check, the consumed token's refresh family, so
 *    `createToken` in the handler continues it.
 * Both are entered where the handler's observable is subscribed, which is
 * where Nest calls the handler, and AsyncLocalStorage carries them across
 * every `await` of it; concurrent requests never share one.
 */
@Injectable()
export class ApoJwtScopeInterceptor implements NestInterceptor {
  constructor(@Inject(APOJWT_MODULE_OPTIONS) private readonly options: ResolvedModuleOptions) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<object>();
    const args = [request, http.getResponse<unknown>()] as const;
    const family = familyOf(request);
    const { apo } = this.options;
    return new Observable((subscriber) => {
      const run = () => runInRequestScope(args, () => next.handle().subscribe(subscriber), 'throw');
      return family === undefined ? run() : apo.withinRefreshFamily({ fam: family }, run);
    });
  }
}
