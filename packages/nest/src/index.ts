import { registerTemplate } from '@apojwt/core';
import { nestTemplate } from './template.js';

// Importing the package makes `createApoJwt({ template: 'nest' })` resolve.
registerTemplate(nestTemplate());

export { ApoJwtModule, type ApoJwtModuleAsyncOptions, type ApoJwtModuleFactoryOptions } from './module.js';
export type { ApoJwtModuleOptions, ApoJwtModuleSettings, Platform } from './options.js';
export { APOJWT, APOJWT_MODULE_OPTIONS, InjectApoJwt } from './tokens.js';
export { TokenRequired, PermissionRequired, Refresh, Public, TOKEN_REQUIRED_KEY, PERMISSIONS_KEY, REFRESH_KEY, PUBLIC_KEY, ACCEPT_KEY } from './metadata.js';
export { ApoJwtGuard } from './guard.js';
export { nestRoutes } from './routes.js';
export { ApoJwtScopeInterceptor } from './scope.interceptor.js';
export { ApoJwtExceptionFilter } from './exception-filter.js';
export { TokenData, TokenSubject, TokenPermissions, TokenClaims, RefreshData } from './params.js';
export { nestTemplate, type NestTemplateOptions } from './template.js';
export type { ApoJwtInstance, GuardedRequest, RefreshedRequest, AccessValues, RefreshValues } from './types.js';
// Core's Register, so an app whose only apojwt dependency is this package declares its names
// with `declare module '@apojwt/nest'`: under pnpm it cannot name '@apojwt/core' (TS2664).
export type { Register, RegisteredPermission, RegisteredRole, RegisteredData, RegisteredRefreshData } from '@apojwt/core';
