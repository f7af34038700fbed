export { ApoJwt } from './apojwt.js';
export type { AnyApoJwt } from './any-apojwt.js';
export type { CreateTokenInput, CreateTokenResult, TokenPair } from './tokens.js';
export { createApoJwt } from './create.js';
export type { ApoJwtOptions, RefreshOptions } from './options.js';
export { ApoJwtError, ApoJwtConfigError, STATUS_BY_CODE, accessTokenMissing, isApoJwtError, type ApoJwtErrorCode, type ApoJwtErrorDetails, type ApoJwtHttpStatus } from './errors.js';
export { toHttpErrorResponse, type HttpErrorResponse } from './http-error.js';
export { oauthErrorResponse, OAUTH_ERROR_BY_CODE, type OAuthErrorBody } from './http/oauth-error.js';
export type { AccessTokenOverrides } from './issuer.js';
export { isActorClaim, actorChain, MAX_ACTOR_DEPTH, type ActorClaim } from './actor.js';
export { actedBy, notDelegated, subjectIs, type ActedByOptions } from './actor-rules.js';
export { exchangingFetch, type ExchangingFetch, type ExchangingFetchOptions } from './exchanging-fetch.js';
export { ALGORITHMS, isAlgorithm, type Algorithm, type SymmetricAlgorithm, type AsymmetricAlgorithm } from './algorithms.js';
export { LocalKeyRing, makeSigningKey, secretToKeyObject, thumbprint, type KeyResolver, type SecretInput, type SigningKey, type VerificationKey } from './keys.js';
export { ACCESS_TOKEN_TYPE, REFRESH_TOKEN_TYPE, LEGACY_TOKEN_TYPE, type AccessClaims, type RefreshClaims, type RegisteredClaims, type TokenKind } from './claims.js';
export {
  compileRequirement,
  isCompiledRequirement,
  grantCovers,
  holdsPermission,
  satisfies,
  assertPermissions,
  type CompiledRequirement,
  type PermissionGrant,
  type PermissionRequirement,
} from './permissions.js';
export { compilePermissionModel, expandGrants, type PermissionModel, type Expansion, type RoleDeclaration, type RoleDefinition, type ImplicationDeclaration } from './permission-model.js';
export { definePolicy, allOf, anyOf, not, isRule, type Rule, type PolicyContext, type PolicyFunction, type PolicyInput } from './policy.js';
export type { DecisionEvent, DecisionHook } from './decision-events.js';
export type { Register, RegisteredPermission, RegisteredRole, RegisteredData, RegisteredRefreshData, JsonObject } from './register.js';
export { systemClock, type Clock } from './clock.js';
export type { RevocationStore, RevocationQuery } from './stores/revocation-store.js';
export type { RotationStore, ConsumedRefreshToken } from './stores/rotation-store.js';
export { MemoryRevocationStore, type MemoryRevocationStoreOptions } from './stores/memory-revocation-store.js';
export { MemoryRotationStore, type MemoryRotationStoreOptions } from './stores/memory-rotation-store.js';
export { registerTemplate, resolveTemplate, checkTemplateOptions, type Template, type Finder, type ExceptionHandler, type InjectedValues } from './template.js';
export type { LoginContext, LoginFunction, LoginIssuer, LoginSetup } from './login-setup.js';
export type { IssueFromRefresh } from './refresh-rotation.js';
export { KeyRing, type KeyRingOptions } from './key-ring.js';
export type { KeyEpoch } from './verified-cache.js';
export type { KeyInput, KeySpec, KeyWithId } from './key-input.js';
export { jwksResponse, type JwkSet, type PublicJwk, type JwksResponseOptions, type JwksHttpResponse } from './jwks.js';
export { RemoteJwks, type RemoteJwksOptions } from './remote-jwks.js';
export { tokenRequired, permissionRequired, refresh, publicRoute, decoratorsFor, type ApoDecorator, type BoundDecorators, type DecoratorOptions } from './decorators/decorators.js';
export { TokenData, TokenSubject, TokenPermissions, TokenClaims, RefreshData, type ParameterMarker } from './decorators/params.js';
export { setDefaultApoJwt, defaultApoJwt } from './decorators/default-instance.js';
export type { Middleware } from './decorators/middleware.js';
export { uncoveredRoutes, assertRoutesDecided, carryDecision, handlerOf, type RouteInfo } from './coverage/routes.js';
export { authorizationHeader, findBearerToken, findCookie, headerValues, type BearerOptions } from './http/credentials.js';
export { bearerTokenFinder, type RawHeadersOf } from './http/bearer-finder.js';
export { instanceTest } from './http/instance-test.js';
export { entryAlongPrototypes } from './http/prototype-entry.js';
export { requestValues, type RequestValues } from './http/request-values.js';
export {
  refreshCookie,
  refreshCookieHeader,
  clearRefreshCookieHeader,
  DEFAULT_REFRESH_COOKIE,
  DEFAULT_REFRESH_PATH,
  type RefreshCookie,
  type RefreshCookieOptions,
} from './http/refresh-cookie.js';
export { NO_STORE, authErrorResponse, tokenResponse, type AuthResponse, type RefreshResponseBody, type TokenLifetimes } from './http/token-response.js';
export {
  createRefreshHandler,
  refreshEndpoint,
  refreshMiddleware,
  refreshTokenOf,
  respondingTemplate,
  sendAuthResponse,
  type RefreshEndpointOptions,
  type RefreshHandler,
  type RefreshRequest,
  type RespondingTemplate,
  type RotatingEngine,
} from './http/refresh-endpoint.js';
export { rejectWith } from './decorators/guard.js';
export { ApiKeys, type ApiKeysOptions, type CreateApiKeyInput, type RotateApiKeyOptions } from './api-keys/api-keys.js';
export type { ApiKeyStore, StoredApiKey } from './api-keys/api-key-store.js';
export { MemoryApiKeyStore, type MemoryApiKeyStoreOptions } from './api-keys/memory-api-key-store.js';
export type { ApiKeyClaims, ApiKeyInfo, CreatedApiKey } from './api-keys/api-key-claims.js';
export { DEFAULT_API_KEY_PREFIX } from './api-keys/key-format.js';
export { compileAccept, selectCredential, type AcceptedCredentials, type CredentialKind, type FoundCredential } from './api-keys/accept.js';
export type { AcceptOptions } from './decorators/decorators.js';
export { callbackHookFor, nextOnRejection } from './decorators/middleware.js';
export type { CallbackHook, HookDone } from './decorators/guard.js';
export { authorizeHeaderNow, authorizeNow, type GuardEngine, type ApiKeyReader } from './engine.js';
export { acceptedCredential } from './decorators/credential-check.js';
export { runInRequestScope, currentRequestScope, requestScopeWanted, type RequestScope } from './request-scope.js';
export { frameworkError, type FrameworkReadyError } from './framework-error.js';
// For adapters that run a check outside core's guard (Nest's guard, routing-controllers' checkers): a non-Error failure made safe to hand on.
export { checkFailure } from './failure-value.js';
// Option checks for packages built on core (auth, adapters, stores): one wording for every package.
export { knownKeys, positiveInteger } from './validate.js';
