import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { requestScopeWanted, runInRequestScope } from '@apojwt/core';
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
/** Set when `@Refresh()` is applied: its handler runs in the consumed token's family, which this interceptor enters. */
let refreshHandlers = false;

export function noteRefreshHandler(): void {
  refreshHandlers = true;
}

/**
 * The module's APP_INTERCEPTOR: this interceptor when something reads its
 * scopes (a method with core's decorators, a `@Refresh()` handler), else
 * none. Asked when Nest creates the module's providers, once every class of
 * the app is defined. Any global interceptor makes Nest run its interceptor
 * chain on every request, and entering AsyncLocalStorage turns on Node's
 * promise hooks for the whole process: an app that uses only the metadata
 * decorators pays for neither.
 */
export function scopeInterceptorIfWanted(options: ResolvedModuleOptions): ApoJwtScopeInterceptor | null {
  return refreshHandlers || requestScopeWanted() ? new ApoJwtScopeInterceptor(options) : null;
}

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
