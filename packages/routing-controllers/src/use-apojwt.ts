import type { RoutingControllersOptions } from 'routing-controllers';
import { ApoJwtConfigError } from '@apojwt/core';
import { ApoJwtRequestScope } from './request-scope.js';
import { ApoJwtErrorHandler } from './error-handler.js';
import { authorizationChecker, currentUserChecker, type CheckingInstance } from './checkers.js';

/** The middleware classes apojwt needs on either driver: the request scope, and the Express driver's refusal answers. */
export const apoJwtMiddlewares = Object.freeze([ApoJwtRequestScope, ApoJwtErrorHandler] as const);

/**
 * routing-controllers options with apojwt wired in, for
 * `createExpressServer` / `useExpressServer` / `createKoaServer` /
 * `useKoaServer`: apojwt's middlewares ahead of the app's own,
 * `defaultErrorHandler: false` (routing-controllers' default handler cannot
 * send the WWW-Authenticate challenge), and apojwt's `authorizationChecker`
 * and `currentUserChecker` unless the app passes its own.
 */
/** The options `useApoJwt` returns: the app's, with what apojwt sets always present. */
export type ApoJwtRoutingOptions<O extends RoutingControllersOptions> = O &
  Required<Pick<RoutingControllersOptions, 'middlewares' | 'authorizationChecker' | 'currentUserChecker'>> & { defaultErrorHandler: false };

export function useApoJwt<O extends RoutingControllersOptions>(options: O, apo?: CheckingInstance): ApoJwtRoutingOptions<O> {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('useApoJwt needs routing-controllers options (an object)');
  if (options.defaultErrorHandler === true) {
    throw new ApoJwtConfigError('useApoJwt needs defaultErrorHandler: false: routing-controllers’ default error handler answers refusals without their WWW-Authenticate challenge');
  }
  return {
    ...options,
    middlewares: [...apoJwtMiddlewares, ...(options.middlewares ?? [])],
    defaultErrorHandler: false,
    authorizationChecker: options.authorizationChecker ?? authorizationChecker(apo),
    currentUserChecker: options.currentUserChecker ?? currentUserChecker(apo),
  } as ApoJwtRoutingOptions<O>;
}
