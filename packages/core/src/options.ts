import type { Algorithm } from './algorithms.js';
import type { Clock } from './clock.js';
import type { SecretInput, KeyResolver } from './keys.js';
import type { KeySpec } from './key-input.js';
import type { KeyRing } from './key-ring.js';
import type { RemoteJwksOptions } from './remote-jwks.js';
import type { RevocationStore } from './stores/revocation-store.js';
import type { RotationStore } from './stores/rotation-store.js';
import type { LoginSetup } from './login-setup.js';
import type { ExceptionHandler, Finder, Template } from './template.js';
import type { ImplicationDeclaration, RoleDeclaration } from './permission-model.js';
import type { DecisionHook } from './decision-events.js';
import type { ApiKeys, ApiKeysOptions } from './api-keys/api-keys.js';

export interface RefreshOptions {
  /** Signs refresh tokens (HMAC). May equal `secret`: the token type keeps them apart, except with `pythonCompat`. */
  refreshSecret: SecretInput;
  /** HS256 (default), HS384 or HS512. Only the issuer verifies refresh tokens. */
  refreshAlgorithm?: 'HS256' | 'HS384' | 'HS512';
  /** Seconds a refresh token lives. Default 86 400 (one day). */
  refreshExpPeriod?: number;
  /** Where the refresh token is in a request; the template's default reads a cookie. */
  refreshFinder?: Finder;
  /**
   * Seconds after a rotation during which presenting the rotated token again
   * is refused without revoking the family (concurrent requests from one
   * client). After it, reuse revokes the whole family. Default 2; 0 = never.
   */
  reuseGracePeriod?: number;
}

export interface ApoJwtOptions {
  /** HMAC secret for HS256/384/512; at least as long as the hash (32 bytes for HS256). */
  secret?: SecretInput;
  /** Default HS256. */
  algorithm?: Algorithm;
  /** Key id written in every header; default: the key's RFC 7638 thumbprint. */
  kid?: string;
  /** Where verification keys come from, when none of the options below fits. */
  keyResolver?: KeyResolver;
  /** RS/PS/ES issuer: the private key that signs (PEM, KeyObject or JWK; `{ key, kid }` to name it). */
  privateKey?: KeySpec;
  /** RS/PS/ES issuer: older keys that still verify until the tokens they signed expire. */
  previousKeys?: readonly KeySpec[];
  /** RS/PS/ES verifier: the issuer's public keys (PEM, KeyObject or JWK; `{ key, kid }`). */
  publicKeys?: readonly KeySpec[];
  /** RS/PS/ES verifier: the issuer's JWK Set URL, fetched once, cached, refetched on an unknown kid. */
  jwksUri?: string | URL;
  /** Timeout, rate limit and cache age of `jwksUri`. */
  jwksOptions?: Omit<RemoteJwksOptions, 'now'>;
  /** RS/PS/ES: a KeyRing the application rotates itself (`rotate`, `retire`). */
  keyRing?: KeyRing;
  /** Seconds an access token lives. Default 900. */
  expPeriod?: number;
  /** Issuer written in and required of every token. */
  iss: string;
  /** Audience(s) written into tokens and accepted on verification. A string is one audience. */
  serverAudience: string | readonly string[];
  /** A permission that grants every other one. */
  adminPermission?: string;
  /** Seconds of clock skew tolerated on exp/nbf/iat, 0 to 300. Default 0. */
  clockTolerance?: number;
  /** Injectable clock (ms since epoch). Default `Date.now`. */
  now?: Clock;
  /** Tokens longer than this are refused before parsing. Default 8192. */
  maxTokenBytes?: number;
  /** Verified-token cache; `false` turns it off. Default `{ max: 10000 }`. */
  cache?: false | { max?: number };
  /** Revocation state; default an in-memory store. */
  revocationStore?: RevocationStore;
  /** Refresh rotation state; default an in-memory store. */
  rotationStore?: RotationStore;
  /**
   * When a store is down, accept tokens anyway. UNSAFE: a revoked token is
   * accepted for as long as the store is unreachable. Default false (503).
   */
  failOpen?: boolean;
  /** Accept Python apojwt access tokens (typ "JWT", no jti). Off by default. */
  pythonCompat?: boolean;
  /**
   * `'*'` and `'prefix:*'` grants cover other names. Default true; with
   * `pythonCompat` default false (exact names only, as Python apojwt matches).
   */
  wildcards?: boolean;
  /**
   * The service's roles, declared once: each grants permissions and may
   * include other roles. A cycle or an undeclared included role is refused here.
   */
  roles?: RoleDeclaration;
  /** Permissions that grant others: `{ 'orders:write': ['orders:read'] }`. A cycle is refused here. */
  implications?: ImplicationDeclaration;
  /**
   * How `createToken({ roles })` writes roles: `'expand'` (default) puts their
   * permissions into `perms`; `'claim'` writes a `roles` claim that every
   * verifying service expands from its own `roles` declaration.
   */
  rolesInToken?: 'expand' | 'claim';
  /**
   * Called once per access decision (decorators, middleware, `authorize`)
   * with its outcome, code, subject, token id, requirement, what satisfied
   * it, the route and the time it took; never the token or other claims.
   */
  onDecision?: DecisionHook;
  /** Configures refresh tokens; same as calling `configRefresh`. */
  refresh?: RefreshOptions;
  /** Turns on `login(username, password)`, e.g. `passwordLogin({ getUser })` from @apojwt/auth; same as calling `configLogin`. */
  login?: LoginSetup;
  /** Framework binding: 'express', 'koa' (after importing the adapter) or a template object. */
  template?: string | Template;
  tokenFinder?: Finder;
  refreshFinder?: Finder;
  exceptionHandler?: ExceptionHandler;
  /** RFC 6750 realm in WWW-Authenticate. */
  realm?: string;
  /**
   * Turns on API keys (`apo.apiKeys`): their store, prefix, where a request
   * carries one (`X-API-Key`, `Authorization: ApiKey …`), or an `ApiKeys`
   * made elsewhere. Routes still accept Bearer tokens only unless they say
   * `accept: ['bearer', 'apiKey']`.
   */
  apiKeys?: ApiKeysOptions | ApiKeys;
}

/**
 * Every option name, checked against the interfaces at compile time, so a
 * misspelt option (`revocationstore`, `failopen`) fails at construction
 * instead of silently leaving the default (an unshared memory store).
 */
type Exhaustive<T, K extends readonly (keyof T)[]> = Exclude<keyof T, K[number]> extends never ? K : never;
const apoJwtKeys = [
  'secret',
  'algorithm',
  'kid',
  'keyResolver',
  'privateKey',
  'previousKeys',
  'publicKeys',
  'jwksUri',
  'jwksOptions',
  'keyRing',
  'expPeriod',
  'iss',
  'serverAudience',
  'adminPermission',
  'clockTolerance',
  'now',
  'maxTokenBytes',
  'cache',
  'revocationStore',
  'rotationStore',
  'failOpen',
  'pythonCompat',
  'wildcards',
  'roles',
  'implications',
  'rolesInToken',
  'onDecision',
  'refresh',
  'login',
  'template',
  'tokenFinder',
  'refreshFinder',
  'exceptionHandler',
  'realm',
  'apiKeys',
] as const satisfies readonly (keyof ApoJwtOptions)[];
const refreshKeys = ['refreshSecret', 'refreshAlgorithm', 'refreshExpPeriod', 'refreshFinder', 'reuseGracePeriod'] as const satisfies readonly (keyof RefreshOptions)[];
export const APOJWT_OPTION_KEYS: Exhaustive<ApoJwtOptions, typeof apoJwtKeys> = apoJwtKeys;
export const REFRESH_OPTION_KEYS: Exhaustive<RefreshOptions, typeof refreshKeys> = refreshKeys;
