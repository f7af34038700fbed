import { checkTemplateOptions, DEFAULT_REFRESH_COOKIE, frameworkError, type ApoJwtError, type InjectedValues, type Template } from '@apojwt/core';
import { accessTokenOf, attachValues, rawRequestOf, refreshTokenOf, type Credentials } from './request.js';

export interface NestTemplateOptions {
  /** Also accept the access token from this cookie (header and cookie must agree). Default: header only. */
  cookie?: string;
  /** The refresh token's httpOnly cookie. Default `apojwt_refresh`. */
  refreshCookie?: string;
}

/**
 * The binding core's own decorators (`@permissionRequired` from
 * '@apojwt/core') use on Nest controllers. Nest calls a controller method
 * with the values its parameter decorators ask for, never with the
 * platform's request, so such a method always finds its request in the
 * request scope the module's interceptor enters (refusals 'throw'), and a
 * refusal is thrown for the exception filter to answer. Called outside any
 * scope, core says so with an ApoJwtConfigError.
 */
export function nestTemplate(options: NestTemplateOptions = {}): Template {
  const credentials = credentialsOf(options);
  return Object.freeze({
    name: 'nest',
    refreshCookie: credentials.refreshCookie,
    frameworkErrors: true,
    tokenFinder: (request: unknown) => accessTokenOf(request, credentials),
    refreshFinder: (request: unknown) => refreshTokenOf(request, credentials),
    requestHeaders: (args: readonly unknown[]) => rawRequestOf(args[0]).rawHeaders,
    exceptionHandler(this: { realm?: string } | undefined, error: ApoJwtError): never {
      throw frameworkError(error, this?.realm);
    },
    handlerArguments: '(request, response) of a request scope',
    // Nest's own arguments never reach a controller method: only the scope tells where the request is.
    isRequest: () => false,
    attach(args: readonly unknown[], values: InjectedValues): void {
      attachValues(args[0] as object, values);
    },
  });
}

/** Validated cookie names (core's rules for a template's options). */
export function credentialsOf(options: NestTemplateOptions): Credentials {
  checkTemplateOptions(options, []);
  return Object.freeze({ cookie: options.cookie, refreshCookie: options.refreshCookie ?? DEFAULT_REFRESH_COOKIE });
}
