export { ApoJwtRequestScope } from './request-scope.js';
export { ApoJwtErrorHandler } from './error-handler.js';
export { refusalAnswer } from './answer.js';
export { authorizationChecker, currentUserChecker, type AuthorizationCheckerOptions, type CheckingInstance, type CurrentUserCheckerOptions, type CurrentUserClaims } from './checkers.js';
export { TokenData, TokenSubject, TokenPermissions, TokenClaims, RefreshData } from './params.js';
export { apoJwtMiddlewares, useApoJwt, type ApoJwtRoutingOptions } from './use-apojwt.js';
