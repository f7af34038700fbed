import type { AccessClaims, RefreshClaims } from './claims.js';
import type { CompiledRequirement } from './permissions.js';
import type { PolicyInput, Rule } from './policy.js';
import type { ExceptionHandler, Finder, Template } from './template.js';
import type { ApiKeyClaims } from './api-keys/api-key-claims.js';
import { requiredBearerOfHeader } from './http/credentials.js';

/**
 * The key of the engine's guard-only authorize, which answers synchronously
 * when it can (verified-cache hit, synchronous store). A symbol that the
 * package does not export: it is not public API.
 */
export const authorizeEagerly: unique symbol = Symbol('apojwt.authorizeEagerly');

/**
 * The engine's guard-only authorize for the request's Authorization header
 * value (its one header, as sent), when `bearerHeaders` says the token
 * comes from that header alone; not public API either.
 */
export const authorizeHeaderEagerly: unique symbol = Symbol('apojwt.authorizeHeaderEagerly');

/** The engine's guard-only API-key authorize (synchronous on a cache hit); not public API either. */
export const authorizeApiKeyEagerly: unique symbol = Symbol('apojwt.authorizeApiKeyEagerly');

/** What the guard needs of an instance's API keys. */
export interface ApiKeyReader {
  /** The scheme named in challenges for keys. */
  readonly challengeScheme: string;
  /** The request's key (raw header list), undefined when none; ERR_REQUEST_MALFORMED for two. */
  find(rawHeaders: readonly string[]): string | undefined;
}

/**
 * What the decorator engine, middleware and HTTP endpoints need of an
 * instance. `ApoJwt` implements it; those modules depend on this contract,
 * never on the class, so no module imports one that imports it back.
 */
export interface GuardEngine {
  readonly template: Template | undefined;
  readonly tokenFinder: Finder | undefined;
  readonly refreshFinder: Finder | undefined;
  readonly exceptionHandler: ExceptionHandler | undefined;
  readonly realm: string | undefined;
  readonly refreshEnabled: boolean;
  /** True while decisions are reported (asked per call): the guard then tells `authorize` the route. */
  readonly observesDecisions?: boolean;
  /** Verifies the token and, when given, the requirement or rule (ERR_PERMISSION_DENIED when it is not met). */
  authorize(token: string, requirement?: CompiledRequirement | Rule, input?: PolicyInput): Promise<AccessClaims<string, object>>;
  /** `authorize`, answered synchronously when every step can be. */
  [authorizeEagerly]?(token: string, requirement: CompiledRequirement | Rule | undefined, input?: PolicyInput): AccessClaims<string, object> | Promise<AccessClaims<string, object>>;
  /**
   * Where the request's raw header list is, when the access token is the
   * Bearer token of the Authorization header and nothing else (the finder
   * is core's `bearerTokenFinder` without a cookie): the guard then reads
   * that header itself and asks `[authorizeHeaderEagerly]`.
   */
  readonly bearerHeaders?: ((request: unknown) => readonly string[]) | undefined;
  /**
   * `[authorizeEagerly]` for the token of an Authorization header value: a
   * header seen before with a cached token is not parsed again. `observed`
   * is the guard's reading of `observesDecisions` in the same synchronous
   * step, so the instance does not ask again.
   */
  [authorizeHeaderEagerly]?(
    header: string,
    requirement: CompiledRequirement | Rule | undefined,
    input: PolicyInput | undefined,
    observed: boolean,
  ): AccessClaims<string, object> | Promise<AccessClaims<string, object>>;
  /** API keys, when the instance has them (`apiKeys` option). */
  readonly apiKeys?: ApiKeyReader | undefined;
  /** Verifies an API key and, when given, the requirement or rule, as `authorize` does a token. */
  authorizeApiKey?(key: string, requirement?: CompiledRequirement | Rule, input?: PolicyInput): Promise<ApiKeyClaims>;
  /** `authorizeApiKey`, answered synchronously when every step can be. */
  [authorizeApiKeyEagerly]?(key: string, requirement: CompiledRequirement | Rule | undefined, input?: PolicyInput): ApiKeyClaims | Promise<ApiKeyClaims>;
  /** Verifies a refresh token and marks it used (single use). */
  consumeRefresh(token: string): Promise<RefreshClaims<object>>;
  /** Runs `fn` so that tokens issued inside it continue the family of `claims`. */
  withinRefreshFamily<T>(claims: { fam: string }, fn: () => T): T;
}

/**
 * `apo.authorize`, answered without a promise when every step can be (a
 * verified-cache hit, a synchronous revocation store): the same checks and
 * errors, a refusal thrown rather than rejected. For guards that run on
 * every request (core's decorators, the Nest guard). An object that only
 * looks like an instance is asked through its `authorize`.
 */
export function authorizeNow(
  apo: GuardEngine,
  token: string,
  requirement: CompiledRequirement | Rule | undefined,
  input?: PolicyInput,
): AccessClaims<string, object> | Promise<AccessClaims<string, object>> {
  const eager = apo[authorizeEagerly];
  if (typeof eager !== 'function') return Promise.resolve(apo.authorize(token, requirement, input));
  return eager.call(apo, token, requirement, input);
}

/**
 * `authorizeNow` for the request's one Authorization header value, as sent
 * (`authorizationHeader(rawHeaders)`), for guards that read the Bearer
 * header and nothing else: an instance that has seen this exact header with
 * a token still cached serves it without parsing it again; any other header
 * is parsed by the Bearer rule first (400 for a malformed one, 401
 * ERR_TOKEN_MISSING for another scheme). The same answers as
 * `authorizeNow(apo, token, …)` for the header's token. `observed`: a
 * caller that has just read `observesDecisions` passes its answer.
 */
export function authorizeHeaderNow(
  apo: GuardEngine,
  header: string,
  requirement: CompiledRequirement | Rule | undefined,
  input?: PolicyInput,
  observed = apo.observesDecisions === true,
): AccessClaims<string, object> | Promise<AccessClaims<string, object>> {
  const eager = apo[authorizeHeaderEagerly];
  if (typeof eager === 'function') return eager.call(apo, header, requirement, input, observed);
  return authorizeNow(apo, requiredBearerOfHeader(header), requirement, input);
}
