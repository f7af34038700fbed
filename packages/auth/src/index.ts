export {
  hashPassword,
  verifyPassword,
  needsRehash,
  isPasswordHash,
  DEFAULT_BCRYPT_COST,
  DEFAULT_ARGON2,
  BCRYPT_MAX_BYTES,
  MAX_CONCURRENT_HASHES,
  type PasswordHashOptions,
  type PasswordAlgorithm,
  type Argon2Options,
} from './password.js';
export { LoginLimiter, DEFAULT_ACCOUNT_RULE, DEFAULT_IP_RULE, type LimitRule, type LoginAttempt, type LoginLimiterOptions } from './login-limiter.js';
export { clientIpKey } from './client-ip.js';
export { passwordLogin, createLogin, MAX_CREDENTIAL_BYTES, type LoginUser, type LoginOptions, type TokenIssuer, type MaybePromise } from './login.js';
export { createAuthHandlers, type AuthHandlers, type AuthHandlersOptions, type AuthRequest } from './auth-handlers.js';
export { authEndpoints, type AuthEndpoints, type AuthEndpointsOptions, type TemplateRequest } from './auth-endpoints.js';
export { readJsonBody, readBodyText, DEFAULT_BODY_LIMIT, type JsonBodyOptions } from './json-body.js';
export { memoryClientRegistry, type ClientRegistry, type ServiceClient } from './service-clients.js';
export {
  hashClientSecret,
  verifyClientSecret,
  isClientSecretHash,
  generateClientSecret,
  CLIENT_SECRET_HASH_MARKER,
  MIN_CLIENT_SECRET_LENGTH,
  type ClientSecretHashOptions,
} from './client-secret.js';
export type { GrantHandler } from './token-answer.js';
export { createTokenHandler, CLIENT_CREDENTIALS_GRANT, type TokenHandler, type TokenHandlerOptions, type TokenRequest } from './token-handler.js';
export { tokenEndpoint, type TokenEndpointOptions } from './token-endpoint.js';
export { JWT_BEARER_ASSERTION, MAX_ASSERTION_SECONDS } from './client-authentication.js';
export { tokenExchangeGrant, delegatedPermissions, TOKEN_EXCHANGE_GRANT, ACCESS_TOKEN_TYPE_URI, DEFAULT_EXCHANGE_SECONDS, type TokenExchangeOptions } from './token-exchange.js';
export { tokenParameters, MAX_PARAMETER_BYTES } from './token-request.js';
// Kept where they were for code written against @apojwt/core: they live in core.
export { authErrorResponse, type AuthResponse, type LoginContext, type LoginFunction, type LoginSetup, type RefreshResponseBody } from '@apojwt/core';
